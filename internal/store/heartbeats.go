package store

import (
	"context"
	"fmt"
	"time"

	"github.com/firebreak-ops/firebreak/internal/heartbeat"
)

// Heartbeats keeps one small item per heartbeat: its last beat, when it is due and the
// incident of its current miss. Item: HB#<name> / H, on the "due" index (DUE#HEARTBEAT,
// <check>#<name>) while the escalator has something to do (docs/table.md).
type Heartbeats interface {
	// PutHeartbeat stores s if the stored state is still at s.Version (0: none is
	// stored), as s.Version+1; false when another writer changed it first.
	PutHeartbeat(ctx context.Context, s heartbeat.State) (bool, error)
	// Heartbeat reads a heartbeat's state (ErrNotFound: it never beat).
	Heartbeat(ctx context.Context, name string) (heartbeat.State, error)
	// HeartbeatsDue are the heartbeats whose Check is at or before now, earliest first.
	HeartbeatsDue(ctx context.Context, now time.Time, limit int) ([]heartbeat.State, error)
}

var (
	_ Heartbeats = (*Memory)(nil)
	_ Heartbeats = (*Dynamo)(nil)
)

// memHeartbeats holds heartbeat states and their due index in memory.
type memHeartbeats struct {
	states map[string]heartbeat.State
	due    timeIndex
}

// PutHeartbeat stores s at s.Version; see Heartbeats.
func (m *Memory) PutHeartbeat(_ context.Context, s heartbeat.State) (bool, error) {
	if s.Name == "" {
		return false, fmt.Errorf("put heartbeat: name is required")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.heartbeats.states == nil {
		m.heartbeats.states = map[string]heartbeat.State{}
	}
	cur, ok := m.heartbeats.states[s.Name]
	if (ok && cur.Version != s.Version) || (!ok && s.Version != 0) {
		return false, nil
	}
	s.Version++
	m.heartbeats.states[s.Name] = s
	m.heartbeats.due.move(s.Name, cur.Check, s.Check)
	return true, nil
}

// Heartbeat reads a heartbeat's state.
func (m *Memory) Heartbeat(_ context.Context, name string) (heartbeat.State, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.heartbeats.states[name]
	if !ok {
		return heartbeat.State{}, fmt.Errorf("heartbeat %s: %w", name, ErrNotFound)
	}
	return s, nil
}

// HeartbeatsDue are the heartbeats to look at, at or before now, earliest first.
func (m *Memory) HeartbeatsDue(_ context.Context, now time.Time, limit int) ([]heartbeat.State, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []heartbeat.State
	for _, name := range m.heartbeats.due.upTo(now, limit) {
		out = append(out, m.heartbeats.states[name])
	}
	return out, nil
}
