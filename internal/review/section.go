package review

import (
	"context"
	"fmt"
	"time"

	"github.com/firebreak-ops/firebreak/internal/action"
)

// SectionName is the name of the follow-ups section in a report (report.Report's
// sections): how the loop was closed over the report's period.
const SectionName = "follow_ups"

// FollowUps is the follow-ups section of a report: the outcomes of the reviews and
// actions due in the period (CountOutcomes), and every action overdue now, whenever it
// fell due.
type FollowUps struct {
	Outcomes
	// OverdueNow is how many actions are open past their due time at the report's end,
	// whenever they fell due (ActionsOverdue counts only those due in the period).
	OverdueNow int `json:"actions_overdue_now"`
}

// Section is the report.Contributor of the follow-ups section: `firebreak report` and
// GET /report count actions done on time, late, won't do, overdue and open, and reviews
// completed on time, late, overdue and open, through it. It satisfies report.Contributor
// without this package importing package report.
type Section struct {
	Store OutcomeStore
}

// Section counts the outcomes of the reviews and actions due in [since, until] as they
// stand at until, and the actions overdue at until. Each count is a range of the list
// index: the cost follows what falls in the period and what is overdue, never history.
func (s Section) Section(ctx context.Context, since, until time.Time) (string, any, error) {
	o, err := CountOutcomes(ctx, s.Store, since, until, until)
	if err != nil {
		return SectionName, nil, err
	}
	overdue, err := s.Store.ActionsByDue(ctx, action.Open, time.Time{}, until)
	if err != nil {
		return SectionName, nil, fmt.Errorf("count overdue actions: %w", err)
	}
	f := FollowUps{Outcomes: o}
	for _, a := range overdue {
		if a.Overdue(until) {
			f.OverdueNow++
		}
	}
	return SectionName, f, nil
}
