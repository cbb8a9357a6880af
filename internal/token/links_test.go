package token_test

import (
	"bytes"
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/dispatch"
	"github.com/firebreak-ops/firebreak/internal/escalate"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/notify"
	"github.com/firebreak-ops/firebreak/internal/pipeline"
	"github.com/firebreak-ops/firebreak/internal/runbook"
	"github.com/firebreak-ops/firebreak/internal/token"
)

// Links is what every notifier takes.
var (
	_ dispatch.Links = (*token.Links)(nil)
	_ runbook.Links  = (*token.Links)(nil)
	_ escalate.Links = (*token.Links)(nil)
	_ pipeline.Links = (*token.Links)(nil)
)

func newLinks(t *testing.T, now *time.Time) *token.Links {
	t.Helper()
	ring, err := token.NewRing(bytes.NewReader(bytes.Repeat([]byte{9}, token.KeySize)), "k1")
	if err != nil {
		t.Fatal(err)
	}
	s := &token.Signer{Keys: token.Static{Ring: ring}, Now: func() time.Time { return *now }}
	return &token.Links{Signer: s, Base: "https://abc123.lambda-url.eu-west-1.on.aws/"}
}

// use parses a link and verifies its token as the API would.
func use(t *testing.T, l *token.Links, link string) (token.Claims, error) {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatalf("link %q does not parse: %v", link, err)
	}
	if u.Scheme != "https" || u.Host != "abc123.lambda-url.eu-west-1.on.aws" || !strings.HasPrefix(u.Path, "/t/") {
		t.Errorf("link %q; want https://abc123.lambda-url.eu-west-1.on.aws/t/<token>?…", link)
	}
	q := u.Query()
	return l.Signer.Verify(context.Background(), strings.TrimPrefix(u.Path, "/t/"), q.Get("incident"), q.Get("action"))
}

func TestActions(t *testing.T) {
	now := t0
	l := newLinks(t, &now)
	open := incident.Incident{ID: "FB-X-1", Status: incident.Open}
	acked := incident.Incident{ID: "FB-X-1", Status: incident.Acknowledged}
	mitigated := incident.Incident{ID: "FB-X-1", Status: incident.Mitigated}
	resolved := incident.Incident{ID: "FB-X-1", Status: incident.Resolved}
	cases := []struct {
		kind notify.Kind
		inc  incident.Incident
		want string
	}{
		{notify.Opened, open, "Acknowledge Resolve"},
		{notify.Retriggered, open, "Acknowledge Resolve"},
		{notify.SeverityRaised, open, "Acknowledge Resolve"},
		{notify.Escalation, open, "Acknowledge Resolve"},
		{notify.Reminder, acked, "Resolve"},
		{notify.SeverityRaised, acked, "Resolve"},
		{notify.Mitigated, mitigated, "Resolve"},
		{notify.Resolved, resolved, ""},
		{notify.Opened, resolved, ""},
	}
	for _, tc := range cases {
		var labels []string
		for _, a := range l.Actions(tc.inc, tc.kind) {
			labels = append(labels, a.Label)
			c, err := use(t, l, a.URL)
			if err != nil {
				t.Errorf("Actions(%s, %s) link %s does not verify: %v", tc.kind, tc.inc.Status, a.Label, err)
				continue
			}
			if !c.Expires.Equal(t0.Add(token.ActionTTL)) {
				t.Errorf("Actions(%s) %s expires %s; want in 24h", tc.kind, a.Label, c.Expires)
			}
		}
		if got := strings.Join(labels, " "); got != tc.want {
			t.Errorf("Actions(%s, %s) = %q; want %q", tc.kind, tc.inc.Status, got, tc.want)
		}
	}
}

func TestApprovalLinks(t *testing.T) {
	now := t0
	l := newLinks(t, &now)
	got := l.Approval(incident.Incident{ID: "FB-X-1", Status: incident.Open}, "FB-X-1-v1/approval")
	if len(got) != 2 || got[0].Label != "Approve" || got[1].Label != "Reject" {
		t.Fatalf("Approval() = %+v; want Approve and Reject", got)
	}
	for i, want := range []string{"approve:FB-X-1-v1/approval", "reject:FB-X-1-v1/approval"} {
		c, err := use(t, l, got[i].URL)
		if err != nil || c.Act != want || !c.Expires.Equal(t0.Add(token.ApprovalTTL)) {
			t.Errorf("Approval()[%d] = %+v, %v; want %q valid 5 days", i, c, err, want)
		}
	}
	now = t0.Add(token.ApprovalTTL)
	if _, err := use(t, l, got[0].URL); err == nil {
		t.Errorf("approval link after 5 days verified; want expired")
	}
}

func TestActionsWithoutKeys(t *testing.T) {
	l := &token.Links{Signer: &token.Signer{Keys: token.Static{}}, Base: "https://x.lambda-url.eu-west-1.on.aws"}
	if got := l.Actions(incident.Incident{ID: "FB-X-1", Status: incident.Open}, notify.Opened); len(got) != 0 {
		t.Errorf("Actions(no keys) = %+v; want none (the notice still goes)", got)
	}
}
