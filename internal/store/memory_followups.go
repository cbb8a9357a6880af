package store

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/firebreak-ops/firebreak/internal/action"
	"github.com/firebreak-ops/firebreak/internal/review"
)

// memFollowups holds reviews and actions in memory. What is due a reminder is kept in
// time order (the escalator's and the local clock's query, asked at every step); the
// list queries of the API and the report look at every review or action: the embedded
// store serves local runs and replays.
type memFollowups struct {
	reviews    map[string]review.Review
	actions    map[string]action.Action
	reviewsDue timeIndex
	actionsDue timeIndex
}

// timeIndex is a set of (time, id) in order.
type timeIndex []timeKey

type timeKey struct {
	at time.Time
	id string
}

func (x timeIndex) find(k timeKey) int {
	return sort.Search(len(x), func(i int) bool { return !byTime(x[i].at, x[i].id, k.at, k.id) })
}

// move takes id from old to now (a zero time: not in the index).
func (x *timeIndex) move(id string, old, now time.Time) {
	if !old.IsZero() {
		k := timeKey{old, id}
		if i := x.find(k); i < len(*x) && (*x)[i] == k {
			*x = append((*x)[:i], (*x)[i+1:]...)
		}
	}
	if !now.IsZero() {
		k := timeKey{now, id}
		i := x.find(k)
		*x = append(*x, timeKey{})
		copy((*x)[i+1:], (*x)[i:])
		(*x)[i] = k
	}
}

// upTo lists the ids at or before t, in order, at most limit (0: all).
func (x timeIndex) upTo(t time.Time, limit int) []string {
	var out []string
	for _, k := range x {
		if k.at.After(t) || (limit > 0 && len(out) == limit) {
			break
		}
		out = append(out, k.id)
	}
	return out
}

func (f *memFollowups) init() {
	if f.reviews == nil {
		f.reviews, f.actions = map[string]review.Review{}, map[string]action.Action{}
	}
}

func cloneReview(r review.Review) review.Review {
	r.Sections = copyMap(r.Sections)
	return r
}

// OpenReview stores a new review unless its incident has one; see Reviews.
func (m *Memory) OpenReview(_ context.Context, r review.Review) (review.Review, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.followups.init()
	if got, ok := m.followups.reviews[r.ID]; ok {
		return cloneReview(got), false, nil
	}
	r.Version = 1
	m.followups.reviews[r.ID] = cloneReview(r)
	m.followups.reviewsDue.move(r.ID, time.Time{}, r.NextRemind)
	return r, true, nil
}

// GetReview reads a review.
func (m *Memory) GetReview(_ context.Context, id string) (review.Review, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.followups.init()
	r, ok := m.followups.reviews[id]
	if !ok {
		return review.Review{}, fmt.Errorf("review %s: %w", id, ErrNotFound)
	}
	return cloneReview(r), nil
}

// UpdateReview replaces a review at r.Version; see Reviews.
func (m *Memory) UpdateReview(_ context.Context, r review.Review) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.followups.init()
	cur, ok := m.followups.reviews[r.ID]
	if !ok {
		return false, fmt.Errorf("update review %s: %w", r.ID, ErrNotFound)
	}
	if cur.Version != r.Version {
		return false, nil
	}
	r.Version++
	m.followups.reviews[r.ID] = cloneReview(r)
	m.followups.reviewsDue.move(r.ID, cur.NextRemind, r.NextRemind)
	return true, nil
}

// ReviewsDue are the reviews due a reminder at or before now, earliest first.
func (m *Memory) ReviewsDue(_ context.Context, now time.Time, limit int) ([]review.Review, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.followups.init()
	var out []review.Review
	for _, id := range m.followups.reviewsDue.upTo(now, limit) {
		out = append(out, cloneReview(m.followups.reviews[id]))
	}
	return out, nil
}

// ReviewsByDue are the reviews of a status due in [from, to], by due time.
func (m *Memory) ReviewsByDue(_ context.Context, status review.Status, from, to time.Time) ([]review.Review, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.followups.init()
	var out []review.Review
	for _, r := range m.followups.reviews {
		if r.Status == status && inRange(r.Due, from, to) {
			out = append(out, cloneReview(r))
		}
	}
	sort.Slice(out, func(i, j int) bool { return byTime(out[i].Due, out[i].ID, out[j].Due, out[j].ID) })
	return out, nil
}

// AddAction stores a new action unless its id exists; see Actions.
func (m *Memory) AddAction(_ context.Context, a action.Action) (action.Action, bool, error) {
	if _, err := action.LinkOf(a.ID); err != nil {
		return a, false, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.followups.init()
	if got, ok := m.followups.actions[a.ID]; ok {
		return got, false, nil
	}
	a.Version = 1
	m.followups.actions[a.ID] = a
	m.followups.actionsDue.move(a.ID, time.Time{}, a.NextRemind)
	return a, true, nil
}

// GetAction reads an action.
func (m *Memory) GetAction(_ context.Context, id string) (action.Action, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.followups.init()
	a, ok := m.followups.actions[id]
	if !ok {
		return action.Action{}, fmt.Errorf("action %s: %w", id, ErrNotFound)
	}
	return a, nil
}

// UpdateAction replaces an action at a.Version; see Actions.
func (m *Memory) UpdateAction(_ context.Context, a action.Action) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.followups.init()
	cur, ok := m.followups.actions[a.ID]
	if !ok {
		return false, fmt.Errorf("update action %s: %w", a.ID, ErrNotFound)
	}
	if cur.Version != a.Version {
		return false, nil
	}
	a.Version++
	m.followups.actions[a.ID] = a
	m.followups.actionsDue.move(a.ID, cur.NextRemind, a.NextRemind)
	return true, nil
}

// ActionsDue are the actions due a reminder at or before now, earliest first.
func (m *Memory) ActionsDue(_ context.Context, now time.Time, limit int) ([]action.Action, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.followups.init()
	var out []action.Action
	for _, id := range m.followups.actionsDue.upTo(now, limit) {
		out = append(out, m.followups.actions[id])
	}
	return out, nil
}

// ActionsByDue are the actions of a status due in [from, to], by due time.
func (m *Memory) ActionsByDue(_ context.Context, status action.Status, from, to time.Time) ([]action.Action, error) {
	return m.actionsWhere(func(a action.Action) bool { return a.Status == status && inRange(a.Due, from, to) },
		func(a action.Action) time.Time { return a.Due }, 0), nil
}

// ActionsByOwner are a team's actions of a status, by due time.
func (m *Memory) ActionsByOwner(_ context.Context, owner string, status action.Status) ([]action.Action, error) {
	return m.actionsWhere(func(a action.Action) bool { return a.Owner == owner && a.Status == status },
		func(a action.Action) time.Time { return a.Due }, 0), nil
}

// ActionsOf are the actions linked to an incident, its review, or a problem.
func (m *Memory) ActionsOf(_ context.Context, link string) ([]action.Action, error) {
	out := m.actionsWhere(func(a action.Action) bool { return a.Link == link }, nil, 0)
	sortActions(out)
	return out, nil
}

func (m *Memory) actionsWhere(keep func(action.Action) bool, at func(action.Action) time.Time, limit int) []action.Action {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.followups.init()
	var out []action.Action
	for _, a := range m.followups.actions {
		if keep(a) {
			out = append(out, a)
		}
	}
	if at != nil {
		sort.Slice(out, func(i, j int) bool { return byTime(at(out[i]), out[i].ID, at(out[j]), out[j].ID) })
	}
	return capped(out, limit)
}

// sortActions orders the actions of a link as DynamoDB does: by id.
func sortActions(out []action.Action) {
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
}

func byTime(a time.Time, aid string, b time.Time, bid string) bool {
	if !a.Equal(b) {
		return a.Before(b)
	}
	return aid < bid
}

func inRange(t, from, to time.Time) bool {
	return (from.IsZero() || !t.Before(from)) && (to.IsZero() || !t.After(to))
}

func capped[T any](out []T, limit int) []T {
	if limit > 0 && len(out) > limit {
		return out[:limit]
	}
	return out
}
