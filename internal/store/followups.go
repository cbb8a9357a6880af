package store

import (
	"context"
	"time"

	"github.com/firebreak-ops/firebreak/internal/action"
	"github.com/firebreak-ops/firebreak/internal/review"
)

// Reviews keeps post-incident reviews, one per incident (id: the incident's id).
// Item: REV#<id> / R (dynamo_followups.go; docs/table.md).
type Reviews interface {
	// OpenReview stores a new review unless its incident has one; it returns the stored
	// review and whether this call created it (a retry finds the first one).
	OpenReview(ctx context.Context, r review.Review) (review.Review, bool, error)
	GetReview(ctx context.Context, id string) (review.Review, error)
	// UpdateReview replaces a review if it is still at r.Version (stored as r.Version+1);
	// false when another writer changed it first.
	UpdateReview(ctx context.Context, r review.Review) (bool, error)
	// ReviewsDue are the reviews whose owner is due a reminder at or before now, from
	// the "due" index, earliest first.
	ReviewsDue(ctx context.Context, now time.Time, limit int) ([]review.Review, error)
	// ReviewsByDue are the reviews of a status due in [from, to] (zero: unbounded), by
	// due time, from the "list" index: overdue reviews are the open ones due before now.
	ReviewsByDue(ctx context.Context, status review.Status, from, to time.Time) ([]review.Review, error)
}

// Actions keeps tracked actions. Item: ACT#<link> / A#<id>, so the actions of an
// incident, its review or a problem are one query.
type Actions interface {
	// AddAction stores a new action unless one with its id exists; it returns the stored
	// action and whether this call created it.
	AddAction(ctx context.Context, a action.Action) (action.Action, bool, error)
	GetAction(ctx context.Context, id string) (action.Action, error)
	// UpdateAction replaces an action if it is still at a.Version (stored as
	// a.Version+1); false when another writer changed it first.
	UpdateAction(ctx context.Context, a action.Action) (bool, error)
	// ActionsDue are the actions whose owner is due a reminder at or before now ("due" index).
	ActionsDue(ctx context.Context, now time.Time, limit int) ([]action.Action, error)
	// ActionsByDue are the actions of a status due in [from, to] (zero: unbounded), by
	// due time ("list" index): overdue actions are the open ones due before now.
	ActionsByDue(ctx context.Context, status action.Status, from, to time.Time) ([]action.Action, error)
	// ActionsByOwner are a team's actions of a status, by due time ("owner" index).
	ActionsByOwner(ctx context.Context, owner string, status action.Status) ([]action.Action, error)
	// ActionsOf are the actions linked to an incident, its review, or a problem, by id.
	ActionsOf(ctx context.Context, link string) ([]action.Action, error)
}

// Followups is what closes the loop after an incident: its review and tracked actions.
type Followups interface {
	Reviews
	Actions
}

var (
	_ Followups = (*Memory)(nil)
	_ Followups = (*Dynamo)(nil)
)

// upper is the upper bound of a key range ending at t (zero: no bound).
func upper(t time.Time) string {
	if t.IsZero() {
		return "\uffff"
	}
	return fmtTime(t) + "#\uffff"
}
