package store

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/firebreak-ops/firebreak/internal/incident"
)

// coldItem is what the memory store writes out of an incident that falls out of use
// (memory_spill.go): the item, its ledger's counters and the key of its last change,
// as JSON (every field of incident.Incident has its JSON name, so a field added to it
// is spilled with the rest; memory_cold_test.go checks that every field comes back).
// The ledger's id hashes follow the JSON in binary: reading the incident needs only
// the JSON.
type coldItem struct {
	Inc        incident.Incident `json:"inc"`
	EmptyAttrs bool              `json:"ea,omitempty"` // Attrs is empty but not nil (JSON cannot tell)
	EmptyTags  bool              `json:"et,omitempty"`
	LastChange string            `json:"lc,omitempty"`
	Ledger     bool              `json:"l,omitempty"` // the incident has a ledger
	N          int               `json:"n,omitempty"`
	Trig       int               `json:"t,omitempty"`
	Rec        int               `json:"r,omitempty"`
	First      time.Time         `json:"f,omitzero"`
	Last       time.Time         `json:"z,omitzero"`
}

var errColdCorrupt = errors.New("spilled incident is corrupt")

// encodeCold appends inc's record to b: the length of the JSON of its coldItem, the
// JSON, then the count of its ledger's id hashes and the hashes. Caller holds m.mu.
func (m *Memory) encodeCold(b []byte, inc *incident.Incident) ([]byte, error) {
	c := coldItem{Inc: *inc, EmptyAttrs: inc.Attrs != nil && len(inc.Attrs) == 0, EmptyTags: inc.Tags != nil && len(inc.Tags) == 0,
		LastChange: m.lastChange[inc.ID]}
	led := m.ledgers[Ledger{Incident: inc.ID}]
	if led != nil {
		c.Ledger, c.N, c.Trig, c.Rec, c.First, c.Last = true, led.n, led.trig, led.rec, led.first, led.last
	}
	js, err := json.Marshal(c)
	if err != nil {
		return b, fmt.Errorf("spill incident %s: %w", inc.ID, err)
	}
	b = binary.AppendUvarint(b, uint64(len(js)))
	b = append(b, js...)
	if led == nil {
		return binary.AppendUvarint(b, 0), nil
	}
	return appendHashes(b, led), nil
}

// decodeCold reverses encodeCold: the item and its ledger (nil when it had none), with
// the ledger's id hashes when ids is true (counters only otherwise).
func decodeCold(b []byte, ids bool) (*incident.Incident, *memLedger, string, error) {
	n, k := binary.Uvarint(b)
	if k <= 0 || n > uint64(len(b)-k) {
		return nil, nil, "", errColdCorrupt
	}
	var c coldItem
	if err := json.Unmarshal(b[k:k+int(n)], &c); err != nil {
		return nil, nil, "", fmt.Errorf("%w: %w", errColdCorrupt, err)
	}
	inc := &c.Inc
	if c.EmptyAttrs {
		inc.Attrs = map[string]string{}
	}
	if c.EmptyTags {
		inc.Tags = map[string]string{}
	}
	if !c.Ledger {
		return inc, nil, c.LastChange, nil
	}
	led := &memLedger{n: c.N, trig: c.Trig, rec: c.Rec, first: c.First, last: c.Last}
	if !ids {
		return inc, led, c.LastChange, nil
	}
	if _, ok := readHashes(b[k+int(n):], led); !ok {
		return nil, nil, "", errColdCorrupt
	}
	return inc, led, c.LastChange, nil
}

// known reports whether incident id exists, in memory or spilled. Caller holds m.mu.
func (m *Memory) known(id string) bool {
	if _, ok := m.incidents[id]; ok {
		return true
	}
	if m.spill != nil {
		_, ok := m.spill.items[id]
		return ok
	}
	return false
}

// lookup reads incident id and its ledger (nil: none) without moving it: the stored
// item itself when it is in memory (the caller must not change either), a decoded copy
// with the ledger's counters when it is spilled. A nil incident: there is none. Caller
// holds m.mu.
func (m *Memory) lookup(id string) (*incident.Incident, *memLedger, error) {
	if inc, ok := m.incidents[id]; ok {
		return inc, m.ledgers[Ledger{Incident: id}], nil
	}
	if m.spill == nil {
		return nil, nil, nil
	}
	ref, ok := m.spill.items[id]
	if !ok {
		return nil, nil, nil
	}
	b, err := m.spill.read(ref)
	if err != nil {
		return nil, nil, fmt.Errorf("incident %s: read back: %w", id, err)
	}
	inc, led, _, err := decodeCold(b, false)
	if err != nil {
		return nil, nil, fmt.Errorf("incident %s: read back: %w", id, err)
	}
	return inc, led, nil
}

// hot brings incident id back into memory if it was spilled (its item, ledger and last
// change), marks it used and returns the stored item, for the caller to change; nil
// when there is no such incident. Caller holds m.mu and calls settle when done.
func (m *Memory) hot(id string) (*incident.Incident, error) {
	if inc, ok := m.incidents[id]; ok {
		m.use(id)
		return inc, nil
	}
	if m.spill == nil {
		return nil, nil
	}
	ref, ok := m.spill.items[id]
	if !ok {
		return nil, nil
	}
	b, err := m.spill.read(ref)
	if err != nil {
		return nil, fmt.Errorf("incident %s: read back: %w", id, err)
	}
	inc, led, last, err := decodeCold(b, true)
	if err != nil {
		return nil, fmt.Errorf("incident %s: read back: %w", id, err)
	}
	delete(m.spill.items, id)
	m.incidents[inc.ID] = inc
	if led != nil {
		m.ledgers[Ledger{Incident: inc.ID}] = led
	}
	if last != "" {
		m.lastChange[inc.ID] = last
	}
	m.use(inc.ID)
	return inc, nil
}

// counted is inc with the counters of its ledger led (nil: none), a copy the caller owns.
func counted(inc *incident.Incident, led *memLedger) incident.Incident {
	out := clone(*inc)
	if led != nil {
		out.Events, out.Count, out.Recoveries = led.n, led.trig, led.rec
		out.FirstSeen, out.LastSeen = led.first, led.last
	}
	return out
}

// view is incident id with its counters; ok is false when there is none. Caller holds m.mu.
func (m *Memory) view(id string) (incident.Incident, bool, error) {
	inc, led, err := m.lookup(id)
	if err != nil || inc == nil {
		return incident.Incident{}, false, err
	}
	return counted(inc, led), true, nil
}
