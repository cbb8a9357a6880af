package intake

import (
	"context"
	"fmt"
	"time"

	"github.com/firebreak-ops/firebreak/internal/classify"
	"github.com/firebreak-ops/firebreak/internal/event"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// correlation is one fingerprint's events of a batch on their way into its incident.
type correlation struct {
	g     *group
	inc   incident.Incident
	items []item // the events the incident takes, in event-time order
	// adoptFrom: the incident took its opening (or re-opening) from this batch at that
	// time; the loose events of its fingerprint from then on (delivered earlier, while
	// nothing was open) are its own, and are taken in (up to adoptTo, when set).
	adoptFrom, adoptTo time.Time
	// again: the batch holds the event that opened the incident, which an earlier
	// delivery opened (adoptFrom is its opening again: redelivered.go).
	again      bool
	openedBy   string          // the event that opened the incident
	reopenedBy string          // the event that re-opened it, resolved, in this batch
	reopen     *store.Change   // the re-opening to write once the events are recorded
	changedBy  map[string]bool // the events whose change (mitigated, retriggered) was applied
	isNew      map[string]bool // events the ledger had not recorded before
}

func (c *correlation) outcome(it item, k Kind) Outcome {
	return Outcome{MessageID: it.msg, EventID: it.ev.ID, Time: it.ev.Time, Kind: k, Class: it.res.Class,
		Severity: it.res.Severity, Team: it.res.Team, Fingerprint: c.g.fp, Incident: c.inc.ID}
}

// looseOutcome is the outcome of an event no incident takes.
func (g *group) looseOutcome(it item, k Kind, inc string) Outcome {
	return Outcome{MessageID: it.msg, EventID: it.ev.ID, Time: it.ev.Time, Kind: k, Class: it.res.Class,
		Severity: it.res.Severity, Team: it.res.Team, Fingerprint: g.fp, Incident: inc}
}

// correlate records one fingerprint's events of the batch and applies the incident
// changes they imply. kept are the events it kept loose as no active incident's own:
// Process checks them against the incident that is current after it kept them
// (recheckLoose), as another worker may be opening one at the same moment.
func (p *Processor) correlate(ctx context.Context, g *group, current map[string]incident.Incident) (out []Outcome, kept []item, err error) {
	if !g.incidentClass() {
		out, err = p.recordLoose(ctx, g.fp, g.items, g.looseOutcome, false)
		return out, nil, err
	}
	c := &correlation{g: g}
	inc, has := current[g.fp]
	c.inc = inc
	if !has || !inc.Status.Active() {
		opener := g.firstTrigger()
		if opener < 0 { // nothing to open: recoveries and info with no active incident
			out, err = p.recordLoose(ctx, g.fp, g.items, g.looseOutcome, true)
			return out, g.items, err
		}
		if err := p.openOrReopen(ctx, c, has, g.items[opener]); err != nil {
			return nil, nil, err
		}
	}
	c.openedBy = c.inc.OpenedBy
	if c.adoptAgain(&p.complete) {
		if err := p.completeOpening(ctx, c); err != nil {
			return nil, nil, err
		}
	}
	if err := p.takeEarlierOpening(ctx, c); err != nil {
		return nil, nil, err
	}
	out, kept, err = p.takeItems(ctx, c)
	if err != nil {
		return out, kept, err
	}
	if len(c.items) == 0 {
		return out, kept, p.applyReopen(ctx, c)
	}
	laterSeen, err := p.laterSeen(ctx, c)
	if err != nil {
		return nil, nil, err
	}
	if err := p.record(ctx, c); err != nil {
		return nil, nil, err
	}
	if err := p.applyReopen(ctx, c); err != nil {
		return nil, nil, err
	}
	after, err := p.applyNetChange(ctx, c, c.ownLatest(laterSeen))
	if err != nil {
		return nil, nil, err
	}
	if err := p.raiseSeverity(ctx, c); err != nil {
		return nil, nil, err
	}
	if err := p.noteRepeat(ctx, c, after); err != nil {
		return nil, nil, err
	}
	if !c.adoptFrom.IsZero() && c.inc.OpenedBy != "" { // the batch opened it, or completed its opening
		p.complete.add(c.inc)
	}
	return append(out, c.outcomes()...), kept, nil
}

// incidentClass reports whether any event of the group is of a class that makes incidents.
func (g *group) incidentClass() bool {
	for _, it := range g.items {
		if it.res.IncidentClass {
			return true
		}
	}
	return false
}

// firstTrigger is the index of the group's first event that opens an incident; -1: none.
func (g *group) firstTrigger() int {
	for i, it := range g.items {
		if it.res.Incident {
			return i
		}
	}
	return -1
}

// openOrReopen gives the fingerprint an active incident from its first trigger: the
// resolved incident it belongs to (a late event from before the resolution), the
// resolved one re-opened (recurring within ReopenWithin), or a new one.
func (p *Processor) openOrReopen(ctx context.Context, c *correlation, has bool, opener item) error {
	inc, first := c.inc, opener.ev
	switch {
	case has && inc.Status == incident.Resolved && !first.Time.After(inc.ResolvedAt):
		// A late event from before the resolution: it belongs to the resolved incident.
	case has && inc.Status == incident.Resolved && p.ReopenWithin > 0 && first.Time.Sub(inc.ResolvedAt) <= p.ReopenWithin:
		// Written after the events are on the ledger (applyReopen), so that a redelivery
		// after the re-opening landed without its entry finds its trigger recorded, and
		// completes it (completeLastChange).
		ch := reopenOf(inc.ID, first, first.Time.Sub(inc.ResolvedAt))
		c.reopen = &ch
		c.inc.Status, c.inc.StateAt = incident.Open, first.Time
		c.adoptFrom = first.Time
	default:
		opened, err := p.open(ctx, c.g.fp, opener, inc, has)
		if err != nil {
			return err
		}
		c.inc = opened
		c.adoptFrom = opened.OpenedAt
	}
	return nil
}

// applyReopen re-opens the resolved incident openOrReopen chose to re-open.
func (p *Processor) applyReopen(ctx context.Context, c *correlation) error {
	if c.reopen == nil {
		return nil
	}
	ok, err := p.store.Change(ctx, *c.reopen)
	if err != nil {
		return err
	}
	if ok {
		c.reopenedBy = c.reopen.Entry.Data[incident.DataEventID]
	}
	return nil
}

// takeEarlierOpening moves the opening of an active incident back to a trigger older
// than it that arrived late: the incident opened then.
func (p *Processor) takeEarlierOpening(ctx context.Context, c *correlation) error {
	if !c.inc.Status.Active() {
		return nil
	}
	i := c.g.firstTrigger() // items are in event-time order: the first trigger is the earliest
	if i < 0 || !before(c.g.items[i].ev, c.inc.OpenedAt, c.inc.OpenedBy) {
		return nil
	}
	prev := c.inc.OpenedAt
	if err := p.openEarlier(ctx, &c.inc, c.g.items[i]); err != nil {
		return err
	}
	if c.adoptFrom.IsZero() { // only what was before the old opening is new to it
		c.adoptTo = prev
	}
	c.adoptFrom = c.inc.OpenedAt
	return nil
}

// takeItems settles which events the incident takes: non-trigger events older than its
// opening event are not part of it (they are counted on the fingerprint, in every
// delivery alike: their outcomes are returned), and loose events delivered earlier that
// are its own now are adopted. It returns the events it kept loose.
func (p *Processor) takeItems(ctx context.Context, c *correlation) ([]Outcome, []item, error) {
	var loose []item
	for _, it := range c.g.items {
		if !it.res.Incident && before(it.ev, c.inc.OpenedAt, c.inc.OpenedBy) {
			loose = append(loose, it)
		} else {
			c.items = append(c.items, it)
		}
	}
	var out []Outcome
	if len(loose) > 0 {
		o, err := p.recordLoose(ctx, c.g.fp, loose, c.g.looseOutcome, true)
		if err != nil {
			return nil, nil, err
		}
		out = o
	}
	if !c.adoptFrom.IsZero() {
		adopted, err := p.adopt(ctx, c.g.fp, c.adoptFrom, c.adoptTo, c.items)
		if err != nil {
			return nil, nil, err
		}
		c.items = adopted
	}
	return out, loose, nil
}

// laterSeen is the latest event earlier batches recorded on the incident, read only when
// a recovery of this batch could mitigate it: delivery order is not event order, and a
// later trigger counts then. (An incident that is open or acknowledged since StateAt has
// no later recorded recovery that could have mitigated it.) Zero: not read.
func (p *Processor) laterSeen(ctx context.Context, c *correlation) (time.Time, error) {
	freshlyOpened := !c.adoptFrom.IsZero() && c.adoptTo.IsZero() && !c.again
	if (c.inc.Status != incident.Open && c.inc.Status != incident.Acknowledged) || freshlyOpened {
		return time.Time{}, nil
	}
	for _, it := range c.items {
		if it.ev.Signal == event.Recovery && !it.ev.Time.Before(c.inc.StateAt) {
			cur, err := p.store.Get(ctx, c.inc.ID)
			if err != nil {
				return time.Time{}, err
			}
			return cur.LastSeen, nil
		}
	}
	return time.Time{}, nil
}

// ownLatest is laterSeen unless this batch's own event explains it: an event of the
// batch that an earlier delivery recorded (a redelivery) at that second is the latest
// the ledger had, not a later event of another batch. The ledger keeps seconds, so a
// later event of another batch in the same second is taken for the batch's own.
func (c *correlation) ownLatest(laterSeen time.Time) time.Time {
	if laterSeen.IsZero() {
		return laterSeen
	}
	for _, it := range c.items {
		if !c.isNew[it.ev.ID] && it.ev.Time.Unix() == laterSeen.Unix() {
			return time.Time{}
		}
	}
	return laterSeen
}

// record writes the events on the incident's ledger and notes which were new to it.
func (p *Processor) record(ctx context.Context, c *correlation) error {
	refs := make([]store.EventRef, len(c.items))
	for i, it := range c.items {
		refs[i] = store.EventRef{ID: it.ev.ID, Time: it.ev.Time, Signal: it.ev.Signal}
	}
	added, err := p.store.Record(ctx, store.Ledger{Incident: c.inc.ID}, refs)
	if err != nil {
		return err
	}
	c.isNew = make(map[string]bool, len(added))
	for _, r := range added {
		c.isNew[r.ID] = true
	}
	return nil
}

// transition is one lifecycle change the batch's events make: to state, caused by the
// event at index cause of the batch's items.
type transition struct {
	state incident.Status
	cause int
}

// transitions are the lifecycle changes of the events, in event-time order, from the
// incident's last change on: a recovery mitigates an open or acknowledged incident, a
// trigger re-opens a mitigated one. Every change is written, as if each event came in a
// batch of its own: a flap inside one batch leaves the same entries as a flap over two.
// A mitigation that a later trigger an earlier batch recorded (laterSeen) undoes is
// not written: that re-trigger cannot be (the batch does not hold the event), so the
// incident keeps the state it had before it (docs/architecture.md, "Lifecycle and
// event order").
func transitions(inc incident.Incident, items []item, laterSeen time.Time) []transition {
	var out []transition
	state := inc.Status
	undo := func() { // the trailing mitigation, undone by the later trigger
		out = out[:len(out)-1]
		state = inc.Status
		if len(out) > 0 {
			state = out[len(out)-1].state
		}
	}
	seenLater := laterSeen.IsZero() || laterSeen.Before(inc.StateAt)
	for i, it := range items {
		if it.ev.Time.Before(inc.StateAt) {
			continue
		}
		if !seenLater && !it.ev.Time.Before(laterSeen) {
			seenLater = true
			if state == incident.Mitigated && len(out) > 0 && !it.recorded { // the repeat re-triggers it itself
				undo()
			}
		}
		switch {
		case it.ev.Signal == event.Recovery && (state == incident.Open || state == incident.Acknowledged):
			state = incident.Mitigated
			out = append(out, transition{state, i})
		case it.res.Incident && state == incident.Mitigated:
			state = incident.Open
			out = append(out, transition{state, i})
		}
	}
	if !seenLater && state == incident.Mitigated && len(out) > 0 {
		undo()
	}
	return out
}

// applyNetChange writes the batch's lifecycle changes in order; their preconditions make
// late and redelivered events harmless. It first completes the change the incident's
// state comes from, when a redelivered event of the batch made it. It returns the state
// the changes leave, and since when (the incident's own when there are none).
func (p *Processor) applyNetChange(ctx context.Context, c *correlation, laterSeen time.Time) (state, error) {
	if err := p.completeLastChange(ctx, c); err != nil {
		return state{}, err
	}
	if err := p.mitigateEarlier(ctx, c); err != nil {
		return state{}, err
	}
	after := state{c.inc.Status, c.inc.StateAt, false}
	seq := c.lifecycle()
	for _, tr := range transitions(c.inc, seq, laterSeen) {
		it := seq[tr.cause]
		applied, err := p.store.Change(ctx, netChangeOf(c.inc.ID, it, tr.state))
		if err != nil {
			return state{}, err
		}
		after = state{tr.state, it.ev.Time, true}
		if applied {
			if c.changedBy == nil {
				c.changedBy = map[string]bool{}
			}
			c.changedBy[it.ev.ID] = true
		}
	}
	return after, nil
}

// mitigateEarlier moves the mitigation of a mitigated incident to the batch's earliest
// recovery older than it when nothing can have happened in between: no trigger recorded
// after that recovery (the ledger's latest, read only then, and the batch's own), no
// person's change after it. That is event time's answer to a recovery delivered after a
// later one (before, the mitigation stayed with the later one): its time to mitigate,
// its clocks. The later one's entry stays as delivery history (the new entry names its
// time, DataReplaces), and what responders were told, when, stays as told. A retry after
// the update landed without its entry is completed by completeLastChange (same key).
func (p *Processor) mitigateEarlier(ctx context.Context, c *correlation) error {
	inc := c.inc
	if inc.Status != incident.Mitigated {
		return nil
	}
	bound := inc.OpenedAt // nothing before the state the mitigation ended
	for _, t := range []time.Time{inc.AcknowledgedAt, inc.LastUpdateAt} {
		if t.After(bound) {
			bound = t
		}
	}
	var late *item
	for i, it := range c.items { // event-time order
		switch {
		case !it.ev.Time.Before(inc.StateAt):
		case it.res.Incident:
			bound, late = it.ev.Time, nil // a trigger between: it ended what came before
		case it.ev.Signal == event.Recovery && late == nil && it.ev.Time.After(bound):
			late = &c.items[i]
		}
	}
	if late == nil {
		return nil
	}
	cur, err := p.store.Get(ctx, inc.ID) // the ledger's latest trigger
	if err != nil {
		return err
	}
	if cur.LastTrigger.IsZero() || late.ev.Time.Unix() <= cur.LastTrigger.Unix() { // seconds: one in the same second may be after it
		return nil
	}
	ch := netChangeOf(inc.ID, *late, incident.Mitigated)
	ch.IfStatus, ch.NotBefore, ch.StateAfter = []incident.Status{incident.Mitigated}, time.Time{}, late.ev.Time
	ch.Entry.Data[incident.DataReplaces] = inc.StateAt.UTC().Format(time.RFC3339Nano)
	applied, err := p.store.Change(ctx, ch)
	if err != nil || !applied {
		return err
	}
	c.inc.StateAt, c.inc.MitigatedAt = late.ev.Time, late.ev.Time
	if c.changedBy == nil {
		c.changedBy = map[string]bool{}
	}
	c.changedBy[late.ev.ID] = true
	return nil
}

// state is an incident's status since a time; moved: a change of this batch set it.
type state struct {
	status incident.Status
	since  time.Time
	moved  bool
}

// lifecycle is the batch's events with the incident's repeat (incident.Incident.Repeat)
// in its place by event time, when it counts (it is after StateAt) and the batch does
// not hold it: a recovery older than the repeat, delivered after it, then mitigates the
// incident and the repeat re-triggers it, as in event-time order; and when an earlier
// attempt wrote that mitigation and failed before the re-trigger, the retry writes it.
func (c *correlation) lifecycle() []item {
	inc := c.inc
	if !inc.RepeatAt.After(inc.StateAt) || inc.RepeatID == "" {
		return c.items
	}
	rep := c.repeatItem()
	out := make([]item, 0, len(c.items)+1)
	placed := false
	for _, it := range c.items {
		if it.ev.ID == inc.RepeatID {
			return c.items // the batch holds it: a redelivery
		}
		if !placed && rep.ev.Time.Before(it.ev.Time) {
			out, placed = append(out, rep), true
		}
		out = append(out, it)
	}
	if !placed {
		out = append(out, rep)
	}
	return out
}

// repeatItem is the incident's repeat as an item.
func (c *correlation) repeatItem() item {
	inc := c.inc
	return item{ev: event.Event{ID: inc.RepeatID, Time: inc.RepeatAt, Signal: event.Trigger, Summary: inc.RepeatSummary, Actor: inc.RepeatActor},
		res: classify.Result{Incident: true, IncidentClass: true, Severity: inc.Severity}, recorded: true}
}

// noteRepeat records the batch's earliest trigger after the state its changes left
// (after), while the incident is open or acknowledged, as the incident's repeat, unless
// the incident holds an earlier one: one conditional write an episode of repeats (a
// storm's later batches find theirs later than the one held, and write nothing).
func (p *Processor) noteRepeat(ctx context.Context, c *correlation, after state) error {
	if after.status != incident.Open && after.status != incident.Acknowledged {
		return nil
	}
	for _, it := range c.items { // in event-time order: the first after is the earliest
		if !it.res.Incident || !it.ev.Time.After(after.since) {
			continue
		}
		if held := c.inc.RepeatAt; !after.moved && held.After(c.inc.StateAt) && !held.After(it.ev.Time) {
			return nil
		}
		_, err := p.store.NoteRepeat(ctx, c.inc.ID, after.since,
			store.Repeat{ID: it.ev.ID, At: it.ev.Time, Summary: it.ev.Summary, Actor: it.ev.Actor})
		return err
	}
	return nil
}

// completeLastChange repeats the change a redelivered event of this batch made when it
// is the one the incident's state comes from (the message whose change was written but
// whose timeline entry was not): the store writes the missing entry of a change it
// already applied (Change is idempotent by its entry's key, and writes the entry only if
// the incident's last change has that key), and changes nothing else. A recovery
// mitigated it; a trigger triggered it again or re-opened it.
func (p *Processor) completeLastChange(ctx context.Context, c *correlation) error {
	for _, it := range c.items {
		if c.isNew[it.ev.ID] || !it.ev.Time.Equal(c.inc.StateAt) || it.ev.ID == c.openedBy {
			continue
		}
		switch {
		case c.inc.Status == incident.Mitigated && it.ev.Signal == event.Recovery:
			_, err := p.store.Change(ctx, netChangeOf(c.inc.ID, it, incident.Mitigated))
			return err
		case c.inc.Status == incident.Open && it.res.Incident:
			if _, err := p.store.Change(ctx, netChangeOf(c.inc.ID, it, incident.Open)); err != nil {
				return err
			}
			_, err := p.store.Change(ctx, reopenOf(c.inc.ID, it.ev, 0))
			return err
		}
	}
	// The repeat re-triggered it (lifecycle) after a recovery of this batch, delivered
	// again: the re-trigger's entry may be what the earlier attempt lost.
	if inc := c.inc; inc.Status == incident.Open && inc.RepeatID != "" && inc.RepeatAt.Equal(inc.StateAt) {
		for _, it := range c.items {
			if !c.isNew[it.ev.ID] && it.ev.Signal == event.Recovery && it.ev.Time.Before(inc.StateAt) {
				_, err := p.store.Change(ctx, netChangeOf(inc.ID, c.repeatItem(), incident.Open))
				return err
			}
		}
	}
	return nil
}

// reopenOf is the change that re-opens resolved incident id on event ev, which recurred
// after it was resolved (0: not known, when completing a re-opening already applied).
func reopenOf(id string, ev event.Event, after time.Duration) store.Change {
	detail := "Re-opened: it recurred after it was resolved: " + ev.Summary
	if after > 0 {
		detail = fmt.Sprintf("Re-opened: it recurred %s after it was resolved: %s", after.Round(time.Second), ev.Summary)
	}
	return store.Change{Incident: id, IfStatus: []incident.Status{incident.Resolved},
		NotBefore: ev.Time, Status: incident.Open, At: ev.Time,
		Entry: incident.Entry{At: ev.Time, Kind: incident.KindReopened, Actor: ev.Actor, Detail: detail,
			Key: string(incident.KindReopened) + ":" + ev.ID, Data: map[string]string{incident.DataEventID: ev.ID}}}
}

// netChangeOf is the change event it makes to incident id, to state: mitigated by a
// recovery, or triggered again.
func netChangeOf(id string, it item, state incident.Status) store.Change {
	ch := store.Change{Incident: id, NotBefore: it.ev.Time, Status: state, At: it.ev.Time}
	if state == incident.Mitigated {
		ch.IfStatus = []incident.Status{incident.Open, incident.Acknowledged}
		ch.Entry = incident.Entry{At: it.ev.Time, Kind: incident.KindMitigated, Actor: it.ev.Actor,
			Detail: "Recovered: " + it.ev.Summary, Key: string(incident.KindMitigated) + ":" + it.ev.ID,
			Data: map[string]string{incident.DataEventID: it.ev.ID}}
	} else {
		ch.IfStatus = []incident.Status{incident.Mitigated}
		ch.Entry = incident.Entry{At: it.ev.Time, Kind: incident.KindRetriggered, Actor: it.ev.Actor,
			Detail: "Triggered again: " + it.ev.Summary, Key: string(incident.KindRetriggered) + ":" + it.ev.ID,
			Data: map[string]string{incident.DataEventID: it.ev.ID}}
	}
	return ch
}

// raiseSeverity raises the incident to its most severe trigger (GuardDuty and Security
// Hub findings can be re-rated): a new one, or a redelivered one later than the
// severity's last change (its raise failed before it landed; an older one does not
// undo a responder's later change). A redelivered trigger whose raise landed without
// its entry completes the entry.
func (p *Processor) raiseSeverity(ctx context.Context, c *correlation) error {
	inc, worst := c.inc, -1
	for i, it := range c.items {
		if !it.res.Incident || it.res.Severity.Rank() >= inc.Severity.Rank() {
			continue
		}
		if !c.isNew[it.ev.ID] && !it.ev.Time.After(inc.SeverityAt) {
			continue
		}
		if worst < 0 || it.res.Severity.Rank() < c.items[worst].res.Severity.Rank() {
			worst = i
		}
	}
	if worst >= 0 {
		_, err := p.store.Change(ctx, raiseOf(inc.ID, c.items[worst], inc.Severity))
		return err
	}
	for _, it := range c.items {
		if it.res.Incident && !c.isNew[it.ev.ID] && !inc.SeverityAt.IsZero() && it.ev.Time.Equal(inc.SeverityAt) && it.res.Severity == inc.Severity {
			_, err := p.store.Change(ctx, raiseOf(inc.ID, it, ""))
			return err
		}
	}
	return nil
}

// raiseOf is the change that raises incident id from severity from ("": not known, when
// completing a raise already applied) to the severity of it.
func raiseOf(id string, it item, from incident.Severity) store.Change {
	detail := fmt.Sprintf("Severity raised to %s: %s", it.res.Severity, it.ev.Summary)
	data := map[string]string{incident.DataEventID: it.ev.ID, "to": string(it.res.Severity)}
	if from != "" {
		detail = fmt.Sprintf("Severity raised %s → %s: %s", from, it.res.Severity, it.ev.Summary)
		data["from"] = string(from)
	}
	return store.Change{Incident: id, Severity: it.res.Severity, RaiseOnly: true, At: it.ev.Time,
		Entry: incident.Entry{At: it.ev.Time, Kind: incident.KindSeverityRaised, Actor: it.ev.Actor, Detail: detail,
			Key: string(incident.KindSeverityRaised) + ":" + it.ev.ID, Data: data}}
}

// outcomes says what happened to each event the incident took (adopted events had
// theirs when they were delivered).
func (c *correlation) outcomes() []Outcome {
	var out []Outcome
	for _, it := range c.items {
		if it.adopted {
			continue
		}
		fresh := c.isNew[it.ev.ID]
		delete(c.isNew, it.ev.ID) // the same event twice in one batch: the second is a duplicate
		out = append(out, c.outcome(it, c.kind(it, fresh)))
	}
	return out
}

func (c *correlation) kind(it item, fresh bool) Kind {
	switch {
	case !fresh:
		return Duplicate
	case it.ev.ID == c.openedBy:
		return Opened
	case c.changedBy[it.ev.ID] && it.ev.Signal == event.Recovery:
		return Mitigated
	case c.changedBy[it.ev.ID] || it.ev.ID == c.reopenedBy:
		return Retriggered
	case it.res.Incident:
		return Repeat
	case it.ev.Signal == event.Recovery:
		return Recovery
	}
	return Recorded
}
