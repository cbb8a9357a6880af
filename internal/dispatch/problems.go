package dispatch

import (
	"context"
	"fmt"
	"time"

	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/problem"
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
