package intake

// adoptAgain makes a redelivery of the event that opened the incident take in the
// incident's loose events again, as its first delivery did. Opening is visible to every
// worker (Current) as soon as Open returns, and the loose events the opener takes in
// are recorded, and their change applied, only after: when one of those writes fails,
// the message is retried, but its redelivery finds the incident open and would not look
// for loose events again, so a recovery that arrived before its trigger was counted on
// nothing, or counted and never applied (the incident never mitigated). Taking them in
// again is idempotent: the ledger drops the ones recorded already, and a change already
// made is completed by its key (completeLastChange). It costs one read of the loose
// events per redelivered opening event (docs/table.md, "Open").
//
// The incident's later events (from earlier batches) are read as for any batch
// (laterSeen): a redelivery is not a fresh opening.
func (c *correlation) adoptAgain() {
	if !c.adoptFrom.IsZero() || !c.inc.Status.Active() || c.inc.OpenedBy == "" {
		return
	}
	for _, it := range c.g.items {
		if it.ev.ID == c.inc.OpenedBy && it.res.Incident {
			c.adoptFrom, c.again = c.inc.OpenedAt, true
			return
		}
	}
}
