package notify_test

import (
	"strings"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/notify"
)

func TestOnCallWhy(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 2, 7, 59, 0, 0, time.UTC) // Monday 08:59 in Berlin
	for _, tc := range []struct {
		until time.Time
		want  string
	}{
		{time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC), "on call for primary until Mon 09:00 Europe/Berlin"},
		{time.Date(2026, 11, 8, 7, 0, 0, 0, time.UTC), "on call for primary until Sun 08:00 Europe/Berlin"},
		{time.Date(2026, 11, 9, 8, 0, 0, 0, time.UTC), "on call for primary until Mon 9 Nov 09:00 Europe/Berlin"},
	} {
		if got := notify.OnCallWhy("primary", now, tc.until, berlin); got != tc.want {
			t.Errorf("OnCallWhy(until %s) = %q; want %q", tc.until, got, tc.want)
		}
	}
}

// TestRenderPaged: a notice to a person says who and why, at the top and in the footer;
// a notice to a team does not.
func TestRenderPaged(t *testing.T) {
	inc := incident.Incident{ID: "FB-1", Title: "web down", Team: "web", Severity: incident.Sev1, Class: "web.down", Status: incident.Open}
	paged := notify.Paged{Name: "Alice Schmidt", Why: "on call for web-primary until Mon 09:00 Europe/Berlin"}
	r, err := notify.Render(notify.Notice{Kind: notify.Opened, Incident: inc, Paged: paged})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"\nPaged           Alice Schmidt, on call for web-primary until Mon 09:00 Europe/Berlin\n",
		"This message was sent to Alice Schmidt, on call for web-primary until Mon 09:00 Europe/Berlin; the web team owns web.down."} {
		if !strings.Contains(r.Email, want) {
			t.Errorf("Render(paged) e-mail lacks %q:\n%s", want, r.Email)
		}
	}
	r, err = notify.Render(notify.Notice{Kind: notify.Opened, Incident: inc})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(r.Email, "Paged ") || !strings.Contains(r.Email, "sent to the web team because it owns web.down") {
		t.Errorf("Render(team) e-mail:\n%s\nwant no Paged line and the team footer", r.Email)
	}
}
