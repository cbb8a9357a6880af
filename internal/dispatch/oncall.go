package dispatch

import (
	"context"
	"fmt"
	"time"

	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/page"
)

// pages resolves the recipients of a change's notice (Recipients) to the people on
// call at the change's time (internal/page) and records the schedules that had nobody.
func (d *Dispatcher) pages(ctx context.Context, inc incident.Incident, ver string, at time.Time) ([]page.Recipient, error) {
	r := d.OnCall
	if r == nil {
		r = &page.Resolver{Config: d.Config}
	}
	recips, gaps, err := r.Resolve(ctx, Recipients(d.Config, inc), inc.Team, at)
	if err != nil {
		return nil, fmt.Errorf("dispatch %s: %w", inc.ID, err)
	}
	return recips, page.RecordGaps(ctx, d.Store, d.Metrics, d.log(), d.Lease, inc.ID, "oncall-gap:"+ver, gaps, at.Add(2))
}
