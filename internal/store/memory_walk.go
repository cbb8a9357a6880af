package store

import (
	"context"
	"slices"
	"time"

	"github.com/firebreak-ops/firebreak/internal/incident"
)

// Walk calls yield with every incident f selects, in List's order (most recently opened
// first), one at a time: what List returns, without holding every incident at once. It
// keeps the order (an id and a time per incident) and reads each incident when its turn
// comes, so a replay's million events can be listed in the memory of the incidents'
// ids. An incident changed during the walk is read as it is when its turn comes; one
// opened during the walk is not visited. yield's error ends the walk.
func (m *Memory) Walk(ctx context.Context, f Filter, yield func(incident.Incident) error) error {
	type ref struct {
		at time.Time
		id string
	}
	m.mu.Lock()
	refs := make([]ref, 0, len(m.incidents))
	for id, inc := range m.incidents {
		if statusIn(inc.Status, f.Status) && f.admits(inc) {
			refs = append(refs, ref{inc.OpenedAt, id})
		}
	}
	if m.spill != nil {
		for id, c := range m.spill.cold { // spilled incidents are read, not brought back
			if c.itemN == 0 {
				continue // its timeline only: the incident is in memory
			}
			inc, _, err := m.lookup(id)
			if err != nil {
				m.mu.Unlock()
				return err
			}
			if inc != nil && statusIn(inc.Status, f.Status) && f.admits(inc) {
				refs = append(refs, ref{inc.OpenedAt, id})
			}
		}
	}
	m.mu.Unlock()
	slices.SortFunc(refs, func(a, b ref) int {
		if c := b.at.Compare(a.at); c != 0 {
			return c
		}
		switch {
		case a.id < b.id:
			return -1
		case a.id > b.id:
			return 1
		}
		return 0
	})
	if f.Limit > 0 && len(refs) > f.Limit {
		refs = refs[:f.Limit]
	}
	for _, r := range refs {
		if err := ctx.Err(); err != nil {
			return err
		}
		m.mu.Lock()
		inc, ok, err := m.view(r.id)
		m.mu.Unlock()
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		if err := yield(inc); err != nil {
			return err
		}
	}
	return nil
}
