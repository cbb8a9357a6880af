package store

import (
	"sort"
	"time"

	"github.com/firebreak-ops/firebreak/internal/incident"
)

// openedRef places an incident in the memory store's index by opening time, which
// answers List with OpenedSince (dispatch's grouping candidates) in time proportional
// to the incidents opened since then, as the DynamoDB list index does. An incident's
// opened time only ever moves earlier, so the index, kept at the time of Open, holds
// every incident opened since any time; List checks the incident itself.
type openedRef struct {
	at time.Time
	id string
}

// indexOpened adds inc to the opening-time index. Caller holds m.mu.
func (m *Memory) indexOpened(inc *incident.Incident) {
	r := openedRef{at: inc.OpenedAt, id: inc.ID}
	i := len(m.opened)
	for i > 0 && (m.opened[i-1].at.After(r.at) || (m.opened[i-1].at.Equal(r.at) && m.opened[i-1].id > r.id)) {
		i--
	}
	m.opened = append(m.opened, openedRef{})
	copy(m.opened[i+1:], m.opened[i:])
	m.opened[i] = r
}

// listOpenedSince answers List for a filter with OpenedSince. Caller holds m.mu.
func (m *Memory) listOpenedSince(f Filter) []incident.Incident {
	i := sort.Search(len(m.opened), func(i int) bool { return !m.opened[i].at.Before(f.OpenedSince) })
	var out []incident.Incident
	for _, r := range m.opened[i:] {
		if inc := m.incidents[r.id]; statusIn(inc.Status, f.Status) && f.admits(inc) {
			out = append(out, m.view(r.id))
		}
	}
	sortIncidents(out)
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out
}
