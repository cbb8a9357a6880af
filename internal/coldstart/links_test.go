package coldstart_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
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
