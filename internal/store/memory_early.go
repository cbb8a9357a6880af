package store

import (
	"context"
	"fmt"
	"time"

	"github.com/firebreak-ops/firebreak/internal/incident"
)

// KeepLoose keeps events of fingerprint fp that no incident took; keeping one again
// changes nothing.
func (m *Memory) KeepLoose(_ context.Context, fp string, evs []Loose) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	defer m.settle()
	if err := m.hotPrint(fp); err != nil {
		return err
	}
	if m.loose == nil {
		m.loose = map[string]map[string]Loose{}
	}
	kept := m.loose[fp]
	if kept == nil {
		kept = map[string]Loose{}
		m.loose[fp] = kept
	}
	for _, e := range evs {
		e.Time, e.Summary = e.Time.UTC(), clipSummary(e.Summary)
		kept[e.ID] = e
	}
	return nil
}

// LooseBetween returns the loose events of fingerprint fp with from <= time < to (zero
// to: no upper bound), in event-time order.
func (m *Memory) LooseBetween(_ context.Context, fp string, from, to time.Time) ([]Loose, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	defer m.settle()
	if err := m.hotPrint(fp); err != nil {
		return nil, err
	}
	var out []Loose
	for _, e := range m.loose[fp] {
		if !e.Time.Before(from) && (to.IsZero() || e.Time.Before(to)) {
			out = append(out, e)
		}
	}
	sortLoose(out)
	return out, nil
}

// OpenEarlier moves an active incident's opening to the earlier event by at at, with
// the timeline entry that says so; false if the incident opened at or before at already
// (at the same time, by an event whose id sorts first: intake's event-time order).
// The incident's clocks (StateAt) move with the opening only while the escalator has
// not looked at it (it is open, unchanged since it opened, and still due at its
// opening): afterwards its steps may have run, keyed by their start, and moving the
// start would run them again.
func (m *Memory) OpenEarlier(_ context.Context, id, by string, at time.Time, entry incident.Entry) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	defer m.settle()
	inc, err := m.hot(id)
	if err != nil {
		return false, err
	}
	if inc == nil {
		return false, fmt.Errorf("open %s earlier: %w", id, ErrNotFound)
	}
	if err := m.resident(id); err != nil {
		return false, err
	}
	earlier := inc.OpenedAt.After(at) || inc.OpenedAt.Equal(at) && inc.OpenedBy > by // event-time order, ties by id
	if !earlier || !inc.Status.Active() {
		return false, nil
	}
	old := clone(*inc)
	if inc.Status == incident.Open && inc.StateAt.Equal(inc.OpenedAt) && inc.DueAt.Equal(inc.OpenedAt) {
		inc.StateAt = at.UTC()
	}
	inc.OpenedAt, inc.OpenedBy, inc.DueAt = at.UTC(), by, at.UTC()
	inc.Version++
	inc.UpdatedAt = m.now().UTC()
	m.reindex(id, &old)
	m.moveOpened(inc, old.OpenedAt)
	entry.Incident = id
	m.addEntry(entry)
	m.stream = append(m.stream, StreamRecord{Old: &old, New: clone(*inc)})
	return true, nil
}
