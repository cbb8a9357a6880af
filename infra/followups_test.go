package infra

import (
	"strings"
	"testing"
)

// TestFollowupsOnDashboard: the overdue actions and reviews, and the reminders, are on
// the dashboard; the tables's "owner" index exists and only the functions that list
// actions by owner may query it.
func TestFollowupsOnDashboard(t *testing.T) {
	sy := synthesized(t)
	body := canonical(t, props(sy.resource(t, sy.stack.Health.Dashboard))["DashboardBody"])
	for _, m := range followupMetrics {
		if !strings.Contains(body, `[\"Firebreak\",\"`+m.name+`\"`) {
			t.Errorf("dashboard has no %s", m.name)
		}
	}
	if !strings.Contains(body, "Reviews and actions") {
		t.Errorf("dashboard has no reviews and actions widget")
	}
	for name, spec := range functionSpecs {
		access, err := tableAccess(spec.Store)
		if err != nil {
			t.Fatal(err)
		}
		_, owner := access["owner"]
		// The API lists actions by owner; dispatch and the escalator (held openings) read
		// the inhibit check's sources from it (store.Dynamo.IndexSources).
		if want := name == APIFunction || name == "dispatch" || name == "escalate"; owner != want {
			t.Errorf("%s may query the owner index: %v; want %v (the API's actions by owner, dispatch's inhibit sources)", name, owner, want)
		}
	}
}
