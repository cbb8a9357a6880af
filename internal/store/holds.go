package store

import (
	"context"
	"time"
)

// Holds are the openings whose page waits for grouping.wait (internal/dispatch/wait.go):
// dispatch holds an opening until its wait is over, and the escalator's tick decides the
// held openings whose wait is over, earliest first, then lets them go. A hold is kept,
// marked decided, once it is let go, so a redelivered opening is not held again.
type Holds interface {
	// Hold holds id's opening until until; false when it is held or was decided already
	// (the first hold's time stands).
	Hold(ctx context.Context, id string, until time.Time) (bool, error)
	// MoveHold moves a held opening's hold earlier, to until (its opening moved earlier);
	// false when it is not held, or held until until or earlier already.
	MoveHold(ctx context.Context, id string, until time.Time) (bool, error)
	// HeldUntil returns the held openings whose wait is over at now, earliest first (then
	// by id), at most limit of them (0: all). It reads only held openings.
	HeldUntil(ctx context.Context, now time.Time, limit int) ([]HeldOpening, error)
	// Held reports whether id's opening is held and not yet decided.
	Held(ctx context.Context, id string) (bool, error)
	// LetGo marks id's opening decided: it leaves the held openings. Idempotent; nothing
	// is done for an opening that was never held.
	LetGo(ctx context.Context, id string) error
}

// HeldOpening is an opening held until its wait is over.
type HeldOpening struct {
	Incident string
	Until    time.Time
}

var (
	_ Holds = (*Memory)(nil)
	_ Holds = (*Dynamo)(nil)
)
