package cli_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/firebreak-ops/firebreak/internal/incident"
)

func TestIncidentRoles(t *testing.T) {
	s := serve(t, samples)
	m := regexpFind(t, s.banner, `Acknowledge link of (FB-\S+) `)
	s.ok(t, "role", m, "commander", "Dana", "Q")
	s.ok(t, "role", m, "comms", "contact:lee")
	out := s.ok(t, "show", m)
	for _, want := range []string{"Commander            Dana Q", "Communications lead  contact:lee"} {
		if !strings.Contains(strings.Join(strings.Fields(out), " "), strings.Join(strings.Fields(want), " ")) {
			t.Errorf("incidents show %s lacks %q:\n%s", m, want, out)
		}
	}
	if got := incident.Roles(s.show(t, m).Timeline); got["commander"] != "Dana Q" {
		t.Errorf("roles on the timeline = %v; want commander Dana Q", got)
	}
	if code, page := get(t, s.base+"/status/incidents/"+m); code != 200 || !strings.Contains(page, "<dt>Commander</dt><dd>Dana Q</dd>") {
		t.Errorf("status page of %s = %d; want it to name the commander:\n%s", m, code, page)
	}
	s.ok(t, "role", m, "comms")
	if got := incident.Roles(s.show(t, m).Timeline); got["comms"] != "" {
		t.Errorf("comms after clearing = %q; want none", got["comms"])
	}
	if code, _, errs := s.cli(t, "role", m); code != 2 || !strings.Contains(errs, "role takes ID ROLE [NAME...]") {
		t.Errorf("role without a role = exit %d, %q; want a usage error", code, errs)
	}
	if code, _, errs := s.cli(t, "role", m, "scribe", "x"); code != 1 || !strings.Contains(errs, "is not one of commander, comms") {
		t.Errorf("role scribe = exit %d, %q; want the API's refusal", code, errs)
	}
}

func regexpFind(t *testing.T, s, re string) string {
	t.Helper()
	m := regexp.MustCompile(re).FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("%q not found in:\n%s", re, s)
	}
	return m[1]
}

func TestIncidentUpdates(t *testing.T) {
	s := serve(t, samples)
	id := regexpFind(t, s.banner, `Acknowledge link of (FB-\S+) `)
	s.ok(t, "update", id, "--audience", "stakeholders", "--eta", "2h", "Checkout", "is", "degraded;", "failing", "over")
	s.ok(t, "update", id, "--audience", "executives", "No data loss.")
	tl := s.show(t, id).Timeline
	if !hasEntry(tl, incident.KindUpdatePosted, "", "Update to stakeholders: Checkout is degraded; failing over (estimated resolution") ||
		!hasEntry(tl, incident.KindUpdatePosted, "", "Update to executives: No data loss.") {
		t.Errorf("timeline lacks the two posted updates: %+v", tl)
	}
	code, page := get(t, s.base+"/status/")
	if code != 200 || !strings.Contains(page, "Estimated resolution: ") || !strings.Contains(page, "Update to executives: No data loss.") {
		t.Errorf("status board = %d; want the estimated resolution and the last update:\n%s", code, page)
	}
	if code, _, errs := s.cli(t, "update", id, "--eta", "-1h", "x"); code != 1 || !strings.Contains(errs, "is not a positive duration") {
		t.Errorf("update --eta -1h = exit %d, %q; want the API's refusal", code, errs)
	}
	if code, _, errs := s.cli(t, "update", id); code != 2 || !strings.Contains(errs, "update takes ID TEXT...") {
		t.Errorf("update without text = exit %d, %q; want a usage error", code, errs)
	}
}
