package status_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/lifecycle"
	"github.com/firebreak-ops/firebreak/internal/status"
	"github.com/firebreak-ops/firebreak/internal/store"
)

var t0 = time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)

// seeded is a store holding a realistic mix: a sev1 with a commander, a runbook at work,
// an update and a grouped child; a sev3 in another account; one incident resolved an
// hour ago and one resolved three days ago.
func seeded(t testing.TB) *store.Memory {
	t.Helper()
	now := t0.Add(-4 * time.Hour)
	clock := func() time.Time { return now }
	st := store.NewMemory(clock)
	ctx := context.Background()
	open := func(inc incident.Incident) {
		t.Helper()
		inc.Seq, inc.Fingerprint, inc.StateAt = 1, "fp-"+inc.ID, inc.OpenedAt
		if inc.Status == "" {
			inc.Status = incident.Open
		}
		if _, _, err := st.Open(ctx, inc, incident.Entry{Incident: inc.ID, At: inc.OpenedAt, Kind: incident.KindOpened, Actor: "aws.cloudwatch",
			Detail: "Opened by alarm", Key: "opened"}); err != nil {
			t.Fatal(err)
		}
	}
	open(incident.Incident{ID: "FB-DB-1", Title: "orders-db CPU > 95% <b>hot</b>", Severity: incident.Sev1, Team: "platform",
		Impact: "Checkout fails for EU customers", Runbook: "rds-failover", Account: "111111111111", Region: "eu-west-1",
		Resource: "orders-db", Class: "ops.alarm-prod", OpenedAt: t0.Add(-2*time.Hour - 5*time.Minute)})
	open(incident.Incident{ID: "FB-API-1", Title: "api 5xx rate", Severity: incident.Sev2, Team: "platform", Account: "111111111111",
		Region: "eu-west-1", Parent: "FB-DB-1", ParentReason: "grouped", OpenedAt: t0.Add(-2 * time.Hour)})
	open(incident.Incident{ID: "FB-S3-1", Title: "bucket made public", Severity: incident.Sev3, Team: "security", Account: "222222222222",
		Region: "us-east-1", OpenedAt: t0.Add(-30 * time.Minute)})
	open(incident.Incident{ID: "FB-OLD-1", Title: "disk full last week", Severity: incident.Sev2, Team: "platform", Account: "111111111111",
		Region: "eu-west-1", OpenedAt: t0.Add(-80 * time.Hour)})
	open(incident.Incident{ID: "FB-FIX-1", Title: "queue backlog", Severity: incident.Sev3, Team: "platform", Account: "111111111111",
		Region: "eu-west-1", OpenedAt: t0.Add(-3 * time.Hour)})
	if err := st.AddEntries(ctx,
		incident.Entry{Incident: "FB-DB-1", At: t0.Add(-2 * time.Hour), Kind: incident.KindRunbookStarted, Actor: "firebreak", Detail: "Runbook rds-failover started", Key: "rb1"},
		incident.Entry{Incident: "FB-DB-1", At: t0.Add(-119 * time.Minute), Kind: incident.KindRunbookTriage, Actor: "runbook:rds-failover", Detail: "triage succeeded: replica healthy", Key: "rb2"},
		incident.Entry{Incident: "FB-DB-1", At: t0.Add(-118 * time.Minute), Kind: incident.KindRunbookCall, Actor: "runbook:rds-failover", Detail: "rds:FailoverDBCluster", Key: "rb3"},
		incident.Entry{Incident: "FB-DB-1", At: t0.Add(-100 * time.Minute), Kind: incident.KindRoleSet, Actor: "alice", Detail: "Commander: Dana Q",
			Key: "r1", Data: map[string]string{incident.DataRole: incident.RoleCommander, incident.DataName: "Dana Q"}},
		incident.Entry{Incident: "FB-DB-1", At: t0.Add(-20 * time.Minute), Kind: incident.KindNote, Actor: "dana", Detail: "Failover done; watching latency", Key: "n1"},
		incident.Entry{Incident: "FB-DB-1", At: t0.Add(-10 * time.Minute), Kind: incident.KindUpdatePosted, Actor: "lee", Detail: "Update to stakeholders: checkout recovering",
			Key: "u1", Data: map[string]string{incident.DataAudience: "stakeholders", incident.DataETA: "2026-11-02T13:30:00Z"}},
	); err != nil {
		t.Fatal(err)
	}
	svc := &lifecycle.Service{Store: st, Now: clock}
	now = t0.Add(-72 * time.Hour)
	if _, err := svc.Transition(ctx, lifecycle.Request{Incident: "FB-OLD-1", By: "bob", Key: "k"}, incident.Resolved, ""); err != nil {
		t.Fatal(err)
	}
	now = t0.Add(-time.Hour)
	if _, err := svc.Transition(ctx, lifecycle.Request{Incident: "FB-FIX-1", By: "bob", Key: "k"}, incident.Resolved, "drained"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Transition(ctx, lifecycle.Request{Incident: "FB-S3-1", By: "carol", Key: "k"}, incident.Acknowledged, ""); err != nil {
		t.Fatal(err)
	}
	return st
}

func newPage(t testing.TB) *status.Page {
	return &status.Page{Store: seeded(t), Now: func() time.Time { return t0 }}
}

// section returns the part of body from the heading containing from up to the next
// heading containing to ("" for the end).
func section(body, from, to string) string {
	i := strings.Index(body, from)
	if i < 0 {
		return ""
	}
	s := body[i:]
	if to != "" {
		if j := strings.Index(s, to); j >= 0 {
			s = s[:j]
		}
	}
	return s
}

func TestBoard(t *testing.T) {
	p := newPage(t)
	r := p.Render(context.Background(), status.Request{})
	if r.Status != http.StatusOK {
		t.Fatalf("Render(board) status = %d; want 200\n%s", r.Status, r.Body)
	}
	body := string(r.Body)
	active := section(body, "Active incidents", "Recently resolved")
	resolved := section(body, "Recently resolved", "")
	tests := []struct {
		name, in, want string
	}{
		{"active count", active, "Active incidents <span class=\"n\">(3)"},
		{"sev1 group before sev3", active, "sev1 · critical <span class=\"n\">(2)"},
		{"title escaped", active, "orders-db CPU &gt; 95% &lt;b&gt;hot&lt;/b&gt;"},
		{"impact", active, "Impact: Checkout fails for EU customers"},
		{"owner and commander", active, "Owner: platform · Commander: Dana Q"},
		{"time open", active, "Open for 2h 05m (since 2026-11-02 09:55 UTC)"},
		{"automation phase, not the recorded call", active, "Automation: rds-failover — triage: triage succeeded: replica healthy"},
		{"last update", active, "Last update 2026-11-02 11:50 UTC: Update to stakeholders: checkout recovering"},
		{"estimated resolution", active, "Estimated resolution: 2026-11-02 13:30 UTC (in 1h 30m)"},
		{"acknowledged sev3", active, `<span class="badge b-acknowledged">acknowledged</span>FB-S3-1`},
		{"incident link", active, `href="incidents/FB-DB-1"`},
		{"account filter links", body, `href="./?account=222222222222"`},
		{"refresh", body, `<meta http-equiv="refresh" content="60">`},
		{"resolved recently", resolved, "Resolved 2026-11-02 11:00 UTC after 2h 00m"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(tt.in, tt.want) {
				t.Errorf("board does not contain %q:\n%s", tt.want, tt.in)
			}
		})
	}
	// The child sits inside its parent's card, in the sev1 group, not in a sev2 group.
	parent := section(active, `id="FB-DB-1"`, "</section>")
	if !strings.Contains(parent, `class="children"`) || !strings.Contains(parent, `id="FB-API-1"`) {
		t.Errorf("FB-API-1 is not shown under its parent FB-DB-1:\n%s", parent)
	}
	if strings.Contains(active, "sev2 · high") {
		t.Errorf("the grouped sev2 child got a group of its own:\n%s", active)
	}
	for _, gone := range []string{"FB-OLD-1", "FB-FIX-1"} {
		if strings.Contains(active, gone) {
			t.Errorf("resolved %s is among the active incidents", gone)
		}
	}
	if strings.Contains(resolved, "FB-OLD-1") {
		t.Errorf("FB-OLD-1, resolved 3 days ago, is among the recently resolved")
	}
	if strings.Index(active, "sev1 · critical") > strings.Index(active, "sev3 · medium") {
		t.Errorf("sev3 is listed before sev1")
	}
}

func TestStyleMatchesCSP(t *testing.T) {
	body := string(newPage(t).Render(context.Background(), status.Request{}).Body)
	m := regexp.MustCompile(`<style>(.*?)</style>`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("page has no <style>")
	}
	sum := sha256.Sum256([]byte(m[1]))
	want := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
	if !strings.Contains(status.CSP, want) {
		t.Errorf("CSP = %q; want it to admit the page's style %s", status.CSP, want)
	}
	for _, bad := range []string{"<script", "http://", "https://", "<img", "<link"} {
		if strings.Contains(strings.ToLower(body), bad) {
			t.Errorf("page contains %q: it must load nothing and run nothing", bad)
		}
	}
	if h := status.Headers(); h["Referrer-Policy"] != "no-referrer" || h["X-Frame-Options"] != "DENY" {
		t.Errorf("Headers() = %v; want no-referrer and DENY", h)
	}
}

func TestAccountFilterAndScope(t *testing.T) {
	p := newPage(t)
	ctx := context.Background()
	tests := []struct {
		name       string
		req        status.Request
		wantStatus int
		want, not  []string
	}{
		{"filter", status.Request{Account: "222222222222"}, 200, []string{"FB-S3-1", "Account 222222222222 only."}, []string{"FB-DB-1", "FB-FIX-1"}},
		{"scope", status.Request{Scope: "111111111111"}, 200, []string{"FB-DB-1", "FB-FIX-1"}, []string{"FB-S3-1", "?account="}},
		{"scope refuses another account", status.Request{Scope: "111111111111", Account: "222222222222"}, 400,
			[]string{"this link shows account 111111111111 only"}, []string{"FB-S3-1"}},
		{"bad account", status.Request{Account: "<x>"}, 400, []string{"account &#34;&lt;x&gt;&#34;: want 1 to 64 letters"}, nil},
		{"scoped incident of another account", status.Request{Scope: "111111111111", Path: "incidents/FB-S3-1"}, 404,
			[]string{"No such incident"}, []string{"bucket made public"}},
		{"unknown incident", status.Request{Path: "incidents/FB-NOPE-1"}, 404, []string{"No such incident"}, nil},
		{"unknown page", status.Request{Path: "admin"}, 404, []string{"No such incident or page."}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := p.Render(ctx, tt.req)
			body := string(r.Body)
			if r.Status != tt.wantStatus {
				t.Errorf("Render(%+v) status = %d; want %d", tt.req, r.Status, tt.wantStatus)
			}
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("Render(%+v) lacks %q:\n%s", tt.req, w, body)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(body, n) {
					t.Errorf("Render(%+v) contains %q", tt.req, n)
				}
			}
		})
	}
}

func TestIncidentPage(t *testing.T) {
	r := newPage(t).Render(context.Background(), status.Request{Path: "/incidents/FB-API-1"})
	body := string(r.Body)
	if r.Status != 200 {
		t.Fatalf("Render(incident) status = %d; want 200:\n%s", r.Status, body)
	}
	for _, want := range []string{`<a href="../">← all incidents</a>`, `<dt>Grouped under</dt><dd><a href="../incidents/FB-DB-1">FB-DB-1</a> (grouped)`,
		"Opened by alarm", `<span class="k">opened</span>`} {
		if !strings.Contains(body, want) {
			t.Errorf("incident page lacks %q:\n%s", want, body)
		}
	}
	r = newPage(t).Render(context.Background(), status.Request{Path: "incidents/FB-DB-1"})
	body = string(r.Body)
	tl := section(body, "<h2>Timeline", "</ol>")
	order := []string{"Opened by alarm", "Runbook rds-failover started", "triage succeeded", "rds:FailoverDBCluster", "Commander: Dana Q", "Failover done",
		"checkout recovering"}
	last := -1
	for _, s := range order {
		i := strings.Index(tl, s)
		if i < 0 || i < last {
			t.Errorf("timeline: %q missing or out of order:\n%s", s, tl)
		}
		last = i
	}
	if !strings.Contains(body, "<dt>Commander</dt><dd>Dana Q</dd>") {
		t.Errorf("incident page does not name the commander:\n%s", body)
	}
}

func TestDuration(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{-time.Second, "0s"}, {42 * time.Second, "42s"}, {12*time.Minute + 5*time.Second, "12m"},
		{3*time.Hour + 5*time.Minute, "3h 05m"}, {52 * time.Hour, "2d 4h"},
	}
	for _, tt := range tests {
		if got := status.Duration(tt.d); got != tt.want {
			t.Errorf("Duration(%v) = %q; want %q", tt.d, got, tt.want)
		}
	}
}

func TestAudienceView(t *testing.T) {
	p := newPage(t)
	ctx := context.Background()
	tests := []struct {
		name      string
		req       status.Request
		want, not []string
	}{
		{"stakeholders' board", status.Request{Audience: "stakeholders"},
			[]string{"· for stakeholders</title>", "Last update 2026-11-02 11:50 UTC: Update to stakeholders: checkout recovering", "Estimated resolution: 2026-11-02 13:30 UTC"},
			[]string{"rds-failover", "Failover done", "Automation:", "Acknowledged by carol"}},
		{"executives' board: nothing was published to them", status.Request{Audience: "executives"},
			[]string{"orders-db CPU"}, []string{"checkout recovering", "Estimated resolution", "Last update"}},
		{"stakeholders' incident page", status.Request{Audience: "stakeholders", Path: "incidents/FB-DB-1"},
			[]string{`<span class="k">update</span>`, "checkout recovering", `<span class="k">opened</span>`},
			[]string{"rds:FailoverDBCluster", "Opened by alarm", "aws.cloudwatch", "dana", "Failover done", "triage"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := p.Render(ctx, tt.req)
			body := string(r.Body)
			if r.Status != 200 {
				t.Fatalf("Render(%+v) status = %d; want 200", tt.req, r.Status)
			}
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("Render(%+v) lacks %q:\n%s", tt.req, w, body)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(body, n) {
					t.Errorf("Render(%+v) shows %q, which was not published to the audience", tt.req, n)
				}
			}
		})
	}
}
