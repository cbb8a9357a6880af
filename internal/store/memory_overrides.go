package store

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/firebreak-ops/firebreak/internal/oncall"
)

var _ Overrides = (*Memory)(nil)

// PutOverride stores an override (see Overrides).
func (m *Memory) PutOverride(_ context.Context, o oncall.Override) (oncall.Override, error) {
	o, err := checkOverride(o)
	if err != nil {
		return o, fmt.Errorf("put override: %w", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.overrides == nil {
		m.overrides = map[string]map[string]oncall.Override{}
	}
	if m.overrides[o.Schedule] == nil {
		m.overrides[o.Schedule] = map[string]oncall.Override{}
	}
	m.overrides[o.Schedule][o.ID] = o
	return o, nil
}

// Overrides lists a schedule's overrides that end after from and start before to, by end.
func (m *Memory) Overrides(_ context.Context, schedule string, from, to time.Time) ([]oncall.Override, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []oncall.Override
	for _, o := range m.overrides[schedule] {
		if o.End.After(from) && o.Start.Before(to) {
			out = append(out, o)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// RemoveOverride deletes an override; ErrNotFound when there is none.
func (m *Memory) RemoveOverride(_ context.Context, schedule, id string) error {
	if err := checkOverrideID(id); err != nil {
		return fmt.Errorf("remove override: %w", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.overrides[schedule][id]; !ok {
		return fmt.Errorf("remove override %s of %s: %w", id, schedule, ErrNotFound)
	}
	delete(m.overrides[schedule], id)
	return nil
}
