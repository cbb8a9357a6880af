package dispatch

import (
	"context"
	"errors"
	"time"

	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/problem"
	"github.com/firebreak-ops/firebreak/internal/silence"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// Stores is what dispatch and the escalator's decisions of held openings need of the
// store (*store.Memory, *store.Dynamo).
type Stores interface {
	Store
	QuietStore
	HoldStore
}

var (
	_ Stores = (*store.Memory)(nil)
	_ Stores = (*store.Dynamo)(nil)
)

// CallsAgain is s with each call whose repeat cannot change what it did — a read, a
// timeline entry (written once by its key) — made again where it failed, when it failed
// retryably: up to AgainAttempts times, after a short wait (Again). An opening's
// dispatch, or a held opening's decision, makes about fifteen calls; without it, every
// call had to get through in one attempt, and each attempt began again with the reads:
// at 30 % failed requests and no SDK retries about one attempt in 200 got through
// (0.7¹⁵), and a stream of a day of 1,000 events moved less than one record a second. The calls whose
// repeat is not a no-op are not repeated here — a status change (Change), a hold
// (Hold, MoveHold), the claims (store.Once tries each of its writes itself): one of them
// failing fails the attempt, and the next reads again first.
func CallsAgain(s Stores) Stores { return callsAgain{s} }

type callsAgain struct{ Stores }

func (c callsAgain) Get(ctx context.Context, id string) (incident.Incident, error) {
	return Again(ctx, func() (incident.Incident, error) { return c.Stores.Get(ctx, id) })
}

func (c callsAgain) Timeline(ctx context.Context, id string) ([]incident.Entry, error) {
	return Again(ctx, func() ([]incident.Entry, error) { return c.Stores.Timeline(ctx, id) })
}

func (c callsAgain) List(ctx context.Context, f store.Filter) ([]incident.Incident, error) {
	return Again(ctx, func() ([]incident.Incident, error) { return c.Stores.List(ctx, f) })
}

func (c callsAgain) Silences(ctx context.Context) ([]silence.Silence, error) {
	return Again(ctx, func() ([]silence.Silence, error) { return c.Stores.Silences(ctx) })
}

func (c callsAgain) Held(ctx context.Context, id string) (bool, error) {
	return Again(ctx, func() (bool, error) { return c.Stores.Held(ctx, id) })
}

func (c callsAgain) AddEntries(ctx context.Context, entries ...incident.Entry) error {
	_, err := Again(ctx, func() (struct{}, error) { return struct{}{}, c.Stores.AddEntries(ctx, entries...) })
	return err
}

// AgainAttempts is how often Again makes a call: as often as store.Once tries each of
// its writes.
const AgainAttempts = store.OnceAttempts

// Again makes call as store.Again does, until it succeeds or fails for good (no such
// item, held by another attempt, a permanent failure, the context done). Only for calls
// whose repeat is a no-op.
func Again[T any](ctx context.Context, call func() (T, error)) (T, error) {
	return store.Again(ctx, retryable, call)
}

func retryable(err error) bool {
	return !errors.Is(err, store.ErrNotFound) && !errors.Is(err, store.ErrHeld) && !IsPermanent(err)
}

// trackerAgain is a problem tracker's store with its calls made again where they fail,
// as CallsAgain: each is a no-op repeated — Recur (an occurrence is recorded once, and
// the rule decides from the set of occurrences), a problem's creation (found created),
// its update (the same fields set), a link, the entries (keyed).
type trackerAgain struct{ TrackerStore }

func (t trackerAgain) Recur(ctx context.Context, fp string, apply func(*problem.Recurrence) bool) (problem.Recurrence, error) {
	return Again(ctx, func() (problem.Recurrence, error) { return t.TrackerStore.Recur(ctx, fp, apply) })
}

func (t trackerAgain) AddEntries(ctx context.Context, entries ...incident.Entry) error {
	_, err := Again(ctx, func() (struct{}, error) { return struct{}{}, t.TrackerStore.AddEntries(ctx, entries...) })
	return err
}

func (t trackerAgain) AddProblemEntries(ctx context.Context, entries ...problem.Entry) error {
	_, err := Again(ctx, func() (struct{}, error) { return struct{}{}, t.TrackerStore.AddProblemEntries(ctx, entries...) })
	return err
}

func (t trackerAgain) CreateProblem(ctx context.Context, p problem.Problem, opened problem.Entry) (problem.Problem, bool, error) {
	var created bool
	stored, err := Again(ctx, func() (problem.Problem, error) {
		s, c, err := t.TrackerStore.CreateProblem(ctx, p, opened)
		created = created || c
		return s, err
	})
	return stored, created, err
}

func (t trackerAgain) UpdateProblem(ctx context.Context, id string, apply func(*problem.Problem) error, entry problem.Entry) (problem.Problem, error) {
	return Again(ctx, func() (problem.Problem, error) { return t.TrackerStore.UpdateProblem(ctx, id, apply, entry) })
}

func (t trackerAgain) LinkIncident(ctx context.Context, id, incidentID string, at time.Time) (bool, error) {
	return Again(ctx, func() (bool, error) { return t.TrackerStore.LinkIncident(ctx, id, incidentID, at) })
}
