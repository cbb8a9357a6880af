package review_test

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/action"
	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/review"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

var t0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

func at(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }

// record is a sev1 that was acknowledged late, mitigated by its runbook, resolved by
// the clock, with one action filed late and one won't do.
func record() review.Record {
	inc := incident.Incident{ID: "FB-ABCDEFGH-2", Seq: 2, Class: "ops.alarm.web", Title: "web-frontend 5xx | checkout", Severity: incident.Sev1,
		Team: "web", Impact: "Customers cannot check out.", Runbook: "web-restart", Status: incident.Resolved, Account: "123456789012",
		Region: "eu-west-1", Resource: "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:web-frontend-5xx", OpenedAt: at(0),
		ResolvedAt: at(100), Count: 3, Recoveries: 1, Events: 4}
	tl := []incident.Entry{
		{At: at(0), Kind: incident.KindOpened, Actor: "aws.cloudwatch", Detail: "Opened: web-frontend 5xx | checkout"},
		{At: at(0), Kind: "notified", Actor: "firebreak", Detail: "Told web of opened (sev1) by email and sms."},
		{At: at(0), Kind: "runbook-started", Actor: "firebreak", Detail: "Runbook web-restart started (execution FB-ABCDEFGH-2-v1)."},
		{At: at(1), Kind: "runbook-diagnose", Actor: "runbook:web-restart", Detail: "diagnose succeeded: 5xx from 3 targets",
			Data: map[string]string{"phase": "diagnose", "status": "succeeded"}},
		{At: at(2), Kind: "runbook-remediate", Actor: "runbook:web-restart", Detail: "remediate failed: restart timed out",
			Data: map[string]string{"phase": "remediate", "status": "failed", "runbook": "web-restart"}},
		{At: at(5), Kind: "objective-breached", Actor: "firebreak", Detail: "Missed the acknowledge objective for sev1: acknowledge within 5m."},
		{At: at(5), Kind: "escalated", Actor: "firebreak", Detail: "Not acknowledged after 5m: escalation tier 1; told web."},
		{At: at(35), Kind: "acknowledged", Actor: "arn:aws:iam::123456789012:user/sam", Detail: "Acknowledged by sam: on it"},
		{At: at(70), Kind: incident.KindMitigated, Actor: "aws.cloudwatch", Detail: "Recovered: the alarm is OK"},
		{At: at(100), Kind: "resolved", Actor: "firebreak", Detail: "Auto-resolved: quiet for 30m since it recovered."},
		{At: at(100), Kind: incident.KindReviewOpened, Actor: "firebreak", Detail: "Post-incident review opened: owner web, due 2026-11-07 10:40."},
	}
	r := review.Review{ID: inc.ID, Title: inc.Title, Class: inc.Class, Severity: inc.Severity, Owner: "web", Status: review.Open,
		OpenedAt: at(100), Due: at(100).Add(120 * time.Hour)}
	r, _ = r.Edit(review.SectionFactors, "The restart step had a 30s timeout; the service needs 90s to drain.")
	acts := []action.Action{
		{ID: action.ID(inc.ID, "Raise the restart timeout"), Title: "Raise the restart timeout", Owner: "web", Due: at(100).Add(48 * time.Hour),
			Status: action.Done, ClosedAt: at(100).Add(72 * time.Hour), LinkKind: action.LinkReview, Link: inc.ID},
		{ID: action.ID(inc.ID, "Page payments too"), Title: "Page payments too", Owner: "payments", Due: at(100).Add(24 * time.Hour),
			Status: action.WontDo, Reason: "payments is told by the checkout alarm already", LinkKind: action.LinkReview, Link: inc.ID},
	}
	policy := &config.SeverityPolicy{AcknowledgeWithin: config.Duration{Duration: 5 * time.Minute}, ResolveWithin: config.Duration{Duration: 4 * time.Hour}}
	return review.Record{Review: r, Incident: inc, Timeline: tl, Actions: acts, Policy: policy}
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/review -update to write it)", err)
	}
	if got != string(want) {
		t.Errorf("Markdown() differs from %s (go test ./internal/review -update rewrites it):\n%s", path, got)
	}
}

func TestMarkdownGolden(t *testing.T) {
	tests := []struct {
		name string
		edit func(*review.Record)
	}{
		{"sev1-runbook-failed.md", func(*review.Record) {}},
		{"sev2-no-runbook-nothing-written.md", func(r *review.Record) {
			r.Incident.Severity, r.Incident.Runbook, r.Incident.Impact, r.Review.Sections, r.Actions, r.Policy = incident.Sev2, "", "", nil, nil, nil
			var tl []incident.Entry
			for _, e := range r.Timeline {
				if !strings.HasPrefix(e.Kind, "runbook-") {
					tl = append(tl, e)
				}
			}
			r.Timeline = tl
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := record()
			tt.edit(&rec)
			golden(t, tt.name, review.Build(rec).Markdown())
		})
	}
}

func TestMeasureResponse(t *testing.T) {
	rec := record()
	r := review.MeasureResponse(rec.Incident, rec.Timeline, rec.Policy)
	tests := []struct {
		name     string
		m        review.Measure
		took     time.Duration
		breached bool
	}{
		{"acknowledge", r.Acknowledge, 35 * time.Minute, true},
		{"mitigate", r.Mitigate, 70 * time.Minute, false},
		{"resolve", r.Resolve, 100 * time.Minute, false},
	}
	for _, tt := range tests {
		if !tt.m.Reached || tt.m.Took != tt.took || tt.m.Breached != tt.breached {
			t.Errorf("%s = %+v; want took %v, breached %v", tt.name, tt.m, tt.took, tt.breached)
		}
	}
	if len(r.Breaches) != 1 {
		t.Errorf("Breaches = %d; want the 1 recorded", len(r.Breaches))
	}
}

func TestRunbookGap(t *testing.T) {
	rec := record()
	tests := []struct {
		name string
		inc  incident.Incident
		tl   []incident.Entry
		want string
	}{
		{"runbook failed", rec.Incident, rec.Timeline, "Fix runbook web-restart: it failed during FB-ABCDEFGH-2"},
		{"recurring, no runbook", incident.Incident{ID: "FB-X-3", Seq: 3, Class: "ops.disk"}, nil, "Write a runbook for ops.disk: it recurred (incident 3 of its fingerprint) with none"},
		{"first of its kind, no runbook", incident.Incident{ID: "FB-X-1", Seq: 1, Class: "ops.disk"}, nil, ""},
		{"runbook worked", incident.Incident{ID: "FB-X-2", Seq: 2, Runbook: "fix"}, []incident.Entry{{Kind: "runbook-verify", Data: map[string]string{"status": "succeeded"}}}, ""},
	}
	for _, tt := range tests {
		if got := review.RunbookGap(tt.inc, tt.tl); got != tt.want {
			t.Errorf("RunbookGap(%s) = %q; want %q", tt.name, got, tt.want)
		}
	}
}

func TestCompleteNeedsActionsOrSayingNone(t *testing.T) {
	r := review.Review{ID: "FB-X-1", Status: review.Open, Due: t0}
	tests := []struct {
		name      string
		filed     int
		noActions bool
		want      error
	}{
		{"no actions, not said", 0, false, review.ErrConflict},
		{"no actions, said", 0, true, nil},
		{"actions filed", 2, false, nil},
		{"actions filed but says none", 1, true, review.ErrInvalid},
	}
	for _, tt := range tests {
		got, err := r.Complete(tt.filed, tt.noActions, "sam", t0.Add(time.Hour))
		if !errors.Is(err, tt.want) || (tt.want == nil && (got.Status != review.Complete || !got.Late(t0))) {
			t.Errorf("Complete(%s) = %s, %v; want error %v", tt.name, got.Status, err, tt.want)
		}
	}
	done, _ := r.Complete(0, true, "sam", t0)
	if _, err := done.Edit(review.SectionLessons, "late"); !errors.Is(err, review.ErrConflict) {
		t.Errorf("Edit(complete review) error = %v; want ErrConflict", err)
	}
	if _, err := r.Edit("root-cause", "x"); !errors.Is(err, review.ErrInvalid) || !strings.Contains(err.Error(), "summary, contributing-factors, lessons") {
		t.Errorf("Edit(unknown section) error = %v; want ErrInvalid listing the sections", err)
	}
	if _, err := r.Edit(review.SectionLessons, strings.Repeat("x", review.MaxSection+1)); !errors.Is(err, review.ErrInvalid) {
		t.Errorf("Edit(too long) error = %v; want ErrInvalid", err)
	}
}
