package dispatch

import (
	"sort"
	"strings"
	"time"

	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// An incident's history by event time, read from its timeline: what its status, severity
// and owner were at any moment, and the changes dispatch tells, each named by what it is
// and when it happened (not by the incident's version, which counts writes in the order
// they arrived). A held opening is decided with it as of its hold's end (wait.go).

// state is what an incident's notices say of it at a moment.
type state struct {
	Status   incident.Status
	Severity incident.Severity
	Team     string
}

// step is one change of an incident's status, severity or owner, at its event time.
type step struct {
	At     time.Time
	Change Change // as Classify names it (None for moves that tell nobody, e.g. ack → open)
	Key    string // changeKey(Change, At): the change's name in notices' keys
	Before state
	After  state
}

// changeKey names a change for its notices' keys: what it is and when it happened, to the
// microsecond (a change whose entry is stamped a nanosecond after it, as a runbook's
// mitigation is, is named alike from its record and from its entry).
func changeKey(c Change, at time.Time) string {
	return string(c) + "@" + at.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano)
}

// tells reports whether dispatch tells anyone of a change of an incident it paged.
func tells(c Change) bool {
	switch c {
	case Retriggered, SeverityRaised, Mitigated, Resolved, OwnerChanged:
		return true
	}
	return false
}

// statusOf is the status a timeline entry of kind k moves its incident to ("": none).
var statusOf = map[incident.Kind]incident.Status{
	incident.KindMitigated: incident.Mitigated, incident.KindRetriggered: incident.Open, incident.KindReopened: incident.Open,
	incident.KindAcknowledged: incident.Acknowledged, incident.KindResolved: incident.Resolved, incident.KindClosed: incident.Closed,
}

// move is one field's change read from the timeline (or, for the last one, from the
// incident when its entry is not written yet).
type move struct {
	at             time.Time
	key            string // the entry's key: ties at one time are taken in its order
	status         incident.Status
	severity, from incident.Severity
	team, teamFrom string
	isSev, isOwner bool
	isStatus       bool
}

// history is an incident's changes by event time and its state when it opened.
type history struct {
	opened time.Time
	first  state
	steps  []step
}

// historyOf reads inc's history from its timeline tl. Every status change, severity
// change and hand-over writes an entry stamped with its event time (intake: the event's;
// a person: when they acted), with the severity's and owner's "from" and "to"; the
// incident's own fields stand in for the last change whose entry is not written yet.
func historyOf(inc incident.Incident, tl []incident.Entry) history {
	var moves []move
	for _, e := range tl {
		switch {
		case statusOf[e.Kind] != "":
			moves = append(moves, move{at: e.At, key: e.Key, status: statusOf[e.Kind], isStatus: true})
		case e.Kind == incident.KindSeverityRaised || e.Kind == incident.KindSeverityChanged:
			if to := incident.Severity(e.Data["to"]); to != "" {
				moves = append(moves, move{at: e.At, key: e.Key, severity: to, from: incident.Severity(e.Data["from"]), isSev: true})
			}
		case e.Kind == incident.KindOwnerChanged:
			if to := e.Data["to"]; to != "" {
				moves = append(moves, move{at: e.At, key: e.Key, team: to, teamFrom: e.Data["from"], isOwner: true})
			}
		}
	}
	sort.SliceStable(moves, func(i, j int) bool {
		if !moves[i].at.Equal(moves[j].at) {
			return moves[i].at.Before(moves[j].at)
		}
		return moves[i].key < moves[j].key
	})
	h := history{opened: inc.OpenedAt, first: state{Status: incident.Open, Severity: inc.Severity, Team: inc.Team}}
	for _, m := range moves { // the opening's severity and owner: the first change's "from"
		if m.isSev {
			h.first.Severity = incident.Severity(first(string(m.from), string(m.severity)))
			break
		}
	}
	for _, m := range moves {
		if m.isOwner {
			h.first.Team = first(m.teamFrom, m.team)
			break
		}
	}
	moves = append(moves, latest(inc, h.first, moves)...)
	sort.SliceStable(moves, func(i, j int) bool { return moves[i].at.Before(moves[j].at) })
	cur := h.first
	for _, m := range moves {
		next := cur
		switch {
		case m.isStatus:
			next.Status = m.status
		case m.isSev:
			next.Severity = m.severity
		case m.isOwner:
			next.Team = m.team
		}
		if next == cur {
			continue
		}
		c := classify(cur, next)
		h.steps = append(h.steps, step{At: m.at, Change: c, Key: changeKey(c, m.at), Before: cur, After: next})
		cur = next
	}
	return h
}

// latest is the changes the incident's fields show that its timeline does not yet (a
// change is written before its entry): its status since StateAt, its severity since
// SeverityAt, its owner since its last update, each when no entry of that field is as
// recent.
func latest(inc incident.Incident, s state, moves []move) []move {
	var status, sev, owner bool // an entry as recent as the field's last change
	for _, m := range moves {
		switch {
		case m.isStatus:
			s.Status = m.status
			status = status || !m.at.Before(inc.StateAt)
		case m.isSev:
			s.Severity = m.severity
			sev = sev || !m.at.Before(inc.SeverityAt)
		case m.isOwner:
			s.Team = m.team
			owner = owner || !m.at.Before(inc.LastUpdateAt)
		}
	}
	var out []move
	if !status && inc.Status != "" && inc.Status != s.Status && inc.StateAt.After(inc.OpenedAt) {
		out = append(out, move{at: inc.StateAt, key: "~status", status: inc.Status, isStatus: true})
	}
	if !sev && inc.Severity != "" && inc.Severity != s.Severity && !inc.SeverityAt.IsZero() {
		out = append(out, move{at: inc.SeverityAt, key: "~severity", severity: inc.Severity, from: s.Severity, isSev: true})
	}
	if !owner && inc.Team != "" && inc.Team != s.Team && inc.LastUpdateAt.After(inc.OpenedAt) {
		out = append(out, move{at: inc.LastUpdateAt, key: "~owner", team: inc.Team, teamFrom: s.Team, isOwner: true})
	}
	return out
}

// step is the change named key (changeKey), if the history has it.
func (h history) step(key string) (step, bool) {
	for _, st := range h.steps {
		if st.Key == key {
			return st, true
		}
	}
	return step{}, false
}

// classify names the change from before to after as Classify names a stream record's.
func classify(before, after state) Change {
	o := incident.Incident{Status: before.Status, Severity: before.Severity, Team: before.Team}
	n := incident.Incident{Status: after.Status, Severity: after.Severity, Team: after.Team}
	return Classify(store.StreamRecord{Old: &o, New: n})
}

// asOf is the state as t began (every change before it applied: a change at t itself is
// after it, so that a decision made when the clock reads t takes in the same changes
// whether or not those at t were processed yet) and the keys of the changes it takes in
// that dispatch would tell.
func (h history) asOf(t time.Time) (state, []string) {
	s, keys := h.first, []string(nil)
	for _, st := range h.steps {
		if !st.At.Before(t) {
			break
		}
		s = st.After
		if tells(st.Change) {
			keys = append(keys, st.Key)
		}
	}
	return s, keys
}

// reflects is the set of change keys a decision's entry says its page (or its "not
// paged") took in (DataReflects, comma-separated).
func reflects(e incident.Entry) map[string]bool {
	out := map[string]bool{}
	for _, k := range strings.Split(e.Data[DataReflects], ",") {
		if k != "" {
			out[k] = true
		}
	}
	return out
}
