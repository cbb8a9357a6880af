package review

import (
	"context"
	"fmt"
	"time"

	"github.com/firebreak-ops/firebreak/internal/action"
)

// OutcomeStore answers the range queries Outcomes needs, each from the "list" index
// (store.Reviews and store.Actions): no scan, cost bounded by what falls in the range.
type OutcomeStore interface {
	ReviewsByDue(ctx context.Context, status Status, from, to time.Time) ([]Review, error)
	ActionsByDue(ctx context.Context, status action.Status, from, to time.Time) ([]action.Action, error)
}

// Outcomes is how the loop was closed for the reviews and actions due in a time range:
// for `firebreak report` (package problem) and the dashboard.
type Outcomes struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	// Actions due in the range.
	ActionsDoneOnTime int `json:"actions_done_on_time"`
	ActionsDoneLate   int `json:"actions_done_late"`
	ActionsWontDo     int `json:"actions_wont_do"`
	ActionsOverdue    int `json:"actions_overdue"` // still open after their due time
	ActionsOpen       int `json:"actions_open"`    // still open, not yet due
	// Reviews due in the range.
	ReviewsOnTime  int `json:"reviews_completed_on_time"`
	ReviewsLate    int `json:"reviews_completed_late"`
	ReviewsOverdue int `json:"reviews_overdue"` // still open after their due time
	ReviewsOpen    int `json:"reviews_open"`    // still open, not yet due
}

// CountOutcomes counts the outcomes of the reviews and actions due in [from, to] (zero
// to: up to now), as they stand at now.
func CountOutcomes(ctx context.Context, st OutcomeStore, from, to, now time.Time) (Outcomes, error) {
	if to.IsZero() {
		to = now
	}
	o := Outcomes{From: from, To: to}
	for _, status := range action.Statuses {
		list, err := st.ActionsByDue(ctx, status, from, to)
		if err != nil {
			return o, fmt.Errorf("count action outcomes: %w", err)
		}
		for _, a := range list {
			switch {
			case a.Status == action.WontDo:
				o.ActionsWontDo++
			case a.Late():
				o.ActionsDoneLate++
			case a.Status == action.Done:
				o.ActionsDoneOnTime++
			case a.Overdue(now):
				o.ActionsOverdue++
			default:
				o.ActionsOpen++
			}
		}
	}
	for _, status := range []Status{Open, Complete} {
		list, err := st.ReviewsByDue(ctx, status, from, to)
		if err != nil {
			return o, fmt.Errorf("count review outcomes: %w", err)
		}
		for _, r := range list {
			switch {
			case r.Status == Complete && r.Late(now):
				o.ReviewsLate++
			case r.Status == Complete:
				o.ReviewsOnTime++
			case r.Overdue(now):
				o.ReviewsOverdue++
			default:
				o.ReviewsOpen++
			}
		}
	}
	return o, nil
}
