package dispatch

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/silence"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// QuietStore is what silences, inhibition and grouping need of the store.
type QuietStore interface {
	List(ctx context.Context, f store.Filter) ([]incident.Incident, error)
	Silences(ctx context.Context) ([]silence.Silence, error)
	Change(ctx context.Context, c store.Change) (bool, error)
	Timeline(ctx context.Context, id string) ([]incident.Entry, error)
}

// Quiet is why a new incident does not page.
type Quiet struct {
	Reason incident.Kind // KindSilenced, KindInhibited, KindGrouped
	By     string        // the silence id or the parent incident
	Detail string
}

// quiet decides whether a newly opened incident pages: a silence keeps it quiet (and
// stops its runbook); an inhibiting or grouping parent takes its page. The decision is
// recorded on the incident (and the parent's timeline) once. Only candidates are
// fetched, never every active incident.
func (d *Dispatcher) quiet(ctx context.Context, inc incident.Incident, at time.Time) (*Quiet, error) {
	if inc.SilencedBy != "" {
		return &Quiet{Reason: incident.KindSilenced, By: inc.SilencedBy}, nil
	}
	if inc.Parent != "" {
		// Attached by an earlier attempt, which may have failed before it wrote the
		// parent's entry: write it again (by its key, once).
		q := &Quiet{Reason: incident.Kind(inc.ParentReason), By: inc.Parent}
		if q.Reason == incident.KindGrouped || q.Reason == incident.KindInhibited {
			// Its own entry too: the change that set its parent writes the incident, then
			// the entry; an entry already written is kept as it is (by its key).
			own := incident.Entry{Incident: inc.ID, At: at.Add(1), Kind: q.Reason, Actor: "firebreak", Key: "quiet:" + inc.ID,
				Detail: fmt.Sprintf("Attached to %s (%s): not paged.", inc.Parent, q.Reason), Data: map[string]string{"parent": inc.Parent}}
			if err := d.Store.AddEntries(ctx, own, childEntry(inc, inc.Parent, q.Reason, at)); err != nil {
				return nil, err
			}
		}
		if q.Reason == incident.KindGrouped && inc.Severity != "" { // and the group's raise, which may have failed too
			parent, err := d.Store.Get(ctx, inc.Parent)
			if err != nil {
				return nil, err
			}
			if err := d.raise(ctx, inc, parent, at, true); err != nil {
				return nil, err
			}
		}
		return q, nil
	}
	for _, step := range []func(context.Context, incident.Incident, time.Time) (*Quiet, error){d.silence, d.inhibit, d.group} {
		if q, err := step(ctx, inc, at); q != nil || err != nil {
			return q, err
		}
	}
	return nil, nil
}

// silence keeps inc quiet when a silence in force selects it.
func (d *Dispatcher) silence(ctx context.Context, inc incident.Incident, at time.Time) (*Quiet, error) {
	silences := append([]silence.Silence(nil), d.Config.Silences...)
	stored, err := d.Quiet.Silences(ctx)
	if err != nil {
		return nil, err
	}
	s, ok := silence.Find(append(silences, stored...), inc, at)
	if !ok {
		return nil, nil
	}
	q := &Quiet{Reason: incident.KindSilenced, By: s.ID, Detail: fmt.Sprintf("Silenced by %s (%s): recorded, nobody paged, no runbook.", s.ID, s.Comment)}
	data := map[string]string{"silence": s.ID}
	if f := s.Forced; f != nil { // whoever insisted on a silence this wide or long is named where it bites
		q.Detail += fmt.Sprintf(" The silence was forced by %s: %s.", f.By, strings.Join(f.Reasons, "; "))
		data["forced_by"] = f.By
	}
	_, err = d.Quiet.Change(ctx, store.Change{Incident: inc.ID, SilencedBy: s.ID, At: at,
		Entry: incident.Entry{Incident: inc.ID, At: at.Add(1), Kind: incident.KindSilenced, Actor: "firebreak", Key: "quiet:" + inc.ID,
			Detail: q.Detail, Data: data}})
	return q, err
}

// inhibit attaches inc to the more severe active incident that inhibits it, if any:
// looked for only when a rule targets inc.
func (d *Dispatcher) inhibit(ctx context.Context, inc incident.Incident, at time.Time) (*Quiet, error) {
	in := Inhibitor{Rules: d.Config.Inhibit}
	rules := in.Targeting(inc)
	f, ok := in.Candidates(inc, rules)
	if !ok {
		return nil, nil
	}
	sources, err := d.Quiet.List(ctx, f)
	if err != nil {
		return nil, err
	}
	sortOpened(sources)
	src, r, ok := in.Source(inc, rules, sources)
	if !ok {
		return nil, nil
	}
	q := &Quiet{Reason: incident.KindInhibited, By: src.ID, Detail: fmt.Sprintf("Inhibited by %s (%s, rule %s): attached to it, not paged.", src.ID, src.Severity, r.Name)}
	return q, d.attach(ctx, inc, src, q, at)
}

// group attaches inc under the first incident of its group opened within the window
// and active when inc's page is due (opened + grouping.wait, by event time: one resolved
// after that still takes it, whenever its resolution was processed), if any, and raises
// the group's severity to inc's when inc is more severe.
func (d *Dispatcher) group(ctx context.Context, inc incident.Incident, at time.Time) (*Quiet, error) {
	g, ok := NewGrouper(d.Config.Grouping)
	if !ok {
		return nil, nil
	}
	f := g.Candidates(inc) // bounded by the window: resolved ones too are few
	f.Status = append(append([]incident.Status(nil), f.Status...), incident.Resolved, incident.Closed)
	near, err := d.Quiet.List(ctx, f)
	if err != nil {
		return nil, err
	}
	if near, err = d.activeAt(ctx, near, inc.OpenedAt.Add(Wait(d.Config))); err != nil {
		return nil, err
	}
	sortOpened(near)
	parent, ok := g.Parent(inc, near)
	if !ok {
		return nil, nil
	}
	q := &Quiet{Reason: incident.KindGrouped, By: parent.ID, Detail: fmt.Sprintf("Grouped under %s (same %s within %s): one page for the group.",
		parent.ID, strings.Join(g.By, ", "), g.Window)}
	if err := d.attach(ctx, inc, parent, q, at); err != nil {
		return nil, err
	}
	if err := d.raise(ctx, inc, parent, at, false); err != nil {
		return nil, err
	}
	return q, nil
}

// raise makes the group as severe as its worst member: inc joined parent's group. On a
// retry of the change that grouped inc (retry), a parent as severe as inc may be so
// because the first attempt raised it and then lost the raise's entry, so the raise is
// asked for again: the store writes the entry if this raise was the parent's last
// change, and does nothing otherwise (Change's retry contract).
func (d *Dispatcher) raise(ctx context.Context, inc, parent incident.Incident, at time.Time, retry bool) error {
	rank, was := inc.Severity.Rank(), parent.Severity.Rank()
	if rank > was || rank == was && !retry {
		return nil
	}
	data := map[string]string{"child": inc.ID, "from": string(parent.Severity), "to": string(inc.Severity)}
	detail := fmt.Sprintf("Severity raised %s → %s: %s joined the group.", parent.Severity, inc.Severity, inc.ID)
	if rank == was { // raised already: from what, the retry no longer knows
		delete(data, "from")
		detail = fmt.Sprintf("Severity raised to %s: %s joined the group.", inc.Severity, inc.ID)
	}
	_, err := d.Quiet.Change(ctx, store.Change{Incident: parent.ID, Severity: inc.Severity, RaiseOnly: true, At: at.Add(2),
		Entry: incident.Entry{At: at.Add(2), Kind: incident.KindSeverityRaised, Actor: "firebreak", Key: "group-raise:" + inc.ID,
			Data: data, Detail: detail}})
	return err
}

// activeAt keeps the incidents that were active at t by event time: those whose status
// has not changed since are as they are now; the others (few: candidates of one group
// within its window, changed since t) as their timelines tell.
func (d *Dispatcher) activeAt(ctx context.Context, incs []incident.Incident, t time.Time) ([]incident.Incident, error) {
	out := incs[:0]
	for _, inc := range incs {
		active := inc.Status.Active()
		if !inc.StateAt.Before(t) {
			tl, err := d.Quiet.Timeline(ctx, inc.ID)
			if err != nil {
				return nil, err
			}
			s, _ := historyOf(inc, tl).asOf(t)
			active = s.Status.Active()
		}
		if active {
			out = append(out, inc)
		}
	}
	return out, nil
}

// sortOpened orders incidents by opening, oldest first (ties by id): the first match wins.
func sortOpened(incs []incident.Incident) {
	sort.Slice(incs, func(i, j int) bool {
		if !incs[i].OpenedAt.Equal(incs[j].OpenedAt) {
			return incs[i].OpenedAt.Before(incs[j].OpenedAt)
		}
		return incs[i].ID < incs[j].ID
	})
}

func (d *Dispatcher) attach(ctx context.Context, child, parent incident.Incident, q *Quiet, at time.Time) error {
	if _, err := d.Quiet.Change(ctx, store.Change{Incident: child.ID, Parent: parent.ID, ParentReason: string(q.Reason), At: at,
		Entry: incident.Entry{Incident: child.ID, At: at.Add(1), Kind: q.Reason, Actor: "firebreak", Key: "quiet:" + child.ID,
			Detail: q.Detail, Data: map[string]string{"parent": parent.ID}}}); err != nil {
		return err
	}
	return d.Store.AddEntries(ctx, childEntry(child, parent.ID, q.Reason, at))
}

// childEntry is the parent's timeline entry that says child was attached to it.
func childEntry(child incident.Incident, parent string, reason incident.Kind, at time.Time) incident.Entry {
	return incident.Entry{Incident: parent, At: at.Add(1), Kind: incident.ChildKind(reason), Actor: "firebreak",
		Key: "child:" + child.ID, Detail: fmt.Sprintf("%s %s: %s (%s)", child.ID, reason, child.Title, child.Severity),
		Data: map[string]string{"child": child.ID}}
}

// pagedBy reports whether anyone was told about the incident by a change at at: under
// grouping.wait, of a change at or before at by event time (a notice's entry is stamped
// with its change's time plus its order, in nanoseconds), so that a recovery whose record
// comes after a later change was told (as a held opening's decision tells it) is told as
// it would have been in its turn; otherwise, of any change.
func (d *Dispatcher) pagedBy(ctx context.Context, id string, at time.Time) (bool, error) {
	tl, err := d.Quiet.Timeline(ctx, id)
	if err != nil {
		return false, err
	}
	_, holding := d.holds()
	for _, e := range tl {
		if e.Kind == incident.KindNotified && (!holding || e.At.Before(at.Add(time.Microsecond))) {
			return true, nil
		}
	}
	return false, nil
}
