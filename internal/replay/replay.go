package replay

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"time"

	"github.com/firebreak-ops/firebreak/internal/asl"
	"github.com/firebreak-ops/firebreak/internal/bus"
	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/event"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/intake"
	"github.com/firebreak-ops/firebreak/internal/notify"
	"github.com/firebreak-ops/firebreak/internal/pipeline"
	"github.com/firebreak-ops/firebreak/internal/runbook"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// DefaultBatchSize is the SQS batch size intake is deployed with.
const DefaultBatchSize = 10

// Options configure a replay.
type Options struct {
	Config    *config.Config
	Bus       *bus.Bus
	BatchSize int          // events per intake batch (default DefaultBatchSize)
	Log       *slog.Logger // nil: discard
	// Runbooks are the compiled runbooks (runbook.CompileLocal) and their dry-run
	// fixtures; without them no runbook runs.
	Runbooks map[string]*asl.Machine
	Fixtures map[string]runbook.Fixtures
	// Until runs the clocks (escalation, reminders, objectives, auto-resolve) this long
	// past the last event.
	Until time.Duration
	// Links makes one-click links in notices (serve); nil: none.
	Links pipeline.Links
}

// RunbookCounts are the outcomes of one runbook's executions.
type RunbookCounts struct {
	Succeeded int `json:"succeeded"`
	Failed    int `json:"failed"`
	Waiting   int `json:"waiting"` // for a human's approval
}

// Summary counts what happened. Every input is counted once in Events and ends in
// exactly one of: Unmatched, Quarantined, or an intake outcome (Incidents, Repeats,
// Recoveries, Recorded, Duplicates).
type Summary struct {
	Events      int `json:"events"`      // every input event
	Unmatched   int `json:"unmatched"`   // no rule routes it: it would never reach intake
	Quarantined int `json:"quarantined"` // unparseable, kept whole
	Duplicates  int `json:"duplicates"`  // redeliveries of an id already seen
	Incidents   int `json:"incidents"`   // incidents opened
	Repeats     int `json:"repeats"`     // events that joined an open incident (recoveries excluded)
	Retriggered int `json:"retriggered"` // repeats that re-opened a mitigated or resolved incident
	Recoveries  int `json:"recoveries"`  // recovery events that mitigated an incident
	Recorded    int `json:"recorded"`    // recorded and counted, never part of a page

	Notifications int                      `json:"notifications"` // messages published (each to one team topic)
	Runbooks      map[string]RunbookCounts `json:"runbooks"`      // every configured runbook, by outcome (dry-run)

	Escalations  int `json:"escalations"`   // escalation notices (a tier told, once per tier and repeat)
	Reminders    int `json:"reminders"`     // update-due reminders
	Breaches     int `json:"breaches"`      // objectives missed (acknowledge, resolve)
	AutoResolved int `json:"auto_resolved"` // mitigated incidents resolved after the quiet period
	Silenced     int `json:"silenced"`      // incidents a silence kept quiet
	Inhibited    int `json:"inhibited"`     // incidents attached to a more severe one instead of paging
	Grouped      int `json:"grouped"`       // incidents grouped under another: one page per group

	// Incidents opened, per owning team and per severity (every configured team and
	// every severity appear, zero or not).
	ByTeam     map[string]int `json:"by_team"`
	BySeverity map[string]int `json:"by_severity"`

	First time.Time `json:"first_event,omitzero"`
	Last  time.Time `json:"last_event,omitzero"`
	Until time.Time `json:"clocks_until,omitzero"`
}

// Result is a replay's summary with the pipeline it ran on.
type Result struct {
	Summary       Summary
	Local         *pipeline.Local
	Store         *store.Memory
	Incidents     []incident.Incident // every incident, most recently opened first
	Outcomes      []intake.Outcome
	Notifications []notify.Sent  // what would have been published, in order
	Runs          []*runbook.Run // runbook executions (dry-run)
	Runner        *runbook.Runner
}

type routed struct {
	in   Input
	time time.Time
	ok   bool // the envelope parsed
}

// Run replays inputs in event-time order, running the clocks between batches as time
// passes, and Until past the last event.
func Run(ctx context.Context, inputs []Input, o Options) (*Result, error) {
	if o.BatchSize <= 0 {
		o.BatchSize = DefaultBatchSize
	}
	sum := Summary{Events: len(inputs), ByTeam: map[string]int{}, BySeverity: map[string]int{}, Runbooks: map[string]RunbookCounts{}}
	for name := range o.Config.Runbooks {
		sum.Runbooks[name] = RunbookCounts{}
	}
	for _, t := range o.Config.TeamNames {
		sum.ByTeam[t] = 0
	}
	for _, s := range incident.Severities {
		sum.BySeverity[string(s)] = 0
	}

	var queue []routed
	for _, in := range inputs {
		env, perr := event.ParseEnvelope(in.Raw)
		if perr == nil {
			rules, err := o.Bus.Route(in.Raw)
			if err == nil && len(rules) == 0 {
				sum.Unmatched++
				continue
			}
		}
		// Unparseable payloads go to intake too, which quarantines them, as it would any
		// message on the queue.
		queue = append(queue, routed{in: in, time: env.Time, ok: perr == nil})
	}
	sort.SliceStable(queue, func(i, j int) bool {
		a, b := queue[i], queue[j]
		if a.ok != b.ok {
			return a.ok
		}
		return a.time.Before(b.time)
	})
	for _, q := range queue {
		if !q.ok {
			continue
		}
		if sum.First.IsZero() || q.time.Before(sum.First) {
			sum.First = q.time
		}
		if q.time.After(sum.Last) {
			sum.Last = q.time
		}
	}

	l, err := pipeline.New(pipeline.Options{Config: o.Config, Start: sum.First, Runbooks: o.Runbooks, Fixtures: o.Fixtures,
		Links: o.Links, Log: o.Log})
	if err != nil {
		return nil, err
	}
	res := &Result{Local: l, Store: l.Store, Runner: l.Runner}
	for start := 0; start < len(queue); start += o.BatchSize {
		batch := queue[start:min(start+o.BatchSize, len(queue))]
		// SQS delivers a batch once its last event is in: the clocks run up to then.
		last := time.Time{}
		for _, q := range batch {
			if q.ok && q.time.After(last) {
				last = q.time
			}
		}
		if !last.IsZero() {
			if err := l.AdvanceTo(ctx, last); err != nil {
				return nil, fmt.Errorf("replay: clocks: %w", err)
			}
		}
		msgs := make([]intake.Message, len(batch))
		for i, q := range batch {
			msgs[i] = intake.Message{ID: q.in.Origin, Body: q.in.Raw, ReceivedAt: l.Clock.Now()}
		}
		rep, err := l.Ingest(ctx, msgs)
		if err != nil {
			return nil, fmt.Errorf("replay: %w", err)
		}
		res.Outcomes = append(res.Outcomes, rep.Outcomes...)
	}
	sum.Until = sum.Last.Add(o.Until)
	if err := l.AdvanceTo(ctx, sum.Until); err != nil {
		return nil, fmt.Errorf("replay: clocks: %w", err)
	}

	res.Notifications = l.Outbox.Sent()
	res.Runs = l.Runner.Runs()
	sum.Notifications = len(res.Notifications)
	for _, r := range res.Runs {
		c := sum.Runbooks[r.Runbook]
		switch r.Result() {
		case "succeeded":
			c.Succeeded++
		case "failed":
			c.Failed++
		case "waiting":
			c.Waiting++
		}
		sum.Runbooks[r.Runbook] = c
	}
	for _, o := range res.Outcomes {
		switch o.Kind {
		case intake.Opened:
			sum.Incidents++
			sum.ByTeam[o.Team]++
			sum.BySeverity[string(o.Severity)]++
		case intake.Repeat:
			sum.Repeats++
		case intake.Retriggered:
			sum.Repeats++
			sum.Retriggered++
		case intake.Mitigated:
			sum.Recoveries++
		case intake.Recovery, intake.Recorded:
			sum.Recorded++
		case intake.Duplicate:
			sum.Duplicates++
		case intake.Quarantined:
			sum.Quarantined++
		}
	}
	sum.Escalations, sum.Reminders = l.Escalation.Escalations, l.Escalation.Reminders
	sum.Breaches, sum.AutoResolved = l.Escalation.Breaches, l.Escalation.AutoResolved
	incs, err := l.Store.List(ctx, store.Filter{})
	if err != nil {
		return nil, err
	}
	for _, inc := range incs {
		switch {
		case inc.SilencedBy != "":
			sum.Silenced++
		case inc.ParentReason == "inhibited":
			sum.Inhibited++
		case inc.ParentReason == "grouped":
			sum.Grouped++
		}
	}
	res.Incidents = incs
	res.Summary = sum
	return res, nil
}
