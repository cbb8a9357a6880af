package infra

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/firebreak-ops/firebreak"
	"github.com/firebreak-ops/firebreak/events"
)

// TestShippedConfig synthesizes the stack `make deploy` deploys: the firebreak.yaml
// built into the binaries, the real functions/ and runbooks/, and checks that cdk-nag
// finds nothing unsuppressed. It fails, naming each missing piece, while a runbook of
// firebreak.yaml has no definition file or needs a Lambda the stack cannot wire yet.
func TestShippedConfig(t *testing.T) {
	cfg, err := firebreak.Config()
	if err != nil {
		t.Fatal(err)
	}
	fns, err := functionDirs(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	build, err := fakeBuild(fns)
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(build)
	out := t.TempDir()
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(out)})
	Check(app, true)
	s, err := NewStack(app, "Firebreak", Props{Config: cfg, Root: repoRoot, BuildDir: build})
	if err != nil {
		t.Fatalf("the shipped configuration does not synthesize:\n%v", err)
	}
	app.Synth(nil)
	lines, err := readNagReports(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range lines {
		if l.Compliance != "Compliant" && l.Compliance != "Suppressed" {
			t.Errorf("cdk-nag %s: %s %s on %s", l.Level, l.Compliance, l.Rule, l.Resource)
		}
	}
	rules, err := events.Rules()
	if err != nil {
		t.Fatal(err)
	}
	if want := len(rules); len(cfg.Deploy.Rules) == 0 && len(s.Intake.Rules) != want {
		t.Errorf("%d rules deployed; want the catalog's %d", len(s.Intake.Rules), want)
	}
	if len(s.Runbooks.Machines) != len(cfg.Runbooks) {
		t.Errorf("%d runbooks deployed; want %d", len(s.Runbooks.Machines), len(cfg.Runbooks))
	}

	// docs/cost.md prices this stack: its counts must be the stack's.
	lambdas, alarms, metrics, err := shippedCounts(filepath.Join(out, "Firebreak.template.json"))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("the shipped stack: %d Lambdas, %d runbooks, %d teams, %d alarms, a dashboard of %d metrics", lambdas, len(cfg.Runbooks), len(cfg.Teams), alarms, metrics)
	doc, err := os.ReadFile(filepath.Join(repoRoot, "docs", "cost.md"))
	if err != nil {
		t.Fatal(err)
	}
	cost := string(doc)
	for _, want := range []string{
		fmt.Sprintf("%d Lambdas, %d runbooks, %d teams, %d alarms", lambdas, len(cfg.Runbooks), len(cfg.Teams), alarms),
		fmt.Sprintf("%d alarms at $0.10", alarms),
		fmt.Sprintf("1 dashboard, %d metrics", metrics),
	} {
		if !strings.Contains(cost, want) {
			t.Errorf("docs/cost.md does not say %q", want)
		}
	}
}

// shippedCounts reads a synthesized template: its Lambdas, its alarms, and the metrics
// its dashboard graphs.
func shippedCounts(file string) (lambdas, alarms, metrics int, err error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return 0, 0, 0, err
	}
	var doc struct {
		Resources map[string]struct {
			Type       string
			Properties map[string]any
		}
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return 0, 0, 0, err
	}
	for _, r := range doc.Resources {
		switch r.Type {
		case "AWS::Lambda::Function":
			lambdas++
		case "AWS::CloudWatch::Alarm":
			alarms++
		case "AWS::CloudWatch::Dashboard":
			// The body is a Fn::Join of JSON text and tokens; the tokens stand in
			// quoted strings, so any string keeps it JSON.
			var b strings.Builder
			join := r.Properties["DashboardBody"].(map[string]any)["Fn::Join"].([]any)
			for _, part := range join[1].([]any) {
				if s, ok := part.(string); ok {
					b.WriteString(s)
				} else {
					b.WriteString("token")
				}
			}
			var body struct {
				Widgets []struct {
					Properties struct {
						Metrics []any `json:"metrics"`
					} `json:"properties"`
				} `json:"widgets"`
			}
			if err := json.Unmarshal([]byte(b.String()), &body); err != nil {
				return 0, 0, 0, fmt.Errorf("dashboard body: %w", err)
			}
			for _, w := range body.Widgets {
				metrics += len(w.Properties.Metrics)
			}
		}
	}
	return lambdas, alarms, metrics, nil
}
