package infra

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/events"
	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// These tests check what the stack refuses to build, before any construct exists (no
// jsii, no synthesis).

func TestPlanMissingBootstrap(t *testing.T) {
	p := testProps(t)
	p.BuildDir = t.TempDir()
	_, err := newPlan(p)
	if err == nil {
		t.Fatal("newPlan with no build output: no error")
	}
	for _, want := range []string{filepath.Join(p.BuildDir, "intake", "bootstrap"), "make build"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("newPlan error = %q; want it to name %q", err, want)
		}
	}
}

func TestPlanUnknownFunction(t *testing.T) {
	p := testProps(t)
	p.Functions = append(p.Functions, "mystery")
	build, err := fakeBuild(p.Functions)
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(build)
	p.BuildDir = build
	_, err = newPlan(p)
	if err == nil || !strings.Contains(err.Error(), "functions/mystery: the stack does not know how to wire this Lambda") ||
		!strings.Contains(err.Error(), "infra/functions.go") {
		t.Errorf("newPlan with functions/mystery = %v; want an error naming it and infra/functions.go", err)
	}
}

// TestFunctionsKnown checks that every directory of functions/ has a spec, so that a new
// Lambda fails here with the same message synthesis gives.
func TestFunctionsKnown(t *testing.T) {
	fns, err := functionDirs(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	for _, fn := range fns {
		if _, ok := functionSpecs[fn]; !ok {
			t.Errorf("functions/%s: the stack does not know how to wire this Lambda; add it to infra/functions.go", fn)
		}
	}
}

// TestTimeoutsUnderLeases: a Lambda's claims outlive the attempt that holds them, so a
// retry never takes over an action still running.
func TestTimeoutsUnderLeases(t *testing.T) {
	for name, spec := range functionSpecs {
		if spec.Timeout >= store.Lease {
			t.Errorf("functions/%s: timeout %s; want under its claims' lease %s", name, spec.Timeout, store.Lease)
		}
	}
}

func TestPlanLinkKeysNeedBoth(t *testing.T) {
	for _, fns := range [][]string{{"intake", APIFunction}, {"intake", RotateFunction}} {
		p := testProps(t)
		p.Functions = fns
		build, err := fakeBuild(fns)
		if err != nil {
			t.Fatal(err)
		}
		defer os.RemoveAll(build)
		p.BuildDir = build
		_, err = newPlan(p)
		if err == nil || !strings.Contains(err.Error(), "deploy both or neither") {
			t.Errorf("newPlan(%v) = %v; want an error asking for both api and rotate", fns, err)
		}
	}
}

func TestPlanUnknownStoreMethod(t *testing.T) {
	p := testProps(t)
	p.Functions = []string{"intake"}
	p.specs = map[string]functionSpec{"intake": {Description: "x", MemoryMB: 128, Timeout: time.Second, Store: []string{"Get", "Scan"},
		wire: func(*Stack, *Function) error { return nil }}}
	build, err := fakeBuild(p.Functions)
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(build)
	p.BuildDir = build
	_, err = newPlan(p)
	if err == nil || !strings.Contains(err.Error(), "functions/intake: store methods [Scan]: infra/store.go does not list") {
		t.Errorf("newPlan(handler calling Scan) = %v; want an error naming the method and infra/store.go", err)
	}
}

func TestPlanRunbookNeedsTaskFunction(t *testing.T) {
	p := testProps(t)
	p.Functions = []string{"intake"} // no functions/runbook
	build, err := fakeBuild(p.Functions)
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(build)
	p.BuildDir = build
	_, err = newPlan(p)
	want := "runbook kms-cancel-key-deletion: infra/testdata/runbooks/kms-cancel-key-deletion.asl.json invokes ${RunbookFunctionArn}, the Go task Lambda, but functions/runbook does not exist"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("newPlan without functions/runbook = %v; want %q", err, want)
	}
}

func TestPlanRunbookErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return filepath.Join(dir, name)
	}
	task := func(resource, extra string) string {
		return `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"` + resource + `"` + extra + `,"End":true}}}`
	}
	tests := []struct {
		name, file, want string
	}{
		{"missing file", filepath.Join(dir, "nope.asl.json"), "runbook x: its definition " + filepath.Join(dir, "nope.asl.json") + " (runbooks.x.definition) does not exist"},
		{"not ASL", write("bad.asl.json", `{"StartAt": 1}`), "runbook x: "},
		{"unknown placeholder", write("ph.asl.json", task("arn:aws:states:::lambda:invoke", `,"Parameters":{"FunctionName":"${Other}"}`)), "uses ${Other}; the stack substitutes only ${RunbookFunctionArn}"},
		{"pseudo parameter", write("pp.asl.json", task("arn:aws:states:::aws-sdk:ec2:describeInstances", `,"Parameters":{"Filters":[{"Name":"owner-id","Values":["${AWS::AccountId}"]}]}`)), "uses ${AWS::AccountId}"},
		{"unscoped action", write("un.asl.json", task("arn:aws:states:::aws-sdk:ec2:terminateInstances", "")), "no resource scope is known for ec2:TerminateInstances"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := planRunbook("/", "x", &config.Runbook{Definition: tt.file}, true)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("planRunbook(%s) = %v; want an error containing %q", tt.name, err, tt.want)
			}
		})
	}
}

func TestPlanRules(t *testing.T) {
	all, err := events.Rules()
	if err != nil {
		t.Fatal(err)
	}
	p := testProps(t)
	build, err := fakeBuild(p.Functions)
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(build)
	p.BuildDir = build

	pl, err := newPlan(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(pl.rules) != len(all) {
		t.Errorf("deploy.rules empty: %d rules planned; want all %d", len(pl.rules), len(all))
	}

	cfg := *p.Config
	cfg.Deploy.Rules = []string{all[len(all)-1].Name, all[0].Name}
	p.Config = &cfg
	pl, err = newPlan(p)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range pl.rules {
		got = append(got, r.Name)
	}
	want := []string{all[0].Name, all[len(all)-1].Name} // catalog order
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("deploy.rules %v: planned %v; want %v", cfg.Deploy.Rules, got, want)
	}
}

func TestRetentionDays(t *testing.T) {
	for days, want := range map[int]string{1: "ONE_DAY", 30: "ONE_MONTH", 400: "THIRTEEN_MONTHS", 3653: "TEN_YEARS"} {
		if got, err := retentionDays(days); err != nil || got != want {
			t.Errorf("retentionDays(%d) = %q, %v; want %q", days, got, err, want)
		}
	}
	if got, err := retentionDays(31); err == nil || !strings.Contains(err.Error(), "31 is not a CloudWatch Logs retention (1, 3, 5") {
		t.Errorf("retentionDays(31) = %q, %v; want an error listing the allowed values", got, err)
	}
}

func TestSeveritiesByChannel(t *testing.T) {
	cfg, err := config.Load(filepath.Join("testdata", "firebreak.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	got := severitiesByChannel(cfg)
	if e, s := strings.Join(got["email"], ","), strings.Join(got["sms"], ","); e != "sev1,sev2,sev3,sev4" || s != "sev1,sev2" {
		t.Errorf("severitiesByChannel = email %s, sms %s; want email sev1,sev2,sev3,sev4, sms sev1,sev2", e, s)
	}
}
