package dispatch

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/notify"
	"github.com/firebreak-ops/firebreak/internal/runbook"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// Holding openings for grouping.wait (Alertmanager's group_wait).
//
// Without a wait, an opening is grouped, inhibited or paged when dispatch sees it, so an
// incident opened earlier (by its events' time) but delivered later cannot become the
// parent of one already paged: the outcome depends on arrival order. With a wait,
// dispatch decides only what does not depend on other incidents when it sees the
// opening — its problem (the note its page will say is kept on the "held" entry), its
// silence, its runbook — and holds the rest: it writes a "held" entry, then the hold
// (store.Holds) until the incident has been open for the wait by its own clock (until =
// opened + wait). The escalator's tick decides the held openings whose wait is over in
// the order of their holds' ends (DecideHeld), so of two incidents of one group the
// earlier becomes the parent.
//
// The decision is made as of until by event time, whenever the escalator gets to it and
// whichever later events were processed by then. The incident's history (history.go:
// its status, severity and owner entries, each stamped with its event time, with the
// incident's own fields for a last change whose entry is not written yet) gives its
// state at until:
//
//   - mitigated, resolved or acknowledged before until (the last status change before
//     it; a change at until itself counts as after it, so that an escalator whose clock
//     reads until takes in the same changes whether those at until were processed or
//     not): nobody is paged, as Alertmanager sends nothing for an alert resolved
//     within group_wait, and the "not paged" entry says so;
//   - open: the page tells the opening as it stood at until (status open, the severity
//     and owner at until: a raise or hand-over within the wait is in the page, not a
//     notice of its own), to the owner at until and the severity's recipients;
//   - every change after until is then told exactly as dispatch tells it once the
//     opening is decided (tellChange): a recovery, re-trigger, raise, hand-over or
//     resolution after until is a notice after the page (a recovery or resolution only
//     if someone was paged). Change notices are keyed by the change and its event time
//     (changeKey: notify:mitigated@<time>:<recipient>), which dispatch names from the
//     stream record and the decision from the timeline entry, so whichever tells a
//     change first, the other repeats nothing.
//
// So the edge cases read as a PagerDuty or Alertmanager user expects: a flap across
// until (recovered before it, triggered again after it) pages once, "triggered
// again", when it re-triggers; a recovery and re-trigger both within the wait page
// "opened" once; an acknowledgement within the wait means someone has it (no page, and
// its later recovery tells nobody); a resolution after until and a re-opening after that
// are a page, a resolved notice and a "triggered again" page.
//
// Dispatch, given a change (Handle), leaves it to the decision while the opening is held
// and not decided, and tells it itself once decided, unless the decision took it in
// (its entries name those changes: DataReflects). It reads the timeline after the change
// was made; the decision reads the incident again after writing its first entry, so a
// change made while the decision runs is found by one of the two (and told once, by its
// key). Grouping takes the group's incidents active at until by their timelines (quiet.go:
// one resolved since, or resolved before and re-opened since, as it was then).
//
// What is still decided by arrival: an event before until delivered after the decision
// (the wait is there for those: it is told as a change after the page); the inhibiting
// incidents, as they are when the decision runs; a candidate parent's owner, account and
// region (the group key; the query narrows on them), as they are then; the group's raise
// of the parent to the child's severity, written when the child is decided (a parent
// raised on its own to that severity before then keeps its own raise, and a parent's
// notice told before then says its severity without it); the counters a notice shows
// (triggers, recoveries, last seen), as read when it is sent, as for any notice; the
// severity at until when the history lacks a change's "from" (a group raise whose first
// attempt failed writes none: the severity after it is taken); the problem note, as it
// was when dispatch held the opening, as an undelayed page's; and what a notice of a
// re-trigger says of its runbook when the decision tells it before dispatch started the
// runbook ("started").
//
// What it costs: every page waits up to the wait plus the escalator's tick (a minute),
// counted from when the incident opened; a change of an incident reads its timeline once
// while openings are held; a decision reads the incident and its timeline twice, and the
// timeline of each grouping candidate whose status changed since until.

// HoldStore is what holding openings needs of the store (both stores have it).
type HoldStore interface {
	Hold(ctx context.Context, id string, until time.Time) (bool, error)
	MoveHold(ctx context.Context, id string, until time.Time) (bool, error)
	Held(ctx context.Context, id string) (bool, error)
}

var (
	_ HoldStore = (*store.Memory)(nil)
	_ HoldStore = (*store.Dynamo)(nil)
)

// Wait is the configured grouping.wait (zero: openings are decided when seen).
func Wait(cfg *config.Config) time.Duration {
	if cfg == nil || cfg.Grouping == nil {
		return 0
	}
	return cfg.Grouping.Wait.Duration
}

// holds is the store's held openings when the configuration holds openings.
func (d *Dispatcher) holds() (HoldStore, bool) {
	if Wait(d.Config) <= 0 || d.Quiet == nil {
		return nil, false
	}
	h, ok := d.Quiet.(HoldStore)
	return h, ok
}

// holdOpening decides what an opening's hold leaves to dispatch: a silence keeps it quiet
// as without a wait (q), and an incident a decision attached or silenced already stays
// so. Otherwise it writes the "held" entry, then the hold (a retry finishes both; a
// redelivered opening already decided finds its hold decided and holds nothing), and
// reports held: the escalator decides the rest.
func (d *Dispatcher) holdOpening(ctx context.Context, h HoldStore, inc incident.Incident, at time.Time, note string) (q *Quiet, held bool, err error) {
	if inc.SilencedBy != "" || inc.Parent != "" {
		q, err := d.quiet(ctx, inc, at) // decided already: what it decided
		return q, false, err
	}
	if q, err := d.silence(ctx, inc, at); q != nil || err != nil {
		return q, false, err
	}
	wait := Wait(d.Config)
	until := inc.OpenedAt.Add(wait)
	entry := incident.Entry{Incident: inc.ID, At: at.Add(1), Kind: incident.KindHeld, Actor: "firebreak", Key: "held:" + inc.ID,
		Detail: fmt.Sprintf("Page held until %s (grouping.wait %s): an incident opened before it may still arrive and take it into its group.",
			until.UTC().Format("2006-01-02 15:04:05 UTC"), config.Short(wait)),
		Data: map[string]string{"until": stamp(until)}}
	if note != "" { // the held page says it, as an undelayed page would (DecideHeld)
		entry.Data[dataNote] = note
	}
	if err := d.Store.AddEntries(ctx, entry); err != nil {
		return nil, false, err
	}
	if _, err := h.Hold(ctx, inc.ID, until); err != nil {
		return nil, false, err
	}
	return nil, true, nil
}

// moveHold keeps a held opening's hold at its incident's opening: an opening a
// later-arriving, earlier trigger moved earlier moves its hold with it, so the held
// openings are decided in the order the incidents opened. A decided opening stays as
// decided.
func (d *Dispatcher) moveHold(ctx context.Context, r store.StreamRecord) error {
	if r.Old == nil || !r.New.OpenedAt.Before(r.Old.OpenedAt) {
		return nil
	}
	h, ok := d.holds()
	if !ok {
		return nil
	}
	_, err := h.MoveHold(ctx, r.New.ID, r.New.OpenedAt.Add(Wait(d.Config)))
	return err
}

// DataReflects is the data key of a held opening's decision entries (its page's to each
// recipient, or its "not paged"): the changes (changeKey, comma-separated) the decision
// took in, those before the hold's end. Dispatch tells none of them; it tells
// every other change, as the decision does for those it finds.
const DataReflects = "reflects"

// dataNote is the "held" entry's data key that keeps what the opening's notices say of
// its recurring problem (problems.go), for the held page.
const dataNote = "problem_note"

// heldNotPaged is the key of a held opening's "not paged" entry.
const heldNotPaged = "notify:v1:held"

// decisionOf is an entry of the opening's decision (its page's, or its "not paged":
// keyed notify:v1:…), if it has been decided.
func decisionOf(tl []incident.Entry) (incident.Entry, bool) {
	for _, e := range tl {
		if strings.HasPrefix(e.Key, "notify:v1:") && (e.Kind == incident.KindNotified || e.Kind == incident.KindNotNotified || e.Kind == incident.KindNotPaged) {
			return e, true
		}
	}
	return incident.Entry{}, false
}

// toldByHold reports whether a change of inc at event time at is told by its held
// opening's decision rather than here: a change the decision took in (its page tells the
// state with it; DataReflects), or any change while the opening is held and not decided
// (the decision reads the incident again after its first entry, and tells what it
// finds). The timeline is read after the change was made, so either this read finds the
// decision's entry (and what it took in), or the decision's later read finds the change.
// Told here, the change is told as the incident's history has it (ok): the state it left
// by event time, as the decision would tell it, whatever order the changes were made in.
// cur is the incident as read now.
func (d *Dispatcher) toldByHold(ctx context.Context, change Change, cur incident.Incident, at time.Time) (held bool, st step, ok bool, err error) {
	h, holding := d.holds()
	if !holding || !tells(change) || cur.Parent != "" || cur.SilencedBy != "" {
		return false, step{}, false, nil
	}
	tl, err := d.Quiet.Timeline(ctx, cur.ID)
	if err != nil {
		return false, step{}, false, err
	}
	key := changeKey(change, at)
	e, decided := decisionOf(tl)
	if !decided {
		held, err = h.Held(ctx, cur.ID)
	} else {
		held = reflects(e)[key]
	}
	if held || err != nil {
		return held, step{}, false, err
	}
	st, ok = historyOf(cur, tl).step(key)
	return false, st, ok, nil
}

// read is an incident and its timeline, read in that order.
func (d *Dispatcher) read(ctx context.Context, id string) (incident.Incident, []incident.Entry, error) {
	inc, err := d.Store.Get(ctx, id)
	if err != nil {
		return incident.Incident{}, nil, err
	}
	tl, err := d.Quiet.Timeline(ctx, id)
	return inc, tl, err
}

// DecideHeld decides an opening whose hold is over (the escalator calls it, in the order
// of the holds' ends), as of the hold's end by event time (until: opened + wait), so that
// neither when the escalator gets to it nor which later events were processed by then
// changes what anyone is told:
//
//  1. The incident's status, severity and owner at until, from its history (historyOf).
//  2. Grouping and inhibition among the incidents there are now, with those: attached, it
//     pages nobody, then or later.
//  3. Not open at until (mitigated, resolved or acknowledged by then): the "not paged"
//     entry. Open: the page, keyed as an undelayed opening's (notify:v1:<recipient>),
//     telling the state at until, the runbook started at the opening and the recurring
//     problem's note. Either entry records the changes it took in (DataReflects).
//  4. Read again, and tell every change it did not take in (those after until, and any
//     that arrived while it decided), in event-time order, each as dispatch tells it
//     once the opening is decided (tellChange, keyed by changeKey): whichever of the two
//     gets to a change first tells it, and the other repeats nothing.
//
// Every step is keyed or conditional, and a retry after an entry of step 3 keeps the
// decision that entry records; the caller lets the hold go after it returns.
func (d *Dispatcher) DecideHeld(ctx context.Context, id string) error {
	inc, tl, err := d.read(ctx, id)
	if err != nil {
		return fmt.Errorf("decide the held opening of %s: %w", id, err)
	}
	at, until := inc.OpenedAt, inc.OpenedAt.Add(Wait(d.Config))
	s, keys := historyOf(inc, tl).asOf(until)
	opening := inc
	opening.Status, opening.Severity, opening.Team = s.Status, s.Severity, s.Team
	opening.Version = 1 // the opening's page, whatever changed while it was held
	prior, decided := decisionOf(tl)
	var quiet *Quiet
	if inc.Parent != "" || inc.SilencedBy != "" || !decided && s.Status.Active() {
		if quiet, err = d.decideQuiet(ctx, opening, at); err != nil {
			return fmt.Errorf("decide the held opening of %s: %w", id, err)
		}
	}
	if quiet != nil {
		return nil // attached or silenced: recorded by the decision, nobody paged
	}
	page := s.Status == incident.Open
	if decided { // an earlier attempt decided: finish that decision
		page = prior.Key != heldNotPaged
		if _, ok := prior.Data[DataReflects]; ok {
			keys = strings.Split(prior.Data[DataReflects], ",")
		}
	}
	data := map[string]string{DataReflects: strings.Join(keys, ",")}
	if !page {
		err = d.Store.AddEntries(ctx, incident.Entry{Incident: id, At: at.Add(2), Kind: incident.KindNotPaged, Actor: "firebreak", Key: heldNotPaged,
			Detail: fmt.Sprintf("Not paged: %s before its held page was due (grouping.wait %s).", s.Status, config.Short(Wait(d.Config))), Data: data})
	} else {
		automation := automationOf(inc, tl, "runbook:v1")
		if err = d.notify(ctx, opening, Opened, "", at, automation, heldNote(tl, id), data); err == nil {
			err = d.announce(ctx, opening, Opened, false, at)
		}
	}
	if err != nil {
		return err
	}
	reflected := map[string]bool{}
	for _, k := range keys {
		reflected[k] = true
	}
	return d.catchUp(ctx, id, reflected)
}

// catchUp tells the changes of a decided opening its decision did not take in, read
// after the decision's entries were written.
func (d *Dispatcher) catchUp(ctx context.Context, id string, reflected map[string]bool) error {
	inc, tl, err := d.read(ctx, id)
	if err != nil {
		return fmt.Errorf("tell the changes of %s since its held page: %w", id, err)
	}
	for _, st := range historyOf(inc, tl).steps {
		if !tells(st.Change) || reflected[st.Key] {
			continue
		}
		if err := d.tellStep(ctx, inc, tl, st); err != nil {
			return fmt.Errorf("tell the %s of %s since its held page: %w", st.Change, id, err)
		}
	}
	return nil
}

// tellStep tells one change of inc as dispatch does (Handle): with the state it left,
// the runbook a re-trigger started and the recurring problem a re-opening is part of.
func (d *Dispatcher) tellStep(ctx context.Context, inc incident.Incident, tl []incident.Entry, st step) error {
	inc.Status, inc.Severity, inc.Team = st.After.Status, st.After.Severity, st.After.Team
	var automation []notify.Automation
	note := ""
	if st.Change == Retriggered {
		automation = automationOf(inc, tl, "runbook:"+strings.TrimPrefix(runbook.ExecutionName(inc.ID, st.At), inc.ID+"-"))
		old := inc
		old.Status = st.Before.Status
		var err error
		if note, err = d.recur(ctx, Retriggered, &old, inc, st.At); err != nil {
			return err
		}
	}
	return d.tellChange(ctx, inc, st.Change, st.Before.Severity, st.At, nil, automation, note)
}

// heldNote is what the opening's notices say of its recurring problem, as dispatch
// found it when it held the opening (kept on the "held" entry).
func heldNote(tl []incident.Entry, id string) string {
	for _, e := range tl {
		if e.Key == "held:"+id {
			return e.Data[dataNote]
		}
	}
	return ""
}

// automationOf is what a notice says of the runbook whose start is recorded under key
// (started, not started, skipped), read from the entry the start wrote: the same words
// as the notice of the change that started it. Not recorded yet: "started" (its change
// is yet to be dispatched, and starts it then).
func automationOf(inc incident.Incident, tl []incident.Entry, key string) []notify.Automation {
	if inc.Runbook == "" {
		return nil
	}
	a := notify.Automation{Runbook: inc.Runbook, Status: "started"}
	for _, e := range tl {
		if e.Key != key {
			continue
		}
		switch e.Kind {
		case incident.KindRunbookStarted:
			a.Status, a.Detail, a.URL = first(e.Data["status"], "started"), e.Data["detail"], e.Data["url"]
		case incident.KindRunbookNotStarted:
			a.Status, a.Detail = "could not be started", e.Data["error"]
		case incident.KindRunbookSkipped:
			a.Status = "not started (runbooks are off)"
		}
	}
	return []notify.Automation{a}
}
