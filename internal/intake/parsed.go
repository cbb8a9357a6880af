package intake

import (
	"context"

	"github.com/firebreak-ops/firebreak/internal/event"
)

// Parsed is a message with what event.Parse made of its body: its events, or the
// reason it is not an EventBridge event (it is then quarantined with that reason).
type Parsed struct {
	Message
	Events []event.Event
	Err    error
}

// Parse parses a message's body, as Process does.
func Parse(m Message) Parsed {
	evs, err := event.Parse(m.Body)
	return Parsed{Message: m, Events: evs, Err: err}
}

// Process handles one batch. It returns an error only when nothing could be processed
// (the context ended); failures of individual fingerprints put their messages on Retry.
func (p *Processor) Process(ctx context.Context, msgs []Message) (Report, error) {
	ps := make([]Parsed, len(msgs))
	for i, m := range msgs {
		ps[i] = Parse(m)
	}
	return p.ProcessParsed(ctx, ps)
}
