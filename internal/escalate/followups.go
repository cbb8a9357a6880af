package escalate

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/firebreak-ops/firebreak/internal/action"
	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/metrics"
	"github.com/firebreak-ops/firebreak/internal/notify"
	"github.com/firebreak-ops/firebreak/internal/review"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// FollowupStore is what the follow-up clocks need: the reviews and actions due a
// reminder (the due index), their updates, once-only claims and the timeline.
type FollowupStore interface {
	ReviewsDue(ctx context.Context, now time.Time, limit int) ([]review.Review, error)
	UpdateReview(ctx context.Context, r review.Review) (bool, error)
	ActionsDue(ctx context.Context, now time.Time, limit int) ([]action.Action, error)
	UpdateAction(ctx context.Context, a action.Action) (bool, error)
	Get(ctx context.Context, id string) (incident.Incident, error)
	AddEntries(ctx context.Context, entries ...incident.Entry) error
	store.Claims
}

var (
	_ FollowupStore = (*store.Memory)(nil)
	_ FollowupStore = (*store.Dynamo)(nil)
)

// Followups runs the clocks of post-incident reviews and tracked actions, like the
// incident clocks: it reads only what is due a reminder (the store's due index), tells
// the owner once per reminder (Claim) however often or late the schedule fires, and
// sets the next reminder. A reminder at the due time counts the review or action as
// overdue (metrics ReviewsOverdue, ActionsOverdue).
type Followups struct {
	Store   FollowupStore
	Sender  Sender
	Config  *config.Config
	Metrics *metrics.Writer
	Now     func() time.Time
	Log     *slog.Logger
	Lease   time.Duration // zero: store.Lease
	Batch   int           // per kind per tick (default 500)
}

// FollowupReport counts what a tick did.
type FollowupReport struct {
	Reviews         int `json:"reviews"` // due reviews looked at
	Actions         int `json:"actions"` // due actions looked at
	ReviewReminders int `json:"review_reminders"`
	ActionReminders int `json:"action_reminders"`
	ReviewsOverdue  int `json:"reviews_overdue"` // passed their due time this tick
	ActionsOverdue  int `json:"actions_overdue"`
}

// Tick reminds the owners of what is due now. Failures of one item do not stop the
// others; the item stays due and is tried again next tick.
func (f *Followups) Tick(ctx context.Context) (FollowupReport, error) {
	now := f.Now().UTC()
	batch := f.Batch
	if batch <= 0 {
		batch = 500
	}
	var rep FollowupReport
	var errs []error
	reviews, err := f.Store.ReviewsDue(ctx, now, batch)
	if err != nil {
		return rep, err
	}
	for _, r := range reviews {
		rep.Reviews++
		if err := f.review(ctx, r, now, &rep); failed(err) {
			errs = append(errs, fmt.Errorf("review %s: %w", r.ID, err))
		}
	}
	actions, err := f.Store.ActionsDue(ctx, now, batch)
	if err != nil {
		return rep, errors.Join(append(errs, err)...)
	}
	for _, a := range actions {
		rep.Actions++
		if err := f.action(ctx, a, now, &rep); failed(err) {
			errs = append(errs, fmt.Errorf("action %s: %w", a.ID, err))
		}
	}
	counts := map[string]int{}
	for name, n := range map[string]int{"ReviewReminders": rep.ReviewReminders, "ActionReminders": rep.ActionReminders,
		"ReviewsOverdue": rep.ReviewsOverdue, "ActionsOverdue": rep.ActionsOverdue} {
		if n > 0 {
			counts[name] = n
		}
	}
	if err := f.Metrics.Emit(now, nil, counts); err != nil {
		f.log().WarnContext(ctx, "metrics not written", "error", err)
	}
	return rep, errors.Join(errs...)
}

func (f *Followups) log() *slog.Logger {
	if f.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return f.Log
}

func (f *Followups) review(ctx context.Context, r review.Review, now time.Time, rep *FollowupReport) error {
	if r.Status != review.Open {
		r.NextRemind = time.Time{}
		_, err := f.Store.UpdateReview(ctx, r)
		return err
	}
	latest, next := review.Schedule(f.Config).Plan(r.Due, r.OpenedAt, now)
	if latest != nil {
		inc, err := f.Store.Get(ctx, r.ID)
		if err != nil {
			return err
		}
		msg := fmt.Sprintf("The post-incident review of %s is %s: firebreak incidents review %s.", r.ID, when(latest, r.Due), r.ID)
		entry := incident.Entry{Incident: r.ID, At: latest.At, Kind: incident.KindReviewReminded, Actor: "firebreak",
			Detail: fmt.Sprintf("Review %s: reminded %s.", when(latest, r.Due), r.Owner), Data: map[string]string{"stage": string(latest.Stage), "team": r.Owner}}
		sent, err := f.remind(ctx, r.ID, "review:"+latest.Key, r.Owner, notify.Notice{Kind: notify.FollowupDue, Incident: inc, Message: msg}, &entry)
		if err != nil {
			return err
		}
		if sent {
			rep.ReviewReminders++
			if latest.Stage == action.AtDue {
				rep.ReviewsOverdue++
			}
		}
	}
	r.NextRemind = next
	_, err := f.Store.UpdateReview(ctx, r) // stale when it was edited meanwhile: due again next tick
	return err
}

func (f *Followups) action(ctx context.Context, a action.Action, now time.Time, rep *FollowupReport) error {
	if a.Status != action.Open {
		a.NextRemind = time.Time{}
		_, err := f.Store.UpdateAction(ctx, a)
		return err
	}
	latest, next := review.Schedule(f.Config).Plan(a.Due, a.CreatedAt, now)
	if latest != nil {
		msg := fmt.Sprintf("Action %s is %s: %s (linked to %s %s). firebreak actions done %s when it is.",
			a.ID, when(latest, a.Due), a.Title, a.LinkKind, a.Link, a.ID)
		// What the notice is about: the incident it is linked to, or the action itself.
		about := incident.Incident{ID: a.ID, Title: a.Title, Team: a.Owner, Class: "action"}
		var entry *incident.Entry
		if a.LinkKind != action.LinkProblem {
			inc, err := f.Store.Get(ctx, a.Link)
			if err != nil {
				return err
			}
			about = inc
			entry = &incident.Entry{Incident: a.Link, At: latest.At, Kind: incident.KindActionReminded, Actor: "firebreak",
				Detail: fmt.Sprintf("Action %s %s: reminded %s.", a.ID, when(latest, a.Due), a.Owner),
				Data:   map[string]string{"action": a.ID, "stage": string(latest.Stage), "team": a.Owner}}
		}
		sent, err := f.remind(ctx, a.ID, "action:"+latest.Key, a.Owner, notify.Notice{Kind: notify.FollowupDue, Incident: about, Message: msg}, entry)
		if err != nil {
			return err
		}
		if sent {
			rep.ActionReminders++
			if latest.Stage == action.AtDue {
				rep.ActionsOverdue++
			}
		}
	}
	a.NextRemind = next
	_, err := f.Store.UpdateAction(ctx, a)
	return err
}

// remind tells team once per key (store.Once): sent, then recorded on the timeline
// (entry, when there is one). It reports whether this call sent it.
func (f *Followups) remind(ctx context.Context, id, key, team string, n notify.Notice, entry *incident.Entry) (bool, error) {
	if t := f.Config.Teams[team]; t != nil {
		n.TeamName = t.Name
	}
	return store.Once{Claims: f.Store, Lease: f.Lease}.Do(ctx, id, key, func(ctx context.Context) (string, error) {
		if _, err := f.Sender.Send(ctx, team, n); err != nil {
			return "", err
		}
		if entry != nil {
			entry.Key = key
			if err := store.Record(ctx, func() error { return f.Store.AddEntries(ctx, *entry) }); err != nil {
				return "", err
			}
		}
		f.log().InfoContext(ctx, "follow-up reminder", "id", id, "key", key, "team", team)
		return "sent", nil
	})
}

// when says where a reminder stands against the due time.
func when(r *action.Reminder, due time.Time) string {
	d := due.UTC().Format("2006-01-02 15:04 UTC")
	switch r.Stage {
	case action.Near:
		return "due " + d
	case action.AtDue:
		return "overdue: it was due " + d
	}
	return fmt.Sprintf("still overdue: it was due %s", d)
}
