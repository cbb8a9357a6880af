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
