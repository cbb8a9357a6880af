package store

import (
	"context"
	"encoding/binary"
	"fmt"
	"hash/maphash"
	"slices"
	"sort"
	"time"

	"github.com/firebreak-ops/firebreak/internal/problem"
)

// memProblems holds the problem items of a Memory store (under its lock).
type memProblems struct {
	recur     map[string]problem.Recurrence
	problems  map[string]problem.Problem
	byStatus  map[problem.Status]map[string]bool
	links     map[string]map[string]time.Time // problem -> incident -> when linked
	timelines map[string][]problem.Entry      // in a spilling store, the entries not yet in chunks
	chunks    map[string][]spillRef           // problem -> its entries written out (memory_problem_spill.go)
	entryKeys map[[2]uint64]bool              // problem, time and key of every entry (entryHash): a redelivered entry is found at once
	seeds     [2]maphash.Seed
}

func (m *Memory) prob() *memProblems {
	if m.problems == nil {
		m.problems = &memProblems{recur: map[string]problem.Recurrence{}, problems: map[string]problem.Problem{},
			byStatus: map[problem.Status]map[string]bool{}, links: map[string]map[string]time.Time{}, timelines: map[string][]problem.Entry{},
			entryKeys: map[[2]uint64]bool{}, seeds: [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}}
	}
	return m.problems
}

func cloneRecurrence(r problem.Recurrence) problem.Recurrence {
	r.Occurrences = slices.Clone(r.Occurrences)
	return r
}

func cloneProblem(p problem.Problem) problem.Problem {
	p.Incidents, p.Actions = slices.Clone(p.Incidents), slices.Clone(p.Actions)
	if p.Actions == nil {
		p.Actions = []string{}
	}
	if p.Incidents == nil {
		p.Incidents = []string{}
	}
	return p
}

// Recur: see Problems.Recur.
func (m *Memory) Recur(_ context.Context, fp string, apply func(*problem.Recurrence) bool) (problem.Recurrence, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	defer m.settle()
	if err := m.hotPrint(fp); err != nil { // a spilling store's recurrences spill with their fingerprints
		return problem.Recurrence{}, err
	}
	ps := m.prob()
	r, ok := ps.recur[fp]
	if !ok {
		r = problem.Recurrence{Fingerprint: fp}
	}
	r = cloneRecurrence(r)
	if apply(&r) {
		r.Version++
		ps.recur[fp] = cloneRecurrence(r)
	}
	return r, nil
}

// CreateProblem: see Problems.CreateProblem.
func (m *Memory) CreateProblem(_ context.Context, p problem.Problem, opened problem.Entry) (problem.Problem, bool, error) {
	if p.ID == "" || p.Status == "" {
		return problem.Problem{}, false, fmt.Errorf("create problem: id and status are required")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	ps := m.prob()
	existing, ok := ps.problems[p.ID]
	if !ok {
		p.Version, p.UpdatedAt, p.Incidents = 1, m.now().UTC(), nil
		ps.problems[p.ID] = cloneProblem(p)
		ps.index(p)
		ps.addEntry(opened)
		m.spillProblemTail(opened.Problem)
	}
	if ok {
		return cloneProblem(existing), false, nil
	}
	return cloneProblem(ps.problems[p.ID]), true, nil
}

func (ps *memProblems) index(p problem.Problem) {
	for _, set := range ps.byStatus {
		delete(set, p.ID)
	}
	if ps.byStatus[p.Status] == nil {
		ps.byStatus[p.Status] = map[string]bool{}
	}
	ps.byStatus[p.Status][p.ID] = true
}

func (ps *memProblems) view(id string) problem.Problem {
	p := cloneProblem(ps.problems[id])
	p.Incidents = p.Incidents[:0]
	for inc := range ps.links[id] {
		p.Incidents = append(p.Incidents, inc)
	}
	sort.Strings(p.Incidents)
	return p
}

// entryHash is an entry's problem, time and key in 128 bits (two hashes of independent
// seeds): a problem's timeline gains an entry per incident linked, and the set of them
// kept each one's text; two collide with a probability of about n²/2¹²⁹.
func (ps *memProblems) entryHash(e problem.Entry) [2]uint64 {
	var h [2]uint64
	var at [12]byte
	binary.LittleEndian.PutUint64(at[:8], uint64(e.At.Unix()))
	binary.LittleEndian.PutUint32(at[8:], uint32(e.At.Nanosecond()))
	for i, seed := range ps.seeds {
		var mh maphash.Hash
		mh.SetSeed(seed)
		mh.WriteString(e.Problem)
		mh.WriteByte(0)
		mh.Write(at[:])
		mh.WriteString(e.Key)
		h[i] = mh.Sum64()
	}
	return h
}

func (ps *memProblems) addEntry(e problem.Entry) {
	if e.Problem == "" || e.Key == "" {
		return
	}
	e.At = e.At.UTC()
	k := ps.entryHash(e)
	if ps.entryKeys[k] {
		return
	}
	ps.entryKeys[k] = true
	tl := ps.timelines[e.Problem]
	i := sort.Search(len(tl), func(i int) bool {
		if !tl[i].At.Equal(e.At) {
			return tl[i].At.After(e.At)
		}
		return tl[i].Key > e.Key
	})
	tl = append(tl, problem.Entry{})
	copy(tl[i+1:], tl[i:])
	tl[i] = e
	ps.timelines[e.Problem] = tl
}

// GetProblem: see Problems.GetProblem.
func (m *Memory) GetProblem(_ context.Context, id string) (problem.Problem, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	ps := m.prob()
	if _, ok := ps.problems[id]; !ok {
		return problem.Problem{}, fmt.Errorf("problem %s: %w", id, problem.ErrNotFound)
	}
	return ps.view(id), nil
}

// ListProblems: see Problems.ListProblems. It visits only the statuses asked for.
func (m *Memory) ListProblems(_ context.Context, f problem.Filter) ([]problem.Problem, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	ps := m.prob()
	statuses := f.Status
	if len(statuses) == 0 {
		statuses = problem.Statuses
	}
	out := []problem.Problem{}
	for _, st := range statuses {
		for id := range ps.byStatus[st] {
			if p := ps.problems[id]; f.Admits(p) {
				out = append(out, cloneProblem(p))
			}
		}
	}
	problem.Sort(out)
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, nil
}

// UpdateProblem: see Problems.UpdateProblem.
func (m *Memory) UpdateProblem(_ context.Context, id string, apply func(*problem.Problem) error, entry problem.Entry) (problem.Problem, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	ps := m.prob()
	if _, ok := ps.problems[id]; !ok {
		return problem.Problem{}, fmt.Errorf("problem %s: %w", id, problem.ErrNotFound)
	}
	p := cloneProblem(ps.problems[id])
	if err := apply(&p); err != nil {
		return problem.Problem{}, err
	}
	p.ID, p.Version, p.UpdatedAt, p.Incidents = id, p.Version+1, m.now().UTC(), nil
	ps.problems[id] = cloneProblem(p)
	ps.index(p)
	entry.Problem = id
	ps.addEntry(entry)
	m.spillProblemTail(id)
	return cloneProblem(p), nil
}

// LinkIncident: see Problems.LinkIncident.
func (m *Memory) LinkIncident(_ context.Context, id, incidentID string, at time.Time) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	ps := m.prob()
	if _, ok := ps.problems[id]; !ok {
		return false, fmt.Errorf("link %s to problem %s: %w", incidentID, id, problem.ErrNotFound)
	}
	if ps.links[id] == nil {
		ps.links[id] = map[string]time.Time{}
	}
	if _, ok := ps.links[id][incidentID]; ok {
		return false, nil
	}
	ps.links[id][incidentID] = at.UTC()
	return true, nil
}

// ProblemTimeline: see Problems.ProblemTimeline.
func (m *Memory) ProblemTimeline(_ context.Context, id string) ([]problem.Entry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	ps := m.prob()
	if _, ok := ps.problems[id]; !ok {
		return nil, fmt.Errorf("timeline: problem %s: %w", id, problem.ErrNotFound)
	}
	return m.problemTimeline(id)
}

// AddProblemEntries: see Problems.AddProblemEntries.
func (m *Memory) AddProblemEntries(_ context.Context, entries ...problem.Entry) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	ps := m.prob()
	for _, e := range entries {
		if _, ok := ps.problems[e.Problem]; !ok {
			return fmt.Errorf("problem timeline entry %q: problem %s: %w", e.Key, e.Problem, problem.ErrNotFound)
		}
	}
	for _, e := range entries {
		ps.addEntry(e)
		m.spillProblemTail(e.Problem)
	}
	return nil
}
