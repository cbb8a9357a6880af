package escalate

import (
	"context"
	"fmt"

	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/page"
)

// pages resolves an escalation step's targets (teams, contact:<id>, schedule:<name>) to
// whoever is on call at the step's time, and records the schedules that had nobody.
func (e *Escalator) pages(ctx context.Context, inc incident.Incident, st Step) ([]page.Recipient, error) {
	r := e.OnCall
	if r == nil {
		r = &page.Resolver{Config: e.Config}
	}
	recips, gaps, err := r.Resolve(ctx, st.Teams, inc.Team, st.At)
	if err != nil {
		return nil, fmt.Errorf("escalate %s: %w", inc.ID, err)
	}
	return recips, page.RecordGaps(ctx, e.Store, e.Metrics, e.log(), e.Lease, inc.ID, "oncall-gap:"+st.Key, gaps, st.At)
}
