package action

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/firebreak-ops/firebreak/internal/incident"
)

// Store keeps actions (store.Actions).
type Store interface {
	AddAction(ctx context.Context, a Action) (Action, bool, error)
	GetAction(ctx context.Context, id string) (Action, error)
	UpdateAction(ctx context.Context, a Action) (bool, error)
}

// Lister answers the list queries, each from an index (store.Actions).
type Lister interface {
	ActionsByDue(ctx context.Context, status Status, from, to time.Time) ([]Action, error)
	ActionsByOwner(ctx context.Context, owner string, status Status) ([]Action, error)
	ActionsOf(ctx context.Context, link string) ([]Action, error)
}

// Timeline records what happens to an incident's actions on the incident's timeline,
// and tells whether an incident exists.
type Timeline interface {
	Get(ctx context.Context, id string) (incident.Incident, error)
	AddEntries(ctx context.Context, entries ...incident.Entry) error
}

// Service files, closes and lists actions.
type Service struct {
	Store    Store
	Lister   Lister
	Timeline Timeline
	Schedule Schedule
	// Teams is every configured team: an owner must be one (nil: any).
	Teams []string
	Now   func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC()
	}
	return s.Now().UTC()
}

// Add files an action. Its id follows from its link and title, so filing it again
// returns the stored one (created false). An action linked to an incident or its
// review needs the incident to exist and is recorded on its timeline.
func (s *Service) Add(ctx context.Context, a Action, by string) (Action, bool, error) {
	if by == "" {
		return a, false, fmt.Errorf("%w: who is filing it is unknown", ErrInvalid)
	}
	a.Title = strings.Join(strings.Fields(a.Title), " ")
	if err := a.Validate(); err != nil {
		return a, false, err
	}
	if s.Teams != nil && !contains(s.Teams, a.Owner) {
		return a, false, fmt.Errorf("%w: owner: team %q is not configured (teams: %s)", ErrInvalid, a.Owner, strings.Join(s.Teams, ", "))
	}
	now := s.now()
	a.ID, a.Status, a.CreatedAt, a.CreatedBy, a.Due = ID(a.Link, a.Title), Open, now, by, a.Due.UTC()
	a.Reason, a.ClosedAt, a.ClosedBy, a.Version = "", time.Time{}, "", 0
	_, a.NextRemind = s.Schedule.Plan(a.Due, now, now)
	onIncident := a.LinkKind != LinkProblem
	if onIncident && s.Timeline != nil {
		if _, err := s.Timeline.Get(ctx, a.Link); err != nil {
			return a, false, fmt.Errorf("action linked to %s %s: %w", a.LinkKind, a.Link, err)
		}
	}
	got, created, err := s.Store.AddAction(ctx, a)
	if err != nil {
		return got, created, err
	}
	if onIncident && s.Timeline != nil {
		// Filing it again writes its entry again, made from the stored action and keyed:
		// the same entry, and the one a failure after the action's write lost.
		err = s.Timeline.AddEntries(ctx, filedEntry(got))
	}
	return got, created, err
}

// filedEntry is the timeline entry of a's filing.
func filedEntry(a Action) incident.Entry {
	return incident.Entry{Incident: a.Link, At: a.CreatedAt, Kind: incident.KindActionFiled, Actor: a.CreatedBy, Key: "action:" + a.ID,
		Detail: fmt.Sprintf("Action %s filed for %s, due %s: %s.", a.ID, a.Owner, a.Due.Format("2006-01-02 15:04"), a.Title),
		Data:   map[string]string{"action": a.ID, "owner": a.Owner}}
}

// closedEntry is the timeline entry of a's closing.
func closedEntry(a Action) incident.Entry {
	kind, detail := incident.KindActionDone, fmt.Sprintf("Action %s done by %s", a.ID, a.ClosedBy)
	if a.Status == WontDo {
		kind, detail = incident.KindActionWontDo, fmt.Sprintf("Action %s closed as won't do by %s: %s", a.ID, a.ClosedBy, a.Reason)
	}
	if a.Late() {
		detail += fmt.Sprintf(" (late: due %s)", a.Due.Format("2006-01-02 15:04"))
	}
	return incident.Entry{Incident: a.Link, At: a.ClosedAt, Kind: kind, Actor: a.ClosedBy, Key: "action-closed:" + a.ID,
		Detail: detail + ".", Data: map[string]string{"action": a.ID, "late": fmt.Sprint(a.Late())}}
}

// Close closes an action as done or won't do (with a reason). Closing it again the
// same way is a no-op (a retried request); otherwise a closed action is a conflict.
func (s *Service) Close(ctx context.Context, id string, to Status, reason, by string) (Action, error) {
	if by == "" {
		return Action{}, fmt.Errorf("%w: who is closing it is unknown", ErrInvalid)
	}
	for range 5 {
		cur, err := s.Store.GetAction(ctx, id)
		if err != nil {
			return Action{}, err
		}
		if cur.Status == to && cur.ClosedBy == by && cur.Reason == strings.TrimSpace(reason) {
			// The same close again (a retried request): its entry again, which a failure
			// after the action's write lost.
			if cur.LinkKind != LinkProblem && s.Timeline != nil {
				err = s.Timeline.AddEntries(ctx, closedEntry(cur))
			}
			return cur, err
		}
		at := s.now()
		next, err := cur.Close(to, reason, by, at)
		if err != nil {
			return cur, err
		}
		ok, err := s.Store.UpdateAction(ctx, next)
		if err != nil {
			return Action{}, err
		}
		if !ok {
			continue
		}
		next.Version++
		if next.LinkKind != LinkProblem && s.Timeline != nil {
			err = s.Timeline.AddEntries(ctx, closedEntry(next))
		}
		return next, err
	}
	return Action{}, fmt.Errorf("%w: action %s keeps changing under this request; try again", ErrConflict, id)
}

// Query selects actions for List.
type Query struct {
	Owner   string // a team ("": every team)
	Link    string // an incident, review or problem id ("": any)
	Status  Status // "": open
	Overdue bool   // only open actions past their due time
}

// List answers a query from the index that fits it: a link's partition, an owner's
// range of the owner index, or the status range of the list index.
func (s *Service) List(ctx context.Context, q Query) ([]Action, error) {
	if q.Status == "" {
		q.Status = Open
	}
	if _, err := ParseStatus(string(q.Status)); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if q.Overdue && q.Status != Open {
		return nil, fmt.Errorf("%w: overdue actions are open ones; status %s does not go with it", ErrInvalid, q.Status)
	}
	now := s.now()
	var (
		out []Action
		err error
	)
	switch {
	case q.Link != "":
		out, err = s.Lister.ActionsOf(ctx, q.Link)
	case q.Owner != "":
		out, err = s.Lister.ActionsByOwner(ctx, q.Owner, q.Status)
	case q.Overdue:
		return s.Lister.ActionsByDue(ctx, Open, time.Time{}, now)
	default:
		out, err = s.Lister.ActionsByDue(ctx, q.Status, time.Time{}, time.Time{})
	}
	if err != nil {
		return nil, err
	}
	kept := out[:0]
	for _, a := range out {
		if a.Status == q.Status && (q.Owner == "" || a.Owner == q.Owner) && (!q.Overdue || a.Overdue(now)) {
			kept = append(kept, a)
		}
	}
	sort.SliceStable(kept, func(i, j int) bool { return kept[i].Due.Before(kept[j].Due) })
	return kept, nil
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
