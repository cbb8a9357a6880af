package store

import (
	"context"
	"runtime"
	"sort"
	"sync"
	"time"
	"weak"
)

// memHolds are a memory store's held openings: each opening's state, and the held ones
// in order of their wait's end (then id), so HeldUntil reads only what is due.
//
// They live beside the Memory (holdsOf, keyed by a weak pointer to it and dropped when it
// is collected), not in its struct, to keep this family's change out of memory.go.
type memHolds struct {
	mu      sync.Mutex
	until   map[string]time.Time // held, not decided
	decided map[string]bool
	order   []HeldOpening // the held ones, by Until then Incident
}

var (
	holdsMu sync.Mutex
	holdsOf = map[weak.Pointer[Memory]]*memHolds{}
)

// holds is m's held openings, made on first use.
func (m *Memory) holds() *memHolds {
	key := weak.Make(m)
	holdsMu.Lock()
	defer holdsMu.Unlock()
	h, ok := holdsOf[key]
	if !ok {
		h = &memHolds{until: map[string]time.Time{}, decided: map[string]bool{}}
		holdsOf[key] = h
		runtime.AddCleanup(m, func(k weak.Pointer[Memory]) {
			holdsMu.Lock()
			defer holdsMu.Unlock()
			delete(holdsOf, k)
		}, key)
	}
	return h
}

func holdLess(a, b HeldOpening) bool {
	if !a.Until.Equal(b.Until) {
		return a.Until.Before(b.Until)
	}
	return a.Incident < b.Incident
}

// Hold holds id's opening until until, unless it is held or was decided already.
func (m *Memory) Hold(_ context.Context, id string, until time.Time) (bool, error) {
	h := m.holds()
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, held := h.until[id]; held || h.decided[id] {
		return false, nil
	}
	h.insert(HeldOpening{Incident: id, Until: until.UTC()})
	return true, nil
}

// MoveHold moves a held opening's hold earlier, to until.
func (m *Memory) MoveHold(_ context.Context, id string, until time.Time) (bool, error) {
	h := m.holds()
	h.mu.Lock()
	defer h.mu.Unlock()
	was, held := h.until[id]
	if !held || !was.After(until) {
		return false, nil
	}
	h.remove(id, was)
	h.insert(HeldOpening{Incident: id, Until: until.UTC()})
	return true, nil
}

// insert puts o in order; remove takes id's hold until was out of it. Caller holds h.mu.
func (h *memHolds) insert(o HeldOpening) {
	h.until[o.Incident] = o.Until
	i := sort.Search(len(h.order), func(i int) bool { return !holdLess(h.order[i], o) })
	h.order = append(h.order, HeldOpening{})
	copy(h.order[i+1:], h.order[i:])
	h.order[i] = o
}

func (h *memHolds) remove(id string, was time.Time) {
	o := HeldOpening{Incident: id, Until: was}
	i := sort.Search(len(h.order), func(i int) bool { return !holdLess(h.order[i], o) })
	if i < len(h.order) && h.order[i].Incident == id {
		h.order = append(h.order[:i], h.order[i+1:]...)
	}
	delete(h.until, id)
}

// HeldUntil returns the held openings whose wait is over at now, earliest first.
func (m *Memory) HeldUntil(_ context.Context, now time.Time, limit int) ([]HeldOpening, error) {
	h := m.holds()
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []HeldOpening
	for _, o := range h.order {
		if o.Until.After(now) || (limit > 0 && len(out) >= limit) {
			break
		}
		out = append(out, o)
	}
	return out, nil
}

// Held reports whether id's opening is held and not yet decided.
func (m *Memory) Held(_ context.Context, id string) (bool, error) {
	h := m.holds()
	h.mu.Lock()
	defer h.mu.Unlock()
	_, held := h.until[id]
	return held, nil
}

// LetGo marks id's opening decided.
func (m *Memory) LetGo(_ context.Context, id string) error {
	h := m.holds()
	h.mu.Lock()
	defer h.mu.Unlock()
	until, held := h.until[id]
	if !held {
		return nil
	}
	h.remove(id, until)
	h.decided[id] = true
	return nil
}
