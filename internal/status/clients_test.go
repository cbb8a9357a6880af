package status_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/status"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// The board filters by the account directory's client, offers the clients of the active
// incidents as filters, and the incident page says the client and, to responders only,
// why the incident is this severity and owner.
func TestClientFilter(t *testing.T) {
	st := store.NewMemory(func() time.Time { return t0 })
	ctx := context.Background()
	reason := "sev2 raised to sev1: account 111122223333 (Acme production) is tier gold"
	for _, inc := range []incident.Incident{
		{ID: "FB-ACME-1", Title: "acme checkout down", Severity: incident.Sev1, Team: "payments", Account: "111122223333", Region: "eu-west-1",
			Client: "acme", Environment: "production", AccountName: "Acme production", Tier: "gold", AccountReason: reason},
		{ID: "FB-GLOBEX-1", Title: "globex queue backlog", Severity: incident.Sev3, Team: "platform", Account: "555566667777", Region: "eu-west-1",
			Client: "globex", Environment: "staging", AccountName: "Globex staging", Tier: "standard"},
		{ID: "FB-UNLISTED-1", Title: "sandbox alarm", Severity: incident.Sev2, Team: "platform", Account: "999999999999", Region: "eu-west-1"},
	} {
		inc.Seq, inc.Fingerprint, inc.Status, inc.OpenedAt, inc.StateAt = 1, "fp-"+inc.ID, incident.Open, t0.Add(-time.Hour), t0.Add(-time.Hour)
		if _, _, err := st.Open(ctx, inc, incident.Entry{Incident: inc.ID, At: inc.OpenedAt, Kind: incident.KindOpened, Actor: "aws.cloudwatch", Key: "opened"}); err != nil {
			t.Fatal(err)
		}
	}
	p := &status.Page{Store: st, Now: func() time.Time { return t0 }}

	all := p.Render(ctx, status.Request{})
	for _, want := range []string{`href="./?client=acme"`, `href="./?client=globex"`, "All clients", "acme production · 111122223333"} {
		if !strings.Contains(string(all.Body), want) {
			t.Errorf("board: no %q", want)
		}
	}
	tests := []struct {
		client     string
		want, gone []string
	}{
		{"acme", []string{"FB-ACME-1", "Client acme only."}, []string{"FB-GLOBEX-1", "FB-UNLISTED-1"}},
		{"globex", []string{"FB-GLOBEX-1"}, []string{"FB-ACME-1", "FB-UNLISTED-1"}},
		{"initech", []string{"No active incidents."}, []string{"FB-ACME-1", "FB-GLOBEX-1", "FB-UNLISTED-1"}},
	}
	for _, tt := range tests {
		r := p.Render(ctx, status.Request{Client: tt.client})
		if r.Status != http.StatusOK {
			t.Fatalf("Render(client %s) = %d", tt.client, r.Status)
		}
		for _, w := range tt.want {
			if !strings.Contains(string(r.Body), w) {
				t.Errorf("Render(client %s): no %q", tt.client, w)
			}
		}
		for _, g := range tt.gone {
			if strings.Contains(string(r.Body), g) {
				t.Errorf("Render(client %s) shows %q", tt.client, g)
			}
		}
	}
	if r := p.Render(ctx, status.Request{Client: "Acme Corp"}); r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), "client") {
		t.Errorf("Render(client %q) = %d; want 400 naming the client", "Acme Corp", r.Status)
	}

	page := p.Render(ctx, status.Request{Path: "incidents/FB-ACME-1"})
	for _, want := range []string{"<dt>Client</dt><dd>acme · production · Acme production</dd>", "<dt>Priority</dt><dd>" + reason + "</dd>"} {
		if !strings.Contains(string(page.Body), want) {
			t.Errorf("incident page: no %q", want)
		}
	}
	if a := p.Render(ctx, status.Request{Path: "incidents/FB-ACME-1", Audience: "stakeholders"}); strings.Contains(string(a.Body), reason) {
		t.Errorf("an audience's incident page shows the account reason; want it for responders only")
	}
}
