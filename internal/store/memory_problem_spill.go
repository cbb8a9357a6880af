package store

import (
	"fmt"
	"sort"

	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/problem"
)

// A problem's timeline gains an entry for every incident it explains: a storm that
// recurs for days links tens of thousands. A spilling store (memory_spill.go) keeps
// of each problem's timeline only its latest entries in memory, at most problemTail,
// and writes the others to its file in sorted chunks as the tail fills;
// ProblemTimeline reads the chunks back and merges them with the tail. Entries are
// kept apart by time and key (entryKeys), so ordering all of them by time then key
// gives the order an all-in-memory timeline has.

// problemTail is how many entries of a problem's timeline a spilling store keeps in
// memory before it writes them out as one chunk: few, as a replay opens thousands of
// problems of a few dozen incidents each (a tail of 256 spilled nothing at a million
// events); only the API reads a problem's timeline back.
const problemTail = 16

// spillProblemTail writes problem id's in-memory entries out as a chunk once they fill
// problemTail; on a failure they stay in memory. Caller holds m.mu.
func (m *Memory) spillProblemTail(id string) {
	s, ps := m.spill, m.prob()
	tl := ps.timelines[id]
	if s == nil || s.off || len(tl) < problemTail {
		return
	}
	entries := make([]incident.Entry, len(tl))
	for i, e := range tl {
		entries[i] = incident.Entry{At: e.At, Kind: e.Kind, Actor: e.Actor, Detail: e.Detail, Key: e.Key, Data: e.Data}
	}
	s.buf = encodeEntries(s.buf[:0], entries)
	ref, err := s.write(s.buf)
	if err != nil {
		return
	}
	if ps.chunks == nil {
		ps.chunks = map[string][]spillRef{}
	}
	ps.chunks[id] = append(ps.chunks[id], ref)
	ps.timelines[id] = nil
}

// problemTimeline is problem id's whole timeline: its spilled chunks read back and
// its entries in memory, in order. Caller holds m.mu.
func (m *Memory) problemTimeline(id string) ([]problem.Entry, error) {
	ps := m.prob()
	chunks := ps.chunks[id]
	if len(chunks) == 0 {
		return append([]problem.Entry(nil), ps.timelines[id]...), nil
	}
	var out []problem.Entry
	for _, ref := range chunks {
		b, err := m.spill.read(ref)
		if err != nil {
			return nil, fmt.Errorf("timeline of problem %s: read back: %w", id, err)
		}
		entries, err := decodeEntries("", b, m.shared())
		if err != nil {
			return nil, fmt.Errorf("timeline of problem %s: read back: %w", id, err)
		}
		for _, e := range entries {
			out = append(out, problem.Entry{Problem: id, At: e.At, Kind: e.Kind, Actor: e.Actor, Detail: e.Detail, Key: e.Key, Data: e.Data})
		}
	}
	out = append(out, ps.timelines[id]...)
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].At.Equal(out[j].At) {
			return out[i].At.Before(out[j].At)
		}
		return out[i].Key < out[j].Key
	})
	return out, nil
}
