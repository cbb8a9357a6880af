package notify_test

import (
	"strings"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/notify"
)

// A notice says which client's account broke and why the incident is this severity
// and owner (the account directory, internal/accounts); without a directory entry it
// says nothing of clients.
func TestEmailSaysClientAndWhy(t *testing.T) {
	reason := "sev2 raised to sev1: account 111122223333 (Acme production) is tier gold; owner payments: the account belongs to payments"
	inc := incident.Incident{ID: "FB-ACME-1", Title: "prod-api-5xx-rate → ALARM", Severity: incident.Sev1, Team: "payments", Status: incident.Open,
		Class: "ops.alarm-prod", Account: "111122223333", Region: "eu-west-1", OpenedAt: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC),
		AccountName: "Acme production", Client: "acme", Environment: "production", Tier: "gold", AccountReason: reason}
	r, err := notify.Render(notify.Notice{Kind: notify.Opened, Incident: inc})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{
		"Account/region  111122223333 (Acme production) / eu-west-1",
		"Client          acme · production · tier gold",
		"Priority        " + reason,
	} {
		if !strings.Contains(r.Email, w) {
			t.Errorf("Render(opened).Email =\n%s\nwant the line %q", r.Email, w)
		}
	}
	inc.AccountName, inc.Client, inc.Environment, inc.Tier, inc.AccountReason = "", "", "", "", ""
	r, err = notify.Render(notify.Notice{Kind: notify.Opened, Incident: inc})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(r.Email, "Client ") || strings.Contains(r.Email, "Priority") || !strings.Contains(r.Email, "Account/region  111122223333 / eu-west-1") {
		t.Errorf("Render(opened, no directory entry).Email =\n%s\nwant no client or priority line", r.Email)
	}
}
