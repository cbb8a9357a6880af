package store

import (
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/firebreak-ops/firebreak/internal/incident"
)

// openedRef places an incident in the memory store's index by opening time, which
// answers List with OpenedSince (dispatch's grouping candidates) in time proportional
// to the incidents opened since then, as the DynamoDB list index does. An opening moved
// earlier (OpenEarlier) moves in it too, as list_sk does, so that a window's upper
// bound (OpenedUntil) can stop the walk.
type openedRef struct {
	at time.Time
	id string
}

// scope is an incident's account and region, which never change: the memory store also
// keeps its opening-time and status indexes per scope, so that dispatch's candidates
// (grouping and inhibition narrow to the incident's account and region) cost what the
// scope holds, not what every account and region opened.
type scope struct{ account, region string }

// scopedStatus keys the per-scope status index.
type scopedStatus struct {
	scope
	status incident.Status
}

func scopeOf(inc *incident.Incident) scope { return scope{inc.Account, inc.Region} }

// filterScope is the scope f narrows to; false when it leaves account or region open.
func filterScope(f Filter) (scope, bool) {
	return scope{f.Account, f.Region}, f.Account != "" && f.Region != ""
}

// indexOpened adds inc to the opening-time indexes. Caller holds m.mu.
func (m *Memory) indexOpened(inc *incident.Incident) {
	r := openedRef{at: inc.OpenedAt, id: inc.ID}
	m.opened = insertOpened(m.opened, r)
	if m.openedIn == nil {
		m.openedIn = map[scope][]openedRef{}
	}
	sc := scopeOf(inc)
	m.openedIn[sc] = insertOpened(m.openedIn[sc], r)
}

// moveOpened moves inc, opened at was until now, to its opening time in the
// opening-time indexes (OpenEarlier: rare). Caller holds m.mu.
func (m *Memory) moveOpened(inc *incident.Incident, was time.Time) {
	old := openedRef{at: was, id: inc.ID}
	m.opened = removeOpened(m.opened, old)
	sc := scopeOf(inc)
	m.openedIn[sc] = removeOpened(m.openedIn[sc], old)
	m.indexOpened(inc)
}

func removeOpened(refs []openedRef, r openedRef) []openedRef {
	i := sort.Search(len(refs), func(i int) bool {
		return !refs[i].at.Before(r.at) && (refs[i].at.After(r.at) || refs[i].id >= r.id)
	})
	if i < len(refs) && refs[i].id == r.id && refs[i].at.Equal(r.at) {
		return slices.Delete(refs, i, i+1)
	}
	return refs
}

// insertOpened inserts r in refs, kept by time then id; incidents mostly open in time
// order, so the walk from the end is short.
func insertOpened(refs []openedRef, r openedRef) []openedRef {
	i := len(refs)
	for i > 0 && (refs[i-1].at.After(r.at) || (refs[i-1].at.Equal(r.at) && refs[i-1].id > r.id)) {
		i--
	}
	refs = append(refs, openedRef{})
	copy(refs[i+1:], refs[i:])
	refs[i] = r
	return refs
}

// listOpenedSince answers List for a filter with OpenedSince. Caller holds m.mu.
func (m *Memory) listOpenedSince(f Filter) ([]incident.Incident, error) {
	refs := m.opened
	if sc, ok := filterScope(f); ok {
		refs = m.openedIn[sc]
	}
	i := sort.Search(len(refs), func(i int) bool { return !refs[i].at.Before(f.OpenedSince) })
	var out []incident.Incident
	for _, r := range refs[i:] {
		if !f.OpenedUntil.IsZero() && r.at.After(f.OpenedUntil) {
			break // refs are in opening order
		}
		inc, led, err := m.lookup(r.id)
		if err != nil {
			return nil, err
		}
		if inc != nil && statusIn(inc.Status, f.Status) && f.admits(inc) {
			out = append(out, m.counted(inc, led))
		}
	}
	sortIncidents(out)
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, nil
}

// indexScoped moves incident inc in the per-scope status indexes (by severity, and by
// class) after a change from old (nil: it is new). Caller holds m.mu.
func (m *Memory) indexScoped(inc *incident.Incident, old *incident.Incident) {
	if old != nil && old.Status == inc.Status && old.Severity == inc.Severity && old.Class == inc.Class {
		return
	}
	if m.byScope == nil {
		m.byScope = map[scopedStatus]map[incident.Severity]map[string]bool{}
		m.byScopeClass = map[scopedStatus]map[string]map[string]bool{}
	}
	if old != nil {
		k := scopedStatus{scopeOf(old), old.Status}
		delete(m.byScope[k][old.Severity], inc.ID)
		delete(m.byScopeClass[k][old.Class], inc.ID)
	}
	k := scopedStatus{scopeOf(inc), inc.Status}
	if m.byScope[k] == nil {
		m.byScope[k] = map[incident.Severity]map[string]bool{}
		m.byScopeClass[k] = map[string]map[string]bool{}
	}
	if m.byScope[k][inc.Severity] == nil {
		m.byScope[k][inc.Severity] = map[string]bool{}
	}
	m.byScope[k][inc.Severity][inc.ID] = true
	if m.byScopeClass[k][inc.Class] == nil {
		m.byScopeClass[k][inc.Class] = map[string]bool{}
	}
	m.byScopeClass[k][inc.Class][inc.ID] = true
}

// listScoped answers List for a filter narrowed to one account and region, without
// OpenedSince, from the per-scope status index: by class when f asks for a class prefix
// (dispatch's inhibition asks for its rules' source classes: what it visits is the
// scope's classes and the incidents of the classes asked for, not every active
// incident), else by severity. Caller holds m.mu.
func (m *Memory) listScoped(f Filter, sc scope, statuses []incident.Status) ([]incident.Incident, error) {
	var out []incident.Incident
	var err error
	seen := map[incident.Status]bool{}
	for _, st := range statuses {
		if seen[st] {
			continue
		}
		seen[st] = true
		k := scopedStatus{sc, st}
		if f.ClassPrefix != "" {
			for class, ids := range m.byScopeClass[k] {
				if !strings.HasPrefix(class, f.ClassPrefix) {
					continue
				}
				if out, err = m.appendAdmitted(out, f, ids); err != nil {
					return nil, err
				}
			}
			continue
		}
		for sev, ids := range m.byScope[k] {
			if len(f.Severities) > 0 && !slices.Contains(f.Severities, sev) {
				continue // dispatch's inhibition asks for the more severe only
			}
			if out, err = m.appendAdmitted(out, f, ids); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}
