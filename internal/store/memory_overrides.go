package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/firebreak-ops/firebreak/internal/oncall"
)

var _ Overrides = (*Memory)(nil)

// The memory store keeps each schedule's overrides sorted by id, which begins with the
// end time, as the table's sort key does: a question reads only the overrides that end
// after its start, however many have ended before.

// findOverride is where id is, or would go, in a schedule's sorted overrides.
func findOverride(list []oncall.Override, id string) (int, bool) {
	return slices.BinarySearchFunc(list, id, func(o oncall.Override, id string) int { return strings.Compare(o.ID, id) })
}

// PutOverride stores an override (see Overrides).
func (m *Memory) PutOverride(_ context.Context, o oncall.Override) (oncall.Override, error) {
	o, err := checkOverride(o)
	if err != nil {
		return o, fmt.Errorf("put override: %w", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.overrides == nil {
		m.overrides = map[string][]oncall.Override{}
	}
	list := m.overrides[o.Schedule]
	if i, found := findOverride(list, o.ID); found {
		list[i] = o
	} else {
		m.overrides[o.Schedule] = slices.Insert(list, i, o)
	}
	return o, nil
}

// Overrides lists a schedule's overrides that end after from and start before to, by end.
func (m *Memory) Overrides(_ context.Context, schedule string, from, to time.Time) ([]oncall.Override, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	list := m.overrides[schedule]
	i, _ := findOverride(list, from.UTC().Format(overrideIDTime))
	var out []oncall.Override
	for _, o := range list[i:] {
		if o.End.After(from) && o.Start.Before(to) {
			out = append(out, o)
		}
	}
	return out, nil
}

// RemoveOverride deletes an override; ErrNotFound when there is none.
func (m *Memory) RemoveOverride(_ context.Context, schedule, id string) error {
	if err := checkOverrideID(id); err != nil {
		return fmt.Errorf("remove override: %w", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	list := m.overrides[schedule]
	i, found := findOverride(list, id)
	if !found {
		return fmt.Errorf("remove override %s of %s: %w", id, schedule, ErrNotFound)
	}
	m.overrides[schedule] = slices.Delete(list, i, i+1)
	return nil
}
