package review_test

import (
	"context"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/action"
	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/review"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// TestResolvedOpensOnceAtOrAboveTheSeverity: sev1 and sev2 resolutions open a review
// (default reviews.severity sev2), sev3 and info do not; a redelivered resolution and a
// later one (re-opened, resolved again) keep the first review; a failed runbook files
// one runbook-gap action.
func TestResolvedOpensOnceAtOrAboveTheSeverity(t *testing.T) {
	ctx := context.Background()
	st := store.NewMemory(func() time.Time { return t0 })
	svc := &review.Service{Store: st, Config: &config.Config{}, Now: func() time.Time { return t0 }}
	tests := []struct {
		sev  incident.Severity
		want bool
	}{{incident.Sev1, true}, {incident.Sev2, true}, {incident.Sev3, false}, {incident.Info, false}}
	for _, tt := range tests {
		inc := incident.Incident{ID: "FB-" + string(tt.sev) + "-2", Seq: 2, Fingerprint: string(tt.sev), Class: "ops.alarm", Severity: tt.sev,
			Team: "platform", Runbook: "fix", Status: incident.Resolved, OpenedAt: t0, StateAt: at(30), ResolvedAt: at(30)}
		if _, _, err := st.Open(ctx, inc, incident.Entry{Incident: inc.ID, At: t0, Kind: incident.KindOpened, Key: "opened"}); err != nil {
			t.Fatal(err)
		}
		if err := st.AddEntries(ctx, incident.Entry{Incident: inc.ID, At: at(5), Kind: "runbook-failed", Key: "rb", Data: map[string]string{"runbook": "fix"}}); err != nil {
			t.Fatal(err)
		}
		for _, resolved := range []time.Time{at(30), at(30), at(90)} { // redelivered, then resolved again later
			if _, _, err := svc.Resolved(ctx, inc, resolved); err != nil {
				t.Fatalf("Resolved(%s) = %v", tt.sev, err)
			}
		}
		r, err := st.GetReview(ctx, inc.ID)
		if got := err == nil; got != tt.want {
			t.Errorf("review of a resolved %s: %v (%v); want %v", tt.sev, got, err, tt.want)
			continue
		}
		if !tt.want {
			continue
		}
		if !r.OpenedAt.Equal(at(30)) || !r.Due.Equal(at(30).Add(120*time.Hour)) || r.Version != 1 || r.Owner != "platform" {
			t.Errorf("review of %s = opened %v due %v v%d owner %s; want the first resolution's, due 120h later, v1, platform", tt.sev, r.OpenedAt, r.Due, r.Version, r.Owner)
		}
		acts, err := st.ActionsOf(ctx, inc.ID)
		if err != nil || len(acts) != 1 || acts[0].Source != action.SourceRunbookGap || acts[0].Status != action.Open {
			t.Errorf("actions of %s = %+v, %v; want one open runbook-gap action", inc.ID, acts, err)
		}
		tl, _ := st.Timeline(ctx, inc.ID)
		n := 0
		for _, e := range tl {
			if e.Kind == incident.KindReviewOpened || e.Kind == incident.KindActionFiled {
				n++
			}
		}
		if n != 2 {
			t.Errorf("timeline of %s has %d review-opened/action-filed entries; want 2 (once each)", inc.ID, n)
		}
	}
}
