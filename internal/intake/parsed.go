package intake

import (
	"context"

	"github.com/firebreak-ops/firebreak/internal/classify"
	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/event"
)

// Parsed is a message with what event.Parse made of its body: its events, or the
// reason it is not an EventBridge event (it is then quarantined with that reason).
// Prepare adds what the configuration says of each event.
type Parsed struct {
	Message
	Events []event.Event
	Err    error

	ready   bool                  // Prepare ran
	results []classify.Result     // the taxonomy's verdict on each event
	beats   [][]*config.Heartbeat // the heartbeats each event beats
}

// Parse parses a message's body, as Process does.
func Parse(m Message) Parsed {
	evs, err := event.Parse(m.Body)
	return Parsed{Message: m, Events: evs, Err: err}
}

// Prepare does to a parsed message what Process does before it correlates anything:
// it classifies the events and matches them against the heartbeats (a message with
// neither events nor Err is parsed first). An event the classifier or the heartbeats
// refuse sets Err: the message is quarantined with it.
// Prepare reads nothing but the message and the configuration, and the classifier and
// the heartbeats are safe for concurrent use, so a caller may run it ahead of Process,
// on another goroutine, and hand the result to ProcessParsed.
func (p *Processor) Prepare(pm Parsed) Parsed {
	if pm.ready {
		return pm
	}
	if pm.Events == nil && pm.Err == nil { // Parse always gives one or the other
		pm = Parse(pm.Message)
	}
	pm.ready = true
	if pm.Err != nil {
		return pm
	}
	pm.results = make([]classify.Result, len(pm.Events))
	for i, e := range pm.Events {
		res, err := p.classify.Classify(e)
		if err != nil {
			pm.Err, pm.results = err, nil
			return pm
		}
		pm.results[i] = res
	}
	if p.Beats == nil {
		return pm
	}
	pm.beats = make([][]*config.Heartbeat, len(pm.Events))
	for i, e := range pm.Events {
		hs, err := p.Beats.Matcher.Match(e)
		if err != nil {
			pm.Err, pm.results, pm.beats = err, nil, nil
			return pm
		}
		pm.beats[i] = hs
	}
	return pm
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
