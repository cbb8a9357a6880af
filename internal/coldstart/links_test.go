package coldstart_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/firebreak-ops/firebreak/internal/lambdaenv"
)

// TestIntakeLinksOnlyDynamoDB: intake tells nobody and starts nothing, so of the AWS
// SDK's service clients it links DynamoDB's alone (each client's package initialisers
// run at every cold start, and its code weighs on the binary). An import chain that
// brings in another (the store → problem tracker → notifier → SNS did) fails here.
func TestIntakeLinksOnlyDynamoDB(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped under -short (testing.Short): lists the intake Lambda's dependencies with go list")
	}
	cmd := exec.Command("go", append([]string{"list", "-deps"}, append(buildFlags[:2:2], "github.com/firebreak-ops/firebreak/functions/intake")...)...)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps functions/intake: %v", err)
	}
	const svc = "github.com/aws/aws-sdk-go-v2/service/"
	var services []string
	for _, pkg := range strings.Fields(string(out)) {
		name, ok := strings.CutPrefix(pkg, svc)
		if !ok || strings.HasPrefix(name, "internal/") || strings.Contains(name, "/") {
			continue
		}
		services = append(services, name)
	}
	slices.Sort(services)
	if want := []string{"dynamodb"}; !slices.Equal(services, want) {
		t.Errorf("functions/intake links the service clients %v; want %v", services, want)
	}
}

// TestIntakeLinksNoTemplateEngine: while every title of firebreak.yaml is plain
// (lambdaenv.PlainTitles), intake links no text/template execution: its reflective method
// calls would keep every exported method of every linked type in the binary (13.5 MB
// instead of 9.4 MB when this test was written), and the binary's size weighs on the cold
// start.
func TestIntakeLinksNoTemplateEngine(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped under -short (testing.Short): builds the intake Lambda with its symbol table")
	}
	bin := filepath.Join(t.TempDir(), "bootstrap")
	cmd := exec.Command("go", append(append([]string{"build"}, buildFlags[:3]...), "-o", bin, "github.com/firebreak-ops/firebreak/functions/intake")...)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build functions/intake: %v\n%s", err, out)
	}
	out, err := exec.Command("go", "tool", "nm", bin).Output()
	if err != nil {
		t.Fatalf("go tool nm: %v", err)
	}
	const sym = "text/template.(*Template).execute"
	if got, want := strings.Contains(string(out), sym), !lambdaenv.PlainTitles; got != want {
		t.Errorf("functions/intake links %s: %v; want %v (lambdaenv.PlainTitles = %v)", sym, got, want, lambdaenv.PlainTitles)
	}
}

// TestWithoutSchedulesWhereNoneIsEvaluated: a Lambda whose code never evaluates an on-call
// schedule (the linker keeps no oncall.planOf and no layer plan's segments or who) starts
// WithoutSchedules, sparing the schedules' compilation and their zoneinfo reads at every
// cold start; one that evaluates them does not (it would compile them on every ask).
func TestWithoutSchedulesWhereNoneIsEvaluated(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped under -short (testing.Short): builds every Lambda with its symbol table")
	}
	mains, err := filepath.Glob("../../functions/*/main.go")
	if err != nil || len(mains) == 0 {
		t.Fatalf("functions/*/main.go: %v (found %d)", err, len(mains))
	}
	dir := t.TempDir()
	for _, path := range mains {
		name := filepath.Base(filepath.Dir(path))
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			bin := filepath.Join(dir, name)
			cmd := exec.Command("go", append(append([]string{"build"}, buildFlags[:3]...), "-o", bin, "github.com/firebreak-ops/firebreak/functions/"+name)...)
			cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("go build functions/%s: %v\n%s", name, err, out)
			}
			out, err := exec.Command("go", "tool", "nm", bin).Output()
			if err != nil {
				t.Fatalf("go tool nm: %v", err)
			}
			const oncall = "github.com/firebreak-ops/firebreak/internal/oncall."
			syms := string(out)
			evaluates := false // compiling a schedule uses other layer plan methods (last, point)
			for _, sym := range []string{"planOf", "(*layerPlan).segments", "(*layerPlan).who"} {
				evaluates = evaluates || strings.Contains(syms, oncall+sym+"\n")
			}
			without := strings.Contains(string(src), "lambdaenv.WithoutSchedules()")
			if without == evaluates {
				t.Errorf("functions/%s evaluates schedules: %v; starts WithoutSchedules: %v; want exactly one of them", name, evaluates, without)
			}
		})
	}
}
