package escalate

import (
	"context"
	"errors"

	"github.com/firebreak-ops/firebreak/internal/dispatch"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/silence"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// decisionStore is what a held opening's decision needs of the store (*store.Memory,
// *store.Dynamo).
type decisionStore interface {
	dispatch.Store
	dispatch.QuietStore
	dispatch.HoldStore
}

var (
	_ decisionStore = (*store.Memory)(nil)
	_ decisionStore = (*store.Dynamo)(nil)
)

// callsAgain is the store a held opening's decision goes through: a call whose repeat
// cannot change what it did — a read, a timeline entry (written once by its key), the
// hold's release — and that fails retryably is made again at once, up to heldAttempts
// times, where the decision is. Without it a decision (about ten calls) had to get
// every call through in one attempt, and each attempt began again with the reads: at
// 30 % failed requests and no SDK retries one attempt in 35 got through (0.7¹⁰), and the
// day of 1,000 events did not settle in 36 minutes. The calls whose repeat is not a
// no-op are not repeated here: a status change (Change) and the claims (store.Once
// tries each of its writes itself); one of them failing fails the attempt, and the next
// attempt reads again first, as before.
type callsAgain struct{ decisionStore }

func (c callsAgain) Get(ctx context.Context, id string) (incident.Incident, error) {
	return again(ctx, func() (incident.Incident, error) { return c.decisionStore.Get(ctx, id) })
}

func (c callsAgain) Timeline(ctx context.Context, id string) ([]incident.Entry, error) {
	return again(ctx, func() ([]incident.Entry, error) { return c.decisionStore.Timeline(ctx, id) })
}

func (c callsAgain) List(ctx context.Context, f store.Filter) ([]incident.Incident, error) {
	return again(ctx, func() ([]incident.Incident, error) { return c.decisionStore.List(ctx, f) })
}

func (c callsAgain) Silences(ctx context.Context) ([]silence.Silence, error) {
	return again(ctx, func() ([]silence.Silence, error) { return c.decisionStore.Silences(ctx) })
}

func (c callsAgain) Held(ctx context.Context, id string) (bool, error) {
	return again(ctx, func() (bool, error) { return c.decisionStore.Held(ctx, id) })
}

func (c callsAgain) AddEntries(ctx context.Context, entries ...incident.Entry) error {
	_, err := again(ctx, func() (struct{}, error) { return struct{}{}, c.decisionStore.AddEntries(ctx, entries...) })
	return err
}

// letGo releases a decided opening's hold (idempotent), made again at once as above.
func letGo(ctx context.Context, hs HoldLister, id string) error {
	_, err := again(ctx, func() (struct{}, error) { return struct{}{}, hs.LetGo(ctx, id) })
	return err
}

// again makes call until it succeeds, fails for good (no such item, a permanent
// failure, the context done) or has been made heldAttempts times.
func again[T any](ctx context.Context, call func() (T, error)) (T, error) {
	for try := 1; ; try++ {
		v, err := call()
		if err == nil || try >= heldAttempts || !retryable(ctx, err) {
			return v, err
		}
	}
}

func retryable(ctx context.Context, err error) bool {
	return ctx.Err() == nil && !errors.Is(err, store.ErrNotFound) && !errors.Is(err, store.ErrHeld) && !dispatch.IsPermanent(err)
}
