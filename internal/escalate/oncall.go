package escalate

import (
	"context"
	"fmt"
	"strings"

	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/notify"
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

// reminded is who an update reminder goes to: the person who acknowledged, when a
// contact did (through a link sent to them), else the owning team as it is paged
// (whoever is on call for it).
func (e *Escalator) reminded(ctx context.Context, inc incident.Incident, st Step) ([]page.Recipient, error) {
	if id, ok := ackedBy(inc.AcknowledgedBy); ok && e.Config.Contact(id) != nil {
		name := id
		if c := e.Config.Contact(id); c.Name != "" {
			name = c.Name
		}
		return []page.Recipient{{Target: page.ContactTarget(id), Contact: id,
			Paged: notify.Paged{Name: name, Why: "who acknowledged it"}}}, nil
	}
	return e.pages(ctx, inc, st)
}

// ackedBy is the contact id of an acknowledgement made as a person ("contact:alice via
// signed link").
func ackedBy(by string) (string, bool) {
	rest, ok := strings.CutPrefix(by, config.ContactPrefix)
	if !ok {
		return "", false
	}
	id, _, _ := strings.Cut(rest, " ")
	return id, id != ""
}
