package infra

import (
	"strings"
	"testing"
)

// TestResponseWidgets: the dashboard shows the response measures dispatch emits (MTTA,
// time to mitigate and resolve, objectives met and breached), the problems opened and
// the problems open now (the escalator's gauge).
func TestResponseWidgets(t *testing.T) {
	sy := synthesized(t)
	body := canonical(t, props(sy.resource(t, sy.stack.Health.Dashboard))["DashboardBody"])
	for _, want := range []string{"MTTA: mean time to acknowledge (ms)", "MTTR: mean time to mitigate and to resolve (ms)",
		"Response objectives met and breached", "Problems opened (recurring fingerprints)", "Open problems (now)", `\"OpenProblems\"`,
		`MetricName=\\\"TimeToAcknowledge\\\"`, `MetricName=\\\"TimeToMitigate\\\"`, `MetricName=\\\"TimeToResolve\\\"`,
		`MetricName=\\\"ObjectivesBreached\\\"`, `MetricName=\\\"ObjectivesMet\\\"`, `MetricName=\\\"ProblemsOpened\\\"`,
		`{Firebreak,Severity,Team}`} {
		if !strings.Contains(body, want) {
			t.Errorf("dashboard has no %s", want)
		}
	}
}
