package replay

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"time"

	"github.com/firebreak-ops/firebreak/internal/asl"
	"github.com/firebreak-ops/firebreak/internal/bus"
	"github.com/firebreak-ops/firebreak/internal/classify"
	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/dispatch"
	"github.com/firebreak-ops/firebreak/internal/event"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/intake"
	"github.com/firebreak-ops/firebreak/internal/notify"
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
	Retriggered int `json:"retriggered"` // repeats that re-opened a mitigated incident
	Recoveries  int `json:"recoveries"`  // recovery events that mitigated an incident
	Recorded    int `json:"recorded"`    // recorded and counted, never part of a page

	Notifications int                      `json:"notifications"` // messages published (each to one team topic)
	Runbooks      map[string]RunbookCounts `json:"runbooks"`      // every configured runbook, by outcome (dry-run)

	// Incidents opened, per owning team and per severity (every configured team and
	// every severity appear, zero or not).
	ByTeam     map[string]int `json:"by_team"`
	BySeverity map[string]int `json:"by_severity"`

	First time.Time `json:"first_event,omitzero"`
	Last  time.Time `json:"last_event,omitzero"`
}

// Result is a replay's summary with the store it filled.
type Result struct {
	Summary       Summary
	Store         *store.Memory
	Incidents     []incident.Incident // every incident, most recently opened first
	Outcomes      []intake.Outcome
	Notifications []notify.Sent   // what would have been published, in order
	Runs          []*runbook.Run  // runbook executions (dry-run)
	Runner        *runbook.Runner // to decide approvals after the replay
}

// LocalTopic is the stand-in topic ARN of a team's notifications in local runs.
func LocalTopic(team string) string { return "arn:aws:sns:local:000000000000:firebreak-" + team }

type routed struct {
	in   Input
	time time.Time
	ok   bool // the envelope parsed
	seq  int
}

// Run replays inputs in event-time order.
func Run(ctx context.Context, inputs []Input, o Options) (*Result, error) {
	if o.BatchSize <= 0 {
		o.BatchSize = DefaultBatchSize
	}
	c, err := classify.New(o.Config)
	if err != nil {
		return nil, err
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
	for i, in := range inputs {
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
		queue = append(queue, routed{in: in, time: env.Time, ok: perr == nil, seq: i})
	}
	sort.SliceStable(queue, func(i, j int) bool {
		a, b := queue[i], queue[j]
		if a.ok != b.ok {
			return a.ok
		}
		return a.time.Before(b.time)
	})

	clock := time.Time{}
	for _, q := range queue {
		if q.ok && q.time.After(clock) {
			clock = q.time
		}
		if q.ok && (sum.First.IsZero() || q.time.Before(sum.First)) {
			sum.First = q.time
		}
	}
	sum.Last = clock
	now := func() time.Time { return clock }
	st := store.NewMemory(now)
	p := intake.New(st, c, now, o.Log)
	outbox := &notify.Outbox{}
	topics := map[string]string{}
	for _, t := range o.Config.TeamNames {
		topics[t] = LocalTopic(t)
	}
	sender := notify.New(outbox, topics)
	task := &runbook.Task{Store: st, Sender: sender, Config: o.Config, Now: now, Lease: time.Minute}
	runner := &runbook.Runner{Machines: o.Runbooks, Fixtures: o.Fixtures, Task: task, Now: now}
	d := &dispatch.Dispatcher{Store: st, Sender: sender, Config: o.Config, Now: now, Log: o.Log, Lease: time.Minute}
	if len(o.Runbooks) > 0 {
		d.Runbooks = runner
	}

	res := &Result{Store: st, Runner: runner}
	for start := 0; start < len(queue); start += o.BatchSize {
		batch := queue[start:min(start+o.BatchSize, len(queue))]
		msgs := make([]intake.Message, len(batch))
		for i, q := range batch {
			msgs[i] = intake.Message{ID: q.in.Origin, Body: q.in.Raw, ReceivedAt: q.time}
		}
		rep, err := p.Process(ctx, msgs)
		if err != nil {
			return nil, fmt.Errorf("replay: %w", err)
		}
		if len(rep.Retry) > 0 { // the memory store does not fail; this is a bug
			return nil, fmt.Errorf("replay: intake asked to retry %v", rep.Retry)
		}
		res.Outcomes = append(res.Outcomes, rep.Outcomes...)
		// The table's stream, drained after each batch as Lambda would read it.
		for _, rec := range st.DrainStream() {
			if err := d.Handle(ctx, rec); err != nil {
				return nil, fmt.Errorf("replay: dispatch %s: %w", rec.New.ID, err)
			}
		}
	}
	res.Notifications = outbox.Sent()
	res.Runs = runner.Runs()
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
	incs, err := st.List(ctx, store.Filter{})
	if err != nil {
		return nil, err
	}
	res.Incidents = incs
	res.Summary = sum
	return res, nil
}
