package dispatch

import (
	"context"
	"fmt"
	"time"

	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/review"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// ReviewOpener opens the post-incident review of a resolved incident when its severity
// calls for one, once however often the resolution is delivered (review.Service).
type ReviewOpener interface {
	Resolved(ctx context.Context, inc incident.Incident, at time.Time) (review.Review, bool, error)
}

var _ ReviewOpener = (*review.Service)(nil)

// openReview opens the review of the resolution r carries, as of its time.
func (d *Dispatcher) openReview(ctx context.Context, r store.StreamRecord) error {
	at := r.New.ResolvedAt
	if at.IsZero() {
		at = r.New.StateAt
	}
	if _, _, err := d.Reviews.Resolved(ctx, r.New, at); err != nil {
		return fmt.Errorf("dispatch resolved of %s: %w", r.New.ID, err)
	}
	return nil
}
