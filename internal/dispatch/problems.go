package dispatch

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/metrics"
	"github.com/firebreak-ops/firebreak/internal/notify"
	"github.com/firebreak-ops/firebreak/internal/problem"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// Recurrences links incidents to the problems of their recurring fingerprints
// (*problem.Tracker is one).
type Recurrences interface {
	Recur(ctx context.Context, inc incident.Incident, reopenedAt time.Time) (problem.Link, error)
}

var _ Recurrences = (*problem.Tracker)(nil)

// recur counts an opening or re-opening toward its fingerprint's problem (whether the
// incident pages or is kept quiet) and returns what its notices say of the problem.
func (d *Dispatcher) recur(ctx context.Context, change Change, old *incident.Incident, inc incident.Incident, at time.Time) (string, error) {
	if d.Problems == nil {
		return "", nil
	}
	var reopenedAt time.Time
	switch {
	case change == Opened:
	case change == Retriggered && old != nil && old.Status == incident.Resolved:
		reopenedAt = at
	default:
		return "", nil
	}
	link, err := d.Problems.Recur(ctx, inc, reopenedAt)
	if err != nil {
		return "", fmt.Errorf("dispatch %s of %s: %w", change, inc.ID, err)
	}
	return link.Note, nil
}

// TrackerStore is what the problem tracker that dispatch (and the escalator's held
// decisions) count recurrences with needs of the store.
type TrackerStore interface {
	problem.TrackerStore
	store.Claims
}

// NewTracker is that tracker: one notice per problem opened, sent once through sender,
// with the configuration's recurrence rules; m counts problems opened (nil: not counted).
// Its reads and keyed writes are made again where they fail (CallsAgain).
func NewTracker(st TrackerStore, sender interface {
	Send(ctx context.Context, team string, n notify.Notice) (string, error)
}, cfg *config.Config, log *slog.Logger, m *metrics.Writer) *problem.Tracker {
	return &problem.Tracker{Store: trackerAgain{st}, Sender: notify.ProblemTeller{Sender: sender}, Once: store.Once{Claims: st}, Record: store.Record,
		Rule: problem.Rules(cfg), Permanent: IsPermanent, Log: log, Metrics: m}
}
