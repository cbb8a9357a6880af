package escalate

import (
	"context"
	"fmt"
	"time"

	"github.com/firebreak-ops/firebreak/internal/dispatch"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// HoldLister is what deciding held openings needs of the store (grouping.wait;
// internal/dispatch/wait.go): the held openings whose wait is over, and letting one go.
type HoldLister interface {
	HeldUntil(ctx context.Context, now time.Time, limit int) ([]store.HeldOpening, error)
	LetGo(ctx context.Context, id string) error
}

// Opener decides a held opening (*dispatch.Dispatcher).
type Opener interface {
	DecideHeld(ctx context.Context, id string) error
}

var (
	_ HoldLister = (*store.Memory)(nil)
	_ HoldLister = (*store.Dynamo)(nil)
	_ Opener     = (*dispatch.Dispatcher)(nil)
)

// opener is e.Openings, or a dispatcher made of the escalator's own store, sender,
// links and on-call resolver (ok false: the store cannot decide openings).
func (e *Escalator) opener() (Opener, bool) {
	if e.Openings != nil {
		return e.Openings, true
	}
	ds, ok := e.Store.(dispatch.Stores)
	if !ok {
		return nil, false
	}
	s := dispatch.CallsAgain(ds) // a failed read is made again where the decision is
	d := &dispatch.Dispatcher{Store: s, Quiet: s, Sender: e.Sender, Config: e.Config, Now: e.Now, Log: e.Log,
		Metrics: e.Metrics, Lease: e.Lease, OnCall: e.OnCall, Problems: e.Recurrences}
	if e.Links != nil {
		d.Links = e.Links
	}
	return d, true
}

// decideHeld decides the held openings whose wait is over, in the order their holds end
// (their incidents' openings, by event time), before any clock runs: of two incidents of
// one group, the earlier is decided first and becomes the parent. Each is let go once
// decided. A retryable failure is tried again at once, up to heldAttempts times (each
// step of a decision is keyed or conditional, so a retry finishes what the failed try
// began): one failed request must not hold back every opening after it for a tick.
// Still failing, it stops the tick's decisions there (the rest keep their order for
// the next tick) and is returned: the tick then runs no clock, so no clock runs for an
// incident whose opening is not decided (a retryable failure passes; the clocks run a
// tick late). A permanent failure is logged and counted, and the opening let go:
// retrying cannot help, and it must not hold the rest back.
func (e *Escalator) decideHeld(ctx context.Context, now time.Time, batch int, rep *Report) error {
	hs, ok := e.Store.(HoldLister)
	if !ok {
		return nil
	}
	op, ok := e.opener()
	if !ok {
		return nil
	}
	for {
		held, err := dispatch.Again(ctx, func() ([]store.HeldOpening, error) { return hs.HeldUntil(ctx, now, batch) })
		if err != nil {
			return err
		}
		for _, h := range held {
			var err error
			for try := 1; ; try++ {
				if err = e.decideOne(ctx, now, op, hs, h.Incident); !failed(err) || try == heldAttempts {
					break
				}
			}
			if err != nil {
				return fmt.Errorf("held opening of %s: %w", h.Incident, err)
			}
			rep.HeldDecided++
		}
		if len(held) < batch {
			return nil
		}
	}
}

// heldAttempts is how often a tick tries to decide one held opening before it stops
// its decisions for the tick: as often as Once tries each of its writes.
const heldAttempts = store.OnceAttempts

// decideOne decides one held opening and lets its hold go.
func (e *Escalator) decideOne(ctx context.Context, now time.Time, op Opener, hs HoldLister, id string) error {
	err := op.DecideHeld(ctx, id)
	if err != nil && dispatch.IsPermanent(err) {
		e.log().ErrorContext(ctx, "held opening failed for good; let go", "incident", id, "error", err)
		if merr := e.Metrics.Emit(now, map[string]string{"Action": "held"}, map[string]int{"DispatchFailures": 1}); merr != nil {
			e.log().WarnContext(ctx, "metrics not written", "error", merr)
		}
		err = nil
	}
	if err != nil {
		return err
	}
	// Releasing is idempotent (a repeat finds it released): made again where it fails.
	_, err = dispatch.Again(ctx, func() (struct{}, error) { return struct{}{}, hs.LetGo(ctx, id) })
	return err
}
