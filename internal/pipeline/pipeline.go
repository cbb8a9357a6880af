// Package pipeline wires Firebreak's parts together in one process over the in-memory
// store, on a virtual clock: intake, the table stream feeding dispatch, the escalator's
// clocks, the lifecycle service and dry-run runbooks. Replay, `firebreak serve` and the
// end-to-end scenario tests run on it; in AWS the same parts run as separate Lambdas.
package pipeline

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/firebreak-ops/firebreak/internal/action"
	"github.com/firebreak-ops/firebreak/internal/asl"
	"github.com/firebreak-ops/firebreak/internal/classify"
	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/dispatch"
	"github.com/firebreak-ops/firebreak/internal/escalate"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/intake"
	"github.com/firebreak-ops/firebreak/internal/lifecycle"
	"github.com/firebreak-ops/firebreak/internal/notify"
	"github.com/firebreak-ops/firebreak/internal/page"
	"github.com/firebreak-ops/firebreak/internal/problem"
	"github.com/firebreak-ops/firebreak/internal/review"
	"github.com/firebreak-ops/firebreak/internal/runbook"
	"github.com/firebreak-ops/firebreak/internal/store"
	"github.com/firebreak-ops/firebreak/internal/webhook"
)

// Clock is a virtual clock that only moves forward. Safe for concurrent use.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set moves the clock to t if t is later.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.After(c.t) {
		c.t = t.UTC()
	}
}

// Options configure a local pipeline.
type Options struct {
	Config   *config.Config
	Start    time.Time // initial clock
	Runbooks map[string]*asl.Machine
	Fixtures map[string]runbook.Fixtures
	Links    Links // one-click links in notices (nil: none)
	Log      *slog.Logger
	// Topic names a team's topic in the outbox (default LocalTopic).
	Topic func(team string) string
	// CompactOutbox keeps who each message went to, not its bodies (notify.Outbox.Compact).
	CompactOutbox bool
	// Timelines, when above 0, is how many incidents (items, ledgers, timelines) the store
	// keeps in memory (the most recently touched); the others wait in a temporary file
	// until touched (store.Memory.SpillIncidents). Close the store when done.
	Timelines int
}

// Links makes the one-click actions of notices.
type Links interface {
	Actions(inc incident.Incident, kind notify.Kind) []notify.Action
	Approval(inc incident.Incident, key string) []notify.Action
}

// Local is the whole pipeline in one process.
type Local struct {
	Clock      *Clock
	Config     *config.Config
	Store      *store.Memory
	Intake     *intake.Processor
	Dispatcher *dispatch.Dispatcher
	Escalator  *escalate.Escalator
	Lifecycle  *lifecycle.Service
	Runner     *runbook.Runner
	Outbox     *notify.Outbox
	Deliveries *webhook.Recorder // chat and webhook deliveries, when the configuration has any
	// Reviews, Actions and the follow-up clocks (followups.go).
	Reviews   *review.Service
	Actions   *action.Service
	Followups *escalate.Followups
	Problems  *problem.Service // people's changes to problems (run them through Do)
	// Heartbeats is the heartbeat clock (heartbeats.go).
	Heartbeats *escalate.Heartbeats

	mu         sync.Mutex // one step at a time: intake, clocks and people take turns
	Escalation escalate.Report
	Followup   escalate.FollowupReport
	Heartbeat  escalate.HeartbeatReport
}

// LocalTopic is the stand-in topic ARN of a team's notifications in local runs.
func LocalTopic(team string) string { return "arn:aws:sns:local:000000000000:firebreak-" + team }

// New builds a local pipeline.
func New(o Options) (*Local, error) {
	c, err := classify.New(o.Config)
	if err != nil {
		return nil, err
	}
	topic := o.Topic
	if topic == nil {
		topic = LocalTopic
	}
	clock := &Clock{t: o.Start.UTC()}
	now := clock.Now
	st := store.NewMemory(now)
	if o.Timelines > 0 {
		if err := st.SpillIncidents("", o.Timelines); err != nil {
			return nil, err
		}
	}
	outbox := &notify.Outbox{Now: now, Compact: o.CompactOutbox}
	topics := map[string]string{}
	for _, t := range o.Config.TeamNames {
		topics[t] = topic(t)
	}
	for _, c := range o.Config.Contacts { // people paged as on call (internal/page)
		topics[config.ContactPrefix+c.ID] = topic("contact-" + c.ID)
	}
	if cm := o.Config.Communication; cm != nil { // audiences of the communication plan
		for _, a := range cm.AudienceNames {
			topics[config.AudienceTarget(a)] = topic("audience-" + a)
		}
	}
	// Chat channels and webhooks hear what teams hear, as the relay hands them over in
	// the stack (internal/webhook).
	deliveries := &webhook.Recorder{Now: now, Pages: outbox}
	sender := &webhook.Relay{Notifier: notify.New(outbox, topics), Outbound: deliveries, TopicARN: topic("outbound"), Config: o.Config}
	p := intake.New(st, c, now, o.Log)
	p.ReopenWithin = o.Config.Defaults.ReopenWithin.Duration
	l := &Local{Clock: clock, Config: o.Config, Store: st, Intake: p, Outbox: outbox, Deliveries: deliveries,
		Lifecycle: &lifecycle.Service{Store: st, Config: o.Config, Now: now}}
	var dl dispatch.Links
	var rl runbook.Links
	var el escalate.Links
	if o.Links != nil {
		dl, rl, el = o.Links, o.Links, o.Links
	}
	task := &runbook.Task{Store: st, Sender: sender, Config: o.Config, Links: rl, Now: now}
	l.Runner = &runbook.Runner{Machines: o.Runbooks, Fixtures: o.Fixtures, Task: task, Now: now}
	oncall := &page.Resolver{Config: o.Config, Overrides: st}
	l.Dispatcher = &dispatch.Dispatcher{Store: st, Quiet: st, Sender: sender, Config: o.Config, Links: dl, Now: now, Log: o.Log, OnCall: oncall}
	l.Dispatcher.Problems = dispatch.NewTracker(st, sender, o.Config, o.Log, nil)
	l.Problems = &problem.Service{Store: st, Actions: st, Now: now} // resolving waits for its open actions, as in the API
	if len(o.Runbooks) > 0 {
		l.Dispatcher.Runbooks = l.Runner
	}
	l.Escalator = &escalate.Escalator{Store: st, Sender: sender, Config: o.Config, Links: el, Now: now, Log: o.Log, OnCall: oncall,
		Recurrences: l.Dispatcher.Problems}
	l.wireFollowups()
	if err := l.wireHeartbeats(); err != nil {
		return nil, err
	}
	return l, nil
}

// Ingest runs a batch through intake at the clock's time, then dispatches every change.
func (l *Local) Ingest(ctx context.Context, msgs []intake.Message) (intake.Report, error) {
	ps := make([]intake.Parsed, len(msgs))
	for i, m := range msgs {
		ps[i] = intake.Parse(m)
	}
	return l.IngestParsed(ctx, ps)
}

// IngestParsed is Ingest for messages already parsed (intake.Parse), as replay parses
// them while it reads, ahead of intake.
func (l *Local) IngestParsed(ctx context.Context, msgs []intake.Parsed) (intake.Report, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	rep, err := l.Intake.ProcessParsed(ctx, msgs)
	if err != nil {
		return rep, err
	}
	if len(rep.Retry) > 0 { // the memory store does not fail: a bug
		return rep, fmt.Errorf("intake asked to retry %v", rep.Retry)
	}
	return rep, l.drain(ctx)
}

// Do runs f (a person's action through l.Lifecycle, an approval …) and dispatches the
// changes it made.
func (l *Local) Do(ctx context.Context, f func(ctx context.Context) error) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := f(ctx); err != nil {
		return err
	}
	return l.drain(ctx)
}

// drain feeds the table's changes to dispatch, as the stream would. Caller holds l.mu.
func (l *Local) drain(ctx context.Context) error {
	for {
		recs := l.Store.DrainStream()
		if len(recs) == 0 {
			return nil
		}
		for _, r := range recs {
			if err := l.Dispatcher.Handle(ctx, r); err != nil {
				return fmt.Errorf("dispatch %s: %w", r.New.ID, err)
			}
		}
	}
}

// AdvanceTo runs the clocks up to t: the escalator ticks at each moment something is due,
// as a schedule firing every instant would, and the clock ends at t. Its cost is the
// steps that are due, not the time spanned; it stops with ctx's error as soon as ctx
// ends (Ctrl-C during a long --until), leaving the clock at the last step it did.
func (l *Local) AdvanceTo(ctx context.Context, t time.Time) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	for range 1_000_000 {
		if err := ctx.Err(); err != nil {
			return err
		}
		at, ok, err := l.nextDue(ctx, t) // incidents, reviews and actions (followups.go)
		if err != nil {
			return err
		}
		if !ok {
			l.Clock.Set(t)
			return nil
		}
		l.Clock.Set(at)
		if err := l.tickFollowups(ctx); err != nil {
			return err
		}
		if err := l.tickHeartbeats(ctx); err != nil {
			return err
		}
		rep, err := l.Escalator.Tick(ctx)
		l.Escalation.Incidents += rep.Incidents
		l.Escalation.Escalations += rep.Escalations
		l.Escalation.Reminders += rep.Reminders
		l.Escalation.Breaches += rep.Breaches
		l.Escalation.AutoResolved += rep.AutoResolved
		l.Escalation.AudienceReminders += rep.AudienceReminders
		l.Escalation.UpdatesMissed += rep.UpdatesMissed
		if err != nil {
			return err
		}
		if err := l.drain(ctx); err != nil {
			return err
		}
	}
	return fmt.Errorf("clocks did not settle before %s", t)
}
