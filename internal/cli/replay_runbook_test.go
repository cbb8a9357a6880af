package cli_test

import (
	"encoding/json"
	"testing"
)

// TestReplayVerifiedRunbookStopsEscalation is issue 8's proof: one world-open SSH
// security-group event whose runbook revokes the rule and verifies it is gone. Six hours
// of clocks later the incident is mitigated (or resolved after the quiet period) and
// nobody was escalated to.
func TestReplayVerifiedRunbookStopsEscalation(t *testing.T) {
	code, out, errs := run(t, "", "replay", "--json", "--until", "6h", samples+"/cloudtrail/sg-ingress-open-world.json")
	if code != 0 {
		t.Fatalf("replay exit %d, stderr %s", code, errs)
	}
	var rep struct {
		Incidents   int `json:"incidents"`
		Escalations int `json:"escalations"`
		Runbooks    map[string]struct {
			Succeeded int `json:"succeeded"`
			Failed    int `json:"failed"`
		} `json:"runbooks"`
		List []struct {
			ID     string `json:"id"`
			Status string `json:"status"`
			Class  string `json:"class"`
		} `json:"incident_list"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("replay --json output is not JSON: %v\n%s", err, out)
	}
	if rep.Incidents != 1 || len(rep.List) != 1 {
		t.Fatalf("replay: %d incidents (%d listed); want 1", rep.Incidents, len(rep.List))
	}
	if rb := rep.Runbooks["sg-revoke-world-ingress"]; rb.Succeeded != 1 || rb.Failed != 0 {
		t.Errorf("runbook sg-revoke-world-ingress: %+v; want 1 succeeded, 0 failed", rb)
	}
	if inc := rep.List[0]; inc.Status != "mitigated" && inc.Status != "resolved" {
		t.Errorf("incident %s (%s) ends %s; want mitigated or resolved", inc.ID, inc.Class, inc.Status)
	}
	if rep.Escalations != 0 {
		t.Errorf("escalations = %d; want 0 (the verified runbook mitigated the incident)", rep.Escalations)
	}
}
