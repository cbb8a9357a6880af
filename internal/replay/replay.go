package replay

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/firebreak-ops/firebreak/internal/asl"
	"github.com/firebreak-ops/firebreak/internal/bus"
	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/event"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/intake"
	"github.com/firebreak-ops/firebreak/internal/notify"
	"github.com/firebreak-ops/firebreak/internal/pipeline"
	"github.com/firebreak-ops/firebreak/internal/report"
	"github.com/firebreak-ops/firebreak/internal/runbook"
	"github.com/firebreak-ops/firebreak/internal/store"
	"github.com/firebreak-ops/firebreak/internal/webhook"
)

// DefaultReorder is how many events replay holds to put its input in event-time order.
// Input up to this size is replayed in exact event-time order; beyond it, an event more
// than this many events out of place is delivered late, as SQS may deliver it.
const DefaultReorder = 1 << 15

// ResidentTimelines is how many incidents (items, ledgers, timelines) `firebreak replay`
// keeps in memory (Options.Timelines): the incidents being worked on, which every step reads.
const ResidentTimelines = 1024

// MaxQuarantineList is how many quarantined inputs a summary lists (all are counted).
const MaxQuarantineList = 1000

// Options configure a replay.
type Options struct {
	Config *config.Config
	Bus    *bus.Bus
	// BatchSize caps the events per intake batch (default: the deployed
	// deploy.intake.batch_size). Batches also never span more than the deployed
	// deploy.intake.batching_window of event time, whatever the size.
	BatchSize int
	Reorder   int          // events held to order the input by event time (default DefaultReorder)
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
	// Progress, when set, is called with the inputs done so far (delivered to intake, or
	// routed by no rule) and the inputs read (read runs ahead by what is held to order by time), every few
	// thousand inputs and once at the end.
	Progress func(done, read int)
	// Headers keeps of each notification who it went to (topic, subject, attributes),
	// not its e-mail and SMS bodies: enough for the summary, the response per incident
	// and --diff; an outbox folder needs the bodies.
	Headers bool
	// Timelines, when above 0, is how many incident timelines stay in memory, the most
	// recently touched; the others wait in a temporary file (pipeline.Options.Timelines):
	// memory then grows with the incidents' small items, not their timelines. Close
	// Result.Store when done with the result.
	Timelines int
}

// Source yields inputs one at a time; Next returns io.EOF after the last. *Reader is one.
type Source interface {
	Next() (Input, error)
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
	// Heartbeats that stayed silent past interval + grace (a heartbeat.missed incident
	// each, not counted in incidents, which counts events) and misses a beat ended.
	HeartbeatsMissed  int `json:"heartbeats_missed"`
	HeartbeatsResumed int `json:"heartbeats_resumed"`
	Silenced          int `json:"silenced"`  // incidents a silence kept quiet
	Inhibited         int `json:"inhibited"` // incidents attached to a more severe one instead of paging
	Grouped           int `json:"grouped"`   // incidents grouped under another: one page per group

	// Incidents opened, per owning team and per severity (every configured team and
	// every severity appear, zero or not).
	ByTeam     map[string]int `json:"by_team"`
	BySeverity map[string]int `json:"by_severity"`

	// Unclassified counts the events no class covers (they get the taxonomy's fallback
	// class) by "source/detail-type": what the taxonomy is missing.
	Unclassified map[string]int `json:"unclassified"`
	// Quarantine lists the quarantined inputs (the first MaxQuarantineList) with why.
	Quarantine []Quarantine `json:"quarantine"`

	// Problems opened (recurring fingerprints), each with the incidents it explains, and
	// the response report: per severity, mean seconds to mitigate and to resolve
	// (problems.go).
	Problems    int                             `json:"problems"`
	ProblemList []ProblemRef                    `json:"problem_list"`
	Report      map[string]report.SeverityTimes `json:"report"`

	First time.Time `json:"first_event,omitzero"`
	Last  time.Time `json:"last_event,omitzero"`
	Until time.Time `json:"clocks_until,omitzero"`
}

// Quarantine is one quarantined input.
type Quarantine struct {
	Origin string `json:"origin"`
	Line   int    `json:"line"`
	Reason string `json:"reason"`
}

// Result is a replay's summary with the pipeline it ran on. Outcomes are aggregated as
// they come, not kept: a replay's memory grows with its incidents, not its events.
type Result struct {
	Summary Summary
	Local   *pipeline.Local
	Store   *store.Memory
	// Notifications is what would have been published, in order; with Options.Headers
	// none are kept (they are counted, and Told says who was told), so that memory does
	// not grow with the messages.
	Notifications []notify.Sent
	Deliveries    []webhook.Recorded // chat and webhook deliveries, each after its page
	Runs          []*runbook.Run     // runbook executions (dry-run)
	Runner        *runbook.Runner

	// notes are who each incident told and the event that opened it (notes.go): read
	// back when a response is first asked for.
	notes *notes
	runs  map[string][]string // "runbook: result" of each run, by incident: made with the notes read back
}

// Told lists, per incident id, the teams (and people, audiences: the topic's target)
// notified, in order of first notice.
func (res *Result) Told() (map[string][]string, error) {
	if err := res.responses(); err != nil {
		return nil, err
	}
	return res.notes.told, nil
}

// OpenedBy is the id of the event that opened each incident, by incident id.
func (res *Result) OpenedBy() (map[string]string, error) {
	if err := res.responses(); err != nil {
		return nil, err
	}
	return res.notes.openedBy, nil
}

// responses reads back, the first time it is called, what the responses per incident
// need beyond the incidents: the notes and the runs by incident.
func (res *Result) responses() error {
	if err := res.notes.load(); err != nil {
		return err
	}
	if res.runs == nil {
		res.runs = map[string][]string{}
		for _, run := range res.Runs {
			res.runs[run.Incident] = append(res.runs[run.Incident], run.Runbook+": "+run.Result())
		}
	}
	return nil
}

// Close releases the replay's store and the file its notes are kept in, if any. The
// result must not be used after.
func (res *Result) Close() error {
	return errors.Join(res.Store.Close(), res.notes.close())
}

// EachIncident calls yield with every incident of the replay, most recently opened
// first, read from the store one at a time: a replay does not keep its incidents in a
// list beside the store.
func (res *Result) EachIncident(ctx context.Context, yield func(incident.Incident) error) error {
	return res.Store.Walk(ctx, store.Filter{}, yield)
}

// Incidents lists every incident of the replay, most recently opened first: all at once,
// for callers that need them so (tests, small replays); EachIncident reads them one at a time.
func (res *Result) Incidents(ctx context.Context) ([]incident.Incident, error) {
	return res.Store.List(ctx, store.Filter{})
}

type routed struct {
	in         Input
	time       time.Time
	seq        int
	ok         bool // the envelope parsed
	matched    bool // a bus rule routes it (or it goes to intake to be quarantined)
	source, dt string
	// pm is the input parsed and prepared for intake (intake.Prepare) as it left the
	// holder, so that intake need not do it again (nil: not yet, or a reader problem).
	pm *intake.Parsed
}

// Run replays inputs; see Stream.
func Run(ctx context.Context, inputs []Input, o Options) (*Result, error) {
	return Stream(ctx, &sliceSource{in: inputs}, o)
}

type sliceSource struct {
	in []Input
	i  int
}

func (s *sliceSource) Next() (Input, error) {
	if s.i >= len(s.in) {
		return Input{}, io.EOF
	}
	s.i++
	return s.in[s.i-1], nil
}

// Stream replays what src yields in event-time order, in batches formed as the deployed
// event-source mapping forms them (at most BatchSize events, none more than the
// batching window apart in event time), running the clocks between batches as time
// passes, and Until past the last event. It reads src as it goes and keeps counts, not
// outcomes.
func Stream(ctx context.Context, src Source, o Options) (res *Result, err error) {
	r := newRun(o)
	if r.res.notes, err = newNotes(o.Timelines > 0, ""); err != nil {
		return nil, err
	}
	// The pipeline is there before the first event, to prepare events as they are read;
	// its clock starts at the first batch (flush).
	if err := r.start(time.Time{}); err != nil {
		_ = r.res.notes.close()
		return nil, err
	}
	defer func() {
		if err != nil { // no result to close: close its store and notes here
			_ = r.res.Close()
		}
	}()
	if err := r.read(ctx, src); err != nil {
		return nil, err
	}
	if err := r.flush(ctx); err != nil {
		return nil, err
	}
	if o.Progress != nil {
		o.Progress(r.done, r.res.Summary.Events)
	}
	return r.finish(ctx)
}

// newRun starts a replay with every configured team, severity and runbook counted at 0.
func newRun(o Options) *run {
	r := &run{o: o, size: o.BatchSize, window: o.Config.Deploy.Intake.BatchingWindow.Duration,
		fallback: o.Config.Fallback.Class, res: &Result{}}
	if r.size <= 0 {
		r.size = o.Config.Deploy.Intake.BatchSize
	}
	sum := &r.res.Summary
	*sum = Summary{ByTeam: map[string]int{}, BySeverity: map[string]int{}, Runbooks: map[string]RunbookCounts{},
		Unclassified: map[string]int{}, Quarantine: []Quarantine{}}
	for name := range o.Config.Runbooks {
		sum.Runbooks[name] = RunbookCounts{}
	}
	for _, t := range o.Config.TeamNames {
		sum.ByTeam[t] = 0
	}
	for _, s := range incident.Severities {
		sum.BySeverity[string(s)] = 0
	}
	return r
}

// read takes every input of src, held up to Reorder of them to deliver them in
// event-time order, and puts each routed input in a batch. Reading, routing (each
// event parsed, the bus rules matched, what is routed classified) and ordering run on a
// goroutine of their own, ahead of intake by at most a few batches: they depend on
// nothing intake does, and their results arrive in the order they would be delivered
// in, so what becomes of each input is the same.
func (r *run) read(ctx context.Context, src Source) error {
	reorder := r.o.Reorder
	if reorder <= 0 {
		reorder = DefaultReorder
	}
	ctx, cancel := context.WithCancel(ctx)
	parts := make(chan readPart, 4)
	go produce(ctx, r.o.Bus, r.l.Intake.Prepare, reorder, src, parts)
	defer func() { // the reader is done with src when read returns
		cancel()
		for range parts {
		}
	}()
	sum := &r.res.Summary
	for part := range parts {
		if err := ctx.Err(); err != nil {
			return err
		}
		sum.Events += part.read
		sum.Unmatched += part.unmatched
		r.done += part.unmatched
		for _, q := range part.qs {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := r.add(ctx, q); err != nil {
				return err
			}
		}
		if part.err != nil {
			return part.err
		}
	}
	return nil
}

// readPart is what the reader did since its last part: inputs read (of them, unmatched:
// no rule routes them), the routed inputs to deliver now, in order, and the error that
// ended the reading, if any (not io.EOF).
type readPart struct {
	read, unmatched int
	qs              []routed
	err             error
}

// readPartSize is how many inputs are read between two parts.
const readPartSize = 256

// produce reads src to its end, routing every input and holding up to reorder routed
// inputs to deliver them in event-time order, prepared for intake (prep), and sends them
// to out in parts; it closes out when done, or as soon as ctx ends.
func produce(ctx context.Context, b *bus.Bus, prep func(intake.Parsed) intake.Parsed, reorder int, src Source, out chan<- readPart) {
	defer close(out)
	part := readPart{qs: make([]routed, 0, readPartSize)}
	send := func(err error) bool {
		part.err = err
		select {
		case out <- part:
			part = readPart{qs: make([]routed, 0, readPartSize)}
			return true
		case <-ctx.Done():
			return false
		}
	}
	var held holder
	var latest time.Time // the latest event time read: where an unparseable input waits
	for seq := 0; ; seq++ {
		if err := ctx.Err(); err != nil {
			send(err)
			return
		}
		in, err := src.Next()
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = nil
			}
			for err == nil && held.Len() > 0 { // the end: deliver what is held
				part.qs = append(part.qs, prepare(prep, held.pop()))
				if len(part.qs) == readPartSize && !send(nil) {
					return
				}
			}
			if part.read > 0 || len(part.qs) > 0 || err != nil {
				send(err)
			}
			return
		}
		q := route(b, in, seq, latest)
		if q.ok && q.time.After(latest) {
			latest = q.time
		}
		part.read++
		if !q.matched {
			part.unmatched++
		} else {
			held.push(q)
			if held.Len() > reorder {
				part.qs = append(part.qs, prepare(prep, held.pop()))
			}
		}
		if part.read == readPartSize && !send(nil) {
			return
		}
	}
}

// route parses an input, as intake would, and matches it against the bus rules on what
// was decoded: matched is false for an event no rule takes (counted, done: it never
// reaches intake). It keeps of the parse only when the event happened, to order it:
// the events held to order them by time are raw, not parsed (prepare parses them again
// when they leave). Unparseable payloads go to intake too, which quarantines them as it
// would any message on the queue; they wait at latest, the latest event time read.
func route(b *bus.Bus, in Input, seq int, latest time.Time) routed {
	q := routed{in: in, seq: seq, time: latest, matched: true}
	if in.Problem != "" {
		return q
	}
	evs, perr := event.Parse(in.Raw)
	if perr != nil {
		return q
	}
	e := evs[0] // every event of an envelope shares its time, source and detail-type
	if rules, err := b.RouteDecoded(e.Doc); err == nil && len(rules) == 0 {
		q.matched = false
		return q
	}
	q.ok, q.time, q.source, q.dt = true, e.Time, e.Source, e.DetailType
	return q
}

// prepare readies a routed input for intake as it leaves the holder: parsed again and
// prepared (prep is intake's Prepare: classified, heartbeats matched), its decoded
// document let go, so that intake need not do any of it. Parsing it twice, off the
// serial path, keeps what is held small: a parsed and classified event weighs about
// three times its raw bytes.
func prepare(prep func(intake.Parsed) intake.Parsed, q routed) routed {
	if q.in.Problem != "" {
		return q
	}
	evs, perr := event.Parse(q.in.Raw)
	pm := prep(intake.Parsed{Events: evs, Err: perr})
	for i := range pm.Events {
		pm.Events[i].Doc = nil
	}
	q.pm = &pm
	return q
}

// finish runs the clocks Until past the last event and completes the result: what was
// sent, the runbook runs, the clocks' counts and the incidents kept quiet.
func (r *run) finish(ctx context.Context) (*Result, error) {
	l, res, sum := r.l, r.res, &r.res.Summary
	sum.Until = sum.Last.Add(r.o.Until)
	if err := l.AdvanceTo(ctx, sum.Until); err != nil {
		return nil, fmt.Errorf("replay: clocks: %w", err)
	}
	r.drain()
	if !r.o.Headers {
		res.Notifications = l.Outbox.Sent()
		for _, n := range res.Notifications {
			tell(res.notes, n)
		}
	}
	res.Deliveries = l.Deliveries.Recorded()
	res.Runs = l.Runner.Runs()
	sum.Notifications = l.Outbox.Len()
	countRuns(sum, res.Runs)
	sum.Escalations, sum.Reminders = l.Escalation.Escalations, l.Escalation.Reminders
	sum.Breaches, sum.AutoResolved = l.Escalation.Breaches, l.Escalation.AutoResolved
	sum.HeartbeatsMissed, sum.HeartbeatsResumed = l.Heartbeat.Missed, l.Heartbeat.Resumed
	// The response report folds the incidents as the store walks them, counting the
	// quiet ones on the way: no list of every incident is held.
	each := func(yield func(incident.Incident) error) error {
		return res.EachIncident(ctx, func(inc incident.Incident) error {
			countQuiet(sum, inc)
			return yield(inc)
		})
	}
	if err := summariseProblems(ctx, l, sum, each); err != nil {
		return nil, err
	}
	return res, nil
}

// countRuns counts the runbook runs by runbook and result.
func countRuns(sum *Summary, runs []*runbook.Run) {
	for _, r := range runs {
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
}

// countQuiet counts inc if a silence, an inhibition or a group kept it quiet.
func countQuiet(sum *Summary, inc incident.Incident) {
	switch {
	case inc.SilencedBy != "":
		sum.Silenced++
	case inc.ParentReason == string(incident.KindInhibited):
		sum.Inhibited++
	case inc.ParentReason == string(incident.KindGrouped):
		sum.Grouped++
	}
}

// run is one replay in progress: the batch being formed and the counts so far.
type run struct {
	o        Options
	size     int
	window   time.Duration
	fallback string
	l        *pipeline.Local
	res      *Result

	batch    []routed
	min, max time.Time // event times of the batch's parsed events
	done     int       // inputs delivered to intake or unmatched
	clocked  bool      // the clock was set to the first batch's earliest event
}

func (r *run) start(at time.Time) error {
	l, err := pipeline.New(pipeline.Options{Config: r.o.Config, Start: at, Runbooks: r.o.Runbooks, Fixtures: r.o.Fixtures,
		Links: r.o.Links, Log: r.o.Log, CompactOutbox: r.o.Headers, Timelines: r.o.Timelines})
	if err != nil {
		return err
	}
	r.l, r.res.Local, r.res.Store, r.res.Runner = l, l, l.Store, l.Runner
	return nil
}

// add puts q in the batch being formed, delivering the batch first if q cannot join it:
// it is full, or q is more than the batching window from one of its events.
func (r *run) add(ctx context.Context, q routed) error {
	if len(r.batch) > 0 {
		far := q.ok && !r.min.IsZero() && (q.time.Sub(r.min) > r.window || r.max.Sub(q.time) > r.window)
		if len(r.batch) >= r.size || far {
			if err := r.flush(ctx); err != nil {
				return err
			}
		}
	}
	r.batch = append(r.batch, q)
	if q.ok {
		if r.min.IsZero() || q.time.Before(r.min) {
			r.min = q.time
		}
		if q.time.After(r.max) {
			r.max = q.time
		}
		sum := &r.res.Summary
		if sum.First.IsZero() || q.time.Before(sum.First) {
			sum.First = q.time
		}
		if q.time.After(sum.Last) {
			sum.Last = q.time
		}
	}
	return nil
}

// flush delivers the batch to intake and counts what became of each event.
func (r *run) flush(ctx context.Context) error {
	if len(r.batch) == 0 {
		return nil
	}
	l := r.l
	if !r.clocked { // the first batch: the clock starts at its earliest event
		l.Clock.Set(r.min)
		r.clocked = true
	}
	// SQS delivers a batch once its last event is in: the clocks run up to then.
	if !r.max.IsZero() {
		if err := l.AdvanceTo(ctx, r.max); err != nil {
			return fmt.Errorf("replay: clocks: %w", err)
		}
	}
	msgs := make([]intake.Parsed, len(r.batch))
	byID := make(map[string]*routed, len(r.batch))
	for i := range r.batch {
		q := &r.batch[i]
		m := intake.Message{ID: q.in.Origin, Body: q.in.Raw, ReceivedAt: l.Clock.Now()}
		if q.pm != nil {
			msgs[i] = *q.pm
			msgs[i].Message = m
		} else {
			msgs[i] = intake.Parse(m)
		}
		byID[q.in.Origin] = q
	}
	rep, err := l.IngestParsed(ctx, msgs)
	if err != nil {
		return fmt.Errorf("replay: %w", err)
	}
	r.tally(rep.Outcomes, byID)
	r.drain()
	before := r.done
	r.done += len(r.batch)
	if r.o.Progress != nil && r.done/4096 != before/4096 {
		r.o.Progress(r.done, r.res.Summary.Events)
	}
	r.batch, r.min, r.max = r.batch[:0], time.Time{}, time.Time{}
	return nil
}

// drain takes, when the replay keeps headers only, the messages sent since the last
// drain from the outbox and keeps who was told: memory grows with the incidents told,
// not with every message.
func (r *run) drain() {
	if !r.o.Headers || r.l == nil {
		return
	}
	for _, n := range r.l.Outbox.Drain() {
		tell(r.res.notes, n)
	}
}

// tell notes n's target as told by its incident: the team of its topic (the topics
// are firebreak-<target>), else its team attribute.
func tell(told *notes, n notify.Sent) {
	id, team := n.Attributes["incident"], n.Attributes["team"]
	if t := strings.TrimPrefix(n.Topic[strings.LastIndex(n.Topic, ":")+1:], "firebreak-"); t != "" {
		team = t
	}
	told.toldTeam(id, team)
}

func (r *run) tally(outcomes []intake.Outcome, byID map[string]*routed) {
	sum := &r.res.Summary
	for _, o := range outcomes {
		q := byID[o.MessageID]
		switch o.Kind {
		case intake.Opened:
			sum.Incidents++
			sum.ByTeam[o.Team]++
			sum.BySeverity[string(o.Severity)]++
			r.res.notes.opened(o.Incident, o.EventID)
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
			if len(sum.Quarantine) < MaxQuarantineList {
				e := Quarantine{Origin: o.MessageID, Reason: o.Reason}
				if q != nil {
					e.Origin, e.Line = q.in.File, q.in.Line
					if q.in.Problem != "" {
						e.Reason = q.in.Problem
					}
				}
				sum.Quarantine = append(sum.Quarantine, e)
			}
		}
		if o.Kind != intake.Quarantined && o.Class == r.fallback && q != nil {
			sum.Unclassified[q.source+"/"+q.dt]++
		}
	}
}
