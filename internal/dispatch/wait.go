package dispatch

import (
	"context"
	"fmt"
	"time"

	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/notify"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// Holding openings for grouping.wait (Alertmanager's group_wait).
//
// Without a wait, an opening is grouped, inhibited or paged when dispatch sees it, so an
// incident opened earlier (by its events' time) but delivered later cannot become the
// parent of one already paged: the outcome depends on arrival order. With a wait,
// dispatch decides only what does not depend on other incidents when it sees the
// opening — its problem, its silence, its runbook — and holds the rest: it writes a
// "held" entry, then the hold (store.Holds) until the incident has been open for the
// wait by its own clock. The escalator's tick decides the held openings whose wait is
// over in the order of their holds' ends (DecideHeld), each with everything that arrived
// meanwhile: the grouping candidates, oldest opening first, so the earliest becomes the
// parent; the incident's severity and owner as they are then; and its status: an
// incident mitigated, resolved or acknowledged while its page was held pages nobody
// (as Alertmanager sends nothing for an alert resolved within group_wait: the page would
// only say that something that needs nobody any more happened). Changes of a held
// incident (a raise, a new owner, a re-trigger) tell nobody: the decision tells its
// state as it is then. What it costs: every page waits up to the wait plus the
// escalator's tick (a minute), counted from when the incident opened.

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
func (d *Dispatcher) holdOpening(ctx context.Context, h HoldStore, inc incident.Incident, at time.Time) (q *Quiet, held bool, err error) {
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

// heldNow reports whether a change of inc must tell nobody because inc's opening is still
// held: the decision tells the incident's state as it is then.
func (d *Dispatcher) heldNow(ctx context.Context, change Change, inc incident.Incident) (bool, error) {
	if change != SeverityRaised && change != OwnerChanged && change != Retriggered {
		return false, nil // mitigations and resolutions tell only those who were paged
	}
	h, ok := d.holds()
	if !ok || inc.Parent != "" || inc.SilencedBy != "" {
		return false, nil
	}
	return h.Held(ctx, inc.ID)
}

// DecideHeld decides an opening whose hold is over (the escalator calls it, in the
// order of the holds' ends): it groups or inhibits the incident among the incidents
// there are now, or pages its responders and audiences with its state as it is now,
// unless it is no longer open. Every step is keyed as an undelayed opening's are (its
// page is the opening's, notify:v1:<recipient>), so a retry after any failure finishes
// what is left and repeats nothing; the caller lets the hold go after it returns.
func (d *Dispatcher) DecideHeld(ctx context.Context, id string) error {
	inc, err := d.Store.Get(ctx, id)
	if err != nil {
		return fmt.Errorf("decide the held opening of %s: %w", id, err)
	}
	at := inc.OpenedAt
	opening := inc
	opening.Version = 1 // the opening's page, whatever changed while it was held
	var quiet *Quiet
	if inc.Status.Active() || inc.Parent != "" || inc.SilencedBy != "" {
		if quiet, err = d.decideQuiet(ctx, opening, at); err != nil {
			return fmt.Errorf("decide the held opening of %s: %w", id, err)
		}
	}
	if quiet != nil {
		return nil // attached or silenced: recorded by the decision, nobody paged
	}
	if inc.Status != incident.Open {
		return d.Store.AddEntries(ctx, incident.Entry{Incident: id, At: at.Add(2), Kind: incident.KindNotPaged, Actor: "firebreak",
			Key: "notify:v1:held", Detail: fmt.Sprintf("Not paged: %s before its held page was due (grouping.wait %s).", inc.Status, config.Short(Wait(d.Config)))})
	}
	automation, err := d.heldAutomation(ctx, inc)
	if err != nil {
		return err
	}
	if err := d.notify(ctx, opening, Opened, store.StreamRecord{New: inc}, at, automation, ""); err != nil {
		return err
	}
	return d.announce(ctx, opening, Opened, false, at)
}

// heldAutomation is what the held page says of the runbook dispatch started at the
// opening, read from the entry that start wrote.
func (d *Dispatcher) heldAutomation(ctx context.Context, inc incident.Incident) ([]notify.Automation, error) {
	if inc.Runbook == "" {
		return nil, nil
	}
	tl, err := d.Quiet.Timeline(ctx, inc.ID)
	if err != nil {
		return nil, err
	}
	a := notify.Automation{Runbook: inc.Runbook, Status: "started"}
	for _, e := range tl {
		if e.Key != "runbook:v1" {
			continue
		}
		switch e.Kind {
		case incident.KindRunbookStarted:
			a.Status, a.URL = first(e.Data["status"], "started"), e.Data["url"]
		case incident.KindRunbookNotStarted:
			a.Status, a.Detail = "could not be started", e.Data["error"]
		case incident.KindRunbookSkipped:
			a.Status = "not started (runbooks are off)"
		}
	}
	return []notify.Automation{a}, nil
}
