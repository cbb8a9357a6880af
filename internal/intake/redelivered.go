package intake

import (
	"context"
	"sync"

	"github.com/firebreak-ops/firebreak/internal/incident"
)

// adoptAgain makes a redelivery of the event that opened the incident take in the
// incident's loose events again, as its first delivery did. Opening is visible to every
// worker (Current) as soon as Open returns, and the loose events the opener takes in
// are recorded, and their change applied, only after: when one of those writes fails,
// the message is retried, but its redelivery finds the incident open and would not look
// for loose events again, so a recovery that arrived before its trigger was counted on
// nothing, or counted and never applied (the incident never mitigated). Taking them in
// again is idempotent: the ledger drops the ones recorded already, and a change already
// made is completed by its key (completeLastChange). It costs one read of the loose
// events per redelivered opening event, none when this process completed the opening's
// batch (docs/table.md, "Open").
//
// The incident's later events (from earlier batches) are read as for any batch
// (laterSeen): a redelivery is not a fresh opening.
func (c *correlation) adoptAgain(complete *openings) bool {
	if !c.adoptFrom.IsZero() || !c.inc.Status.Active() || c.inc.OpenedBy == "" || complete.has(c.inc) {
		return false
	}
	for _, it := range c.g.items {
		if it.ev.ID == c.inc.OpenedBy && it.res.Incident {
			c.adoptFrom, c.again = c.inc.OpenedAt, true
			return true
		}
	}
	return false
}

// completeOpening writes the "opened" entry of a redelivered opening event, kept as it
// is when it is there (by its key). An incident opened by Open has it (Open writes it
// before the incident is visible to Current), but one whose opening an earlier trigger
// took (OpenEarlier: the incident's update, then the entry) loses it when the second
// write fails: the redelivery holds the incident's opening event, which is no longer
// earlier than the opening, so nothing else would write it. Its detail does not name
// the opening it replaced, which the redelivery no longer knows. One conditional write
// per redelivered opening event, none when this process wrote the entry.
func (p *Processor) completeOpening(ctx context.Context, c *correlation) error {
	for _, it := range c.g.items {
		if it.ev.ID == c.inc.OpenedBy {
			return p.store.AddEntries(ctx, earlierEntry(c.inc, it.ev))
		}
	}
	return nil
}

// maxOpenings bounds the openings a processor remembers as complete.
const maxOpenings = 4096

// openings are the incident openings whose batch this processor completed (the
// incident, its loose events taken in, recorded and applied): a redelivery of the
// opening event then has nothing to complete. Forgotten at random when full (the
// redelivery then completes it again, idempotently). Safe for concurrent use.
type openings struct {
	mu sync.Mutex
	m  map[string]struct{}
}

func openingKey(inc incident.Incident) string { return inc.ID + "\x00" + inc.OpenedBy }

func (o *openings) has(inc incident.Incident) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	_, ok := o.m[openingKey(inc)]
	return ok
}

func (o *openings) add(inc incident.Incident) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.m == nil {
		o.m = map[string]struct{}{}
	}
	if len(o.m) >= maxOpenings {
		for k := range o.m {
			delete(o.m, k)
			break
		}
	}
	o.m[openingKey(inc)] = struct{}{}
}
