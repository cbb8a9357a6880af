package review_test

import (
	"context"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/action"
	"github.com/firebreak-ops/firebreak/internal/report"
	"github.com/firebreak-ops/firebreak/internal/review"
	"github.com/firebreak-ops/firebreak/internal/store"
)

var _ report.Contributor = review.Section{}

// TestSection: the follow-ups section counts the actions and reviews due in the period
// by outcome as they stand at its end, and every action overdue at its end whenever it
// fell due; actions and reviews due outside the period are not counted by outcome.
func TestSection(t *testing.T) {
	ctx := context.Background()
	st := store.NewMemory(func() time.Time { return t0 })
	day := 24 * time.Hour
	since, until := t0, t0.Add(7*day)
	actions := []struct {
		title  string
		due    time.Duration // after t0
		status action.Status
		closed time.Duration // after t0
	}{
		{"done on time", 2 * day, action.Done, day},
		{"done late", 2 * day, action.Done, 3 * day},
		{"wont do", 3 * day, action.WontDo, 4 * day},
		{"overdue", 4 * day, action.Open, 0},
		{"open, due after the period", 9 * day, action.Open, 0},
		{"overdue since before the period", -2 * day, action.Open, 0},
		{"done before the period", -3 * day, action.Done, -4 * day},
	}
	for _, a := range actions {
		act := action.Action{ID: action.ID("FB-X-1", a.title), Title: a.title, Owner: "platform", Due: t0.Add(a.due), Status: a.status,
			LinkKind: action.LinkIncident, Link: "FB-X-1", CreatedAt: t0.Add(-5 * day), CreatedBy: "sam"}
		if a.status != action.Open {
			act.ClosedAt, act.ClosedBy = t0.Add(a.closed), "sam"
			if a.status == action.WontDo {
				act.Reason = "not worth it"
			}
		}
		if _, _, err := st.AddAction(ctx, act); err != nil {
			t.Fatal(err)
		}
	}
	reviews := []struct {
		id        string
		due       time.Duration
		completed time.Duration // 0: open
	}{
		{"FB-R-1", day, day / 2},
		{"FB-R-2", day, 2 * day},
		{"FB-R-3", 2 * day, 0},
		{"FB-R-4", 8 * day, 0},
	}
	for _, r := range reviews {
		rv := review.Review{ID: r.id, Title: r.id, Owner: "platform", Status: review.Open, Due: t0.Add(r.due)}
		if r.completed != 0 {
			rv.Status, rv.CompletedAt, rv.CompletedBy = review.Complete, t0.Add(r.completed), "sam"
		}
		if _, _, err := st.OpenReview(ctx, rv); err != nil {
			t.Fatal(err)
		}
	}
	name, v, err := review.Section{Store: st}.Section(ctx, since, until)
	if err != nil {
		t.Fatalf("Section() = %v", err)
	}
	got, ok := v.(review.FollowUps)
	if name != review.SectionName || !ok {
		t.Fatalf("Section() = %q, %T; want %q, review.FollowUps", name, v, review.SectionName)
	}
	want := review.FollowUps{Outcomes: review.Outcomes{From: since, To: until,
		ActionsDoneOnTime: 1, ActionsDoneLate: 1, ActionsWontDo: 1, ActionsOverdue: 1, ActionsOpen: 0,
		ReviewsOnTime: 1, ReviewsLate: 1, ReviewsOverdue: 1, ReviewsOpen: 0}, OverdueNow: 2}
	if got != want {
		t.Errorf("Section() = %+v; want %+v", got, want)
	}
}
