package pipeline

import (
	"context"
	"time"

	"github.com/firebreak-ops/firebreak/internal/action"
	"github.com/firebreak-ops/firebreak/internal/escalate"
	"github.com/firebreak-ops/firebreak/internal/review"
)

// Follow-ups in the local pipeline: resolving a significant incident opens its review
// (dispatch), the clocks remind the owners of reviews and actions (escalate.Followups),
// and people edit reviews and file actions through Reviews and Actions.
func (l *Local) wireFollowups() {
	now := l.Clock.Now
	l.Reviews = &review.Service{Store: l.Store, Config: l.Config, Now: now}
	l.Actions = &action.Service{Store: l.Store, Lister: l.Store, Timeline: l.Store, Schedule: review.Schedule(l.Config),
		Teams: l.Config.TeamNames, Now: now}
	l.Dispatcher.Reviews = l.Reviews
	l.Followups = &escalate.Followups{Store: l.Store, Sender: l.Escalator.Sender, Config: l.Config, Now: now, Log: l.Escalator.Log}
}

// nextDue is the earliest time at or before t that an incident, a review, an action or
// a heartbeat is due (ok false: nothing is).
func (l *Local) nextDue(ctx context.Context, t time.Time) (time.Time, bool, error) {
	var at time.Time
	consider := func(v time.Time) {
		if at.IsZero() || v.Before(at) {
			at = v
		}
	}
	if due, ok := l.Store.EarliestDue(); ok && !due.After(t) { // the due index's first key: no incident read
		consider(due)
	}
	revs, err := l.Store.ReviewsDue(ctx, t, 1)
	if err != nil {
		return at, false, err
	}
	if len(revs) > 0 {
		consider(revs[0].NextRemind)
	}
	acts, err := l.Store.ActionsDue(ctx, t, 1)
	if err != nil {
		return at, false, err
	}
	if len(acts) > 0 {
		consider(acts[0].NextRemind)
	}
	hbs, err := l.Store.HeartbeatsDue(ctx, t, 1) // heartbeats.go
	if err != nil {
		return at, false, err
	}
	if len(hbs) > 0 {
		consider(hbs[0].Check)
	}
	return at, !at.IsZero(), nil
}

// tickFollowups runs the follow-up clocks and adds up what they did.
func (l *Local) tickFollowups(ctx context.Context) error {
	rep, err := l.Followups.Tick(ctx)
	l.Followup.Reviews += rep.Reviews
	l.Followup.Actions += rep.Actions
	l.Followup.ReviewReminders += rep.ReviewReminders
	l.Followup.ActionReminders += rep.ActionReminders
	l.Followup.ReviewsOverdue += rep.ReviewsOverdue
	l.Followup.ActionsOverdue += rep.ActionsOverdue
	return err
}
