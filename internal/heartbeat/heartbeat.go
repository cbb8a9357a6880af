// Package heartbeat keeps the heartbeats of the configuration (heartbeats:): sources
// that must keep speaking. Intake records a beat for every event that matches a
// heartbeat's pattern (Matcher); the store keeps one small item per heartbeat, its last
// beat and when the next is due, on the due index; the escalator (escalate.Heartbeats)
// opens a heartbeat.missed incident when a heartbeat stays silent past interval + grace,
// once per miss, and mitigates it at the next beat.
//
// A beat is recorded only when it is later than the stored last beat, so a redelivered
// or late event changes nothing, and the order of delivery never changes the outcome.
package heartbeat

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/event"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/pattern"
)

// State is what the store keeps of one heartbeat.
type State struct {
	Name      string    `json:"name"`
	LastBeat  time.Time `json:"last_beat"`            // time of the latest beat (event time)
	LastEvent string    `json:"last_event,omitempty"` // the event that was the latest beat
	Due       time.Time `json:"due"`                  // LastBeat + interval + grace: a miss from then
	// Misses counts the misses so far; the n-th miss opens incident Incident(name, n).
	Misses int `json:"misses,omitempty"`
	// Missed is the incident of the current miss ("" while beating), MissedAt when it
	// was missed (the Due of then).
	Missed   string    `json:"missed,omitempty"`
	MissedAt time.Time `json:"missed_at,omitzero"`
	// Check is when the escalator must look (the due index; zero: nothing to do): Due
	// while beating; the beat that ended a miss, until its incident is mitigated.
	Check   time.Time `json:"check,omitzero"`
	Version int       `json:"version"`
}

// Status of a heartbeat, as `firebreak heartbeats` shows it.
type Status string

// Statuses.
const (
	Waiting Status = "waiting" // no beat seen yet
	Beating Status = "ok"      // the last beat came within interval + grace
	Late    Status = "late"    // due has passed; the escalator has not opened its incident yet
	Missing Status = "missed"  // its heartbeat.missed incident is open
)

// StatusAt is where s stands at now.
func (s State) StatusAt(now time.Time) Status {
	switch {
	case s.Missed != "" && s.Check.IsZero():
		return Missing
	case s.Missed != "":
		return Beating // a beat came; its incident is being mitigated
	case s.LastBeat.IsZero():
		return Waiting
	case !now.Before(s.Due):
		return Late
	}
	return Beating
}

// Beat returns s after a beat at t by event id for heartbeat h, and whether it changes
// anything: only a beat later than the last one does.
func Beat(s State, h *config.Heartbeat, t time.Time, id string) (State, bool) {
	if !t.After(s.LastBeat) {
		return s, false
	}
	s.Name, s.LastBeat, s.LastEvent, s.Due = h.Name, t.UTC(), id, t.UTC().Add(h.Silence())
	s.Check = s.Due
	if s.Missed != "" {
		s.Check = s.LastBeat // the escalator mitigates the miss's incident
	}
	return s, true
}

// Fingerprint of the incidents a heartbeat's misses open.
func Fingerprint(name string) string {
	return incident.Fingerprint(config.HeartbeatClass, "", "", name)
}

// Incident is the id of the incident of a heartbeat's n-th miss (from 1).
func Incident(name string, n int) string { return incident.ID(Fingerprint(name), n) }

// Matcher says which heartbeats an event is a beat of. Safe for concurrent use.
type Matcher struct {
	beats []*config.Heartbeat
	m     *pattern.Matcher
}

// NewMatcher compiles the heartbeats' patterns (nil when there are none: it matches nothing).
func NewMatcher(cfg *config.Config) (*Matcher, error) {
	if len(cfg.Heartbeats) == 0 {
		return nil, nil
	}
	ps := make([]json.RawMessage, len(cfg.Heartbeats))
	for i, h := range cfg.Heartbeats {
		ps[i] = h.Pattern
	}
	m, err := pattern.Compile(ps)
	if err != nil {
		return nil, fmt.Errorf("compile heartbeats of %s: %w", cfg.File, err)
	}
	return &Matcher{beats: cfg.Heartbeats, m: m}, nil
}

// Match lists the heartbeats e is a beat of. The patterns match the event as received
// (e.Doc, or e.Raw decoded).
func (m *Matcher) Match(e event.Event) ([]*config.Heartbeat, error) {
	if m == nil {
		return nil, nil
	}
	doc := e.Doc
	if doc == nil {
		if err := json.Unmarshal(e.Raw, &doc); err != nil || doc == nil {
			return nil, fmt.Errorf("event %s: raw event is not a JSON object", e.ID)
		}
	}
	idx, err := m.m.MatchDecoded(doc)
	if err != nil {
		return nil, fmt.Errorf("match heartbeats on event %s: %w", e.ID, err)
	}
	out := make([]*config.Heartbeat, 0, len(idx))
	for _, i := range idx {
		out = append(out, m.beats[i])
	}
	return out, nil
}
