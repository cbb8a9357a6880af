package store

import (
	"sort"
	"time"

	"github.com/firebreak-ops/firebreak/internal/event"
)

// Delivery order is not event order. Two primitives let intake converge on the
// event-time answer whatever arrived first:
//
//   - the events of an incident class that arrived while nothing was open for their
//     fingerprint (a recovery before its trigger) are kept per fingerprint by event time
//     (KeepLoose), so that the incident a later-arriving, earlier trigger opens can take
//     them in (LooseBetween);
//   - an incident's opening moves to an earlier trigger that arrives late (OpenEarlier).
//
// Item layout: FP#<fp-key> / E#<minute>#<first event id>#<n>, the events of one batch and
// event-time minute as JSON, expiring like the fingerprint ledger.

// Loose is an event of an incident class recorded while no incident of its fingerprint
// took it: what intake needs to replay it onto an incident opened later.
type Loose struct {
	ID      string
	Time    time.Time
	Signal  event.Signal
	Summary string
	Actor   string
}

const pfxLoose = "E#"

// maxLooseSummary bounds the summary kept with a loose event.
const maxLooseSummary = 512

func clipSummary(s string) string {
	if len(s) > maxLooseSummary {
		return s[:maxLooseSummary]
	}
	return s
}

func sortLoose(out []Loose) {
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Time.Equal(out[j].Time) {
			return out[i].Time.Before(out[j].Time)
		}
		return out[i].ID < out[j].ID
	})
}
