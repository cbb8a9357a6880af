package intake

import (
	"context"
	"errors"
	"time"

	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// CallsAgain is s with each call whose repeat cannot change what it did made again
// where it failed, when it failed retryably (store.Again): the reads (Get, LooseBetween;
// Current is tried again by the Processor itself), the timeline entries (written once by their key), the loose events
// (LooseBetween reports an event kept twice once) and the quarantine (a payload is kept
// once). A fingerprint's recording makes several calls; without it every one of them
// had to get through in one attempt, or the fingerprint's messages went round the queue
// again. The writes whose repeat is not a no-op — an opening, a change, the ledger (a
// repeat finds its events recorded), a noted repeat — are not repeated here: one of
// them failing fails the fingerprint, whose messages are redelivered.
func CallsAgain(s Store) Store { return callsAgain{s} }

type callsAgain struct{ Store }

func again[T any](ctx context.Context, call func() (T, error)) (T, error) {
	return store.Again(ctx, func(err error) bool { return !errors.Is(err, store.ErrNotFound) && !permanent(err) }, call)
}

func (c callsAgain) Get(ctx context.Context, id string) (incident.Incident, error) {
	return again(ctx, func() (incident.Incident, error) { return c.Store.Get(ctx, id) })
}

func (c callsAgain) LooseBetween(ctx context.Context, fp string, from, to time.Time) ([]store.Loose, error) {
	return again(ctx, func() ([]store.Loose, error) { return c.Store.LooseBetween(ctx, fp, from, to) })
}

func (c callsAgain) KeepLoose(ctx context.Context, fp string, evs []store.Loose) error {
	_, err := again(ctx, func() (struct{}, error) { return struct{}{}, c.Store.KeepLoose(ctx, fp, evs) })
	return err
}

func (c callsAgain) Quarantine(ctx context.Context, q store.Quarantined) error {
	_, err := again(ctx, func() (struct{}, error) { return struct{}{}, c.Store.Quarantine(ctx, q) })
	return err
}

func (c callsAgain) AddEntries(ctx context.Context, entries ...incident.Entry) error {
	_, err := again(ctx, func() (struct{}, error) { return struct{}{}, c.Store.AddEntries(ctx, entries...) })
	return err
}
