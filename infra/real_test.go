package infra

import (
	"os"
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
}
