package chaos

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/firebreak-ops/firebreak/internal/awstest"
	"github.com/firebreak-ops/firebreak/internal/classify"
	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/dispatch"
	"github.com/firebreak-ops/firebreak/internal/escalate"
	"github.com/firebreak-ops/firebreak/internal/event"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/intake"
	"github.com/firebreak-ops/firebreak/internal/notify"
	"github.com/firebreak-ops/firebreak/internal/runbook"
	"github.com/firebreak-ops/firebreak/internal/store"
	"github.com/firebreak-ops/firebreak/internal/store/dynamotest"
)

// Run is one run of the whole path under faults: an SQS queue of events read by
// concurrent intake workers, the table's stream feeding dispatch with the event source
// mapping's retries, and the escalator ticking beside them; every AWS call goes through
// a fault proxy to dynalite or to the recording SNS and Step Functions endpoint.
type Run struct {
	Config *config.Config
	Events [][]byte // event bodies, as EventBridge puts them on the queue
	// Deliveries is how many times each event is put on the queue (EventBridge and SQS
	// deliver at least once). The queue holds them in event-time order, each delivery
	// delayed by a random share of Jitter (seeded by Shuffle): deliveries of one event
	// arrive apart and events of nearby times swap places, as EventBridge's and SQS's
	// delays and reordering do. Jitter 0 and Shuffle 0: event-time order.
	Deliveries int
	Shuffle    uint64
	Jitter     time.Duration
	Workers    int // concurrent intake invocations (default 4)
	BatchSize  int // messages per invocation (default the config's intake batch size)
	// MaxReceives is the queue's maxReceiveCount: a message received that often goes to
	// the DLQ (default intake.MaxReceives, as deployed). StreamAttempts is how often a
	// stream record is tried before it is given up (default dispatch.StreamRetries + 1).
	MaxReceives, StreamAttempts int
	// StreamLanes is the stream stage's parallelization factor: how many batches of the
	// stream dispatch works on at once, each item's records in order in one of them
	// (default dispatch.StreamParallelization, as deployed; 1: the stream in order).
	StreamLanes int
	// Redrives is how many times the operator redrives the intake DLQ, each time the
	// queue has drained, as its alarm asks (SQS's redrive: the messages go back to the
	// queue and are received MaxReceives times again). 0: never.
	Redrives   int
	Faults     Options // the proxies' faults (Rate 0: none)
	SDKRetries bool    // the clients retry as the SDK's standard retryer does
	Dynalite   string  // endpoint of a running dynalite
	Log        *slog.Logger
	// Dump, when set, receives every incident of the final state with its whole
	// timeline (times, kinds, keys, details), to read two runs' differences by hand.
	Dump io.Writer
	// Progress, when set, receives a line every half minute while the run settles: the
	// held openings still undecided, the incidents due and the stream records not yet
	// handed to dispatch, read without faults.
	Progress io.Writer
}

// Result is what a run ended with and what it went through.
type Result struct {
	State State
	// Faults injected, by kind; Attempts are SDK retry attempts the proxies saw.
	Faults   map[Kind]int
	Attempts int
	// Redelivered counts queue messages received again after a failed batch item or
	// invocation; DLQ the messages given up after MaxReceives; Redriven those the
	// operator's redrives put back on the queue; DLQLeft those still in the DLQ at the end.
	Redelivered, DLQ, Redriven, DLQLeft int
	// StreamRetries counts stream records tried again; StreamLost those given up.
	StreamRetries, StreamLost int
	// Publishes are SNS Publish calls that reached the endpoint; Starts StartExecution calls.
	Publishes, Starts int
	// AmbiguousPublishes are publishes that reached SNS while their client timed out:
	// the retry publishes again (a standard topic cannot de-duplicate), so each may be a
	// notice sent twice, by design of at-least-once delivery.
	AmbiguousPublishes int
}

// State is the final state a run is judged by.
type State struct {
	Incidents   []IncidentState
	Quarantined int
	// Notifications counts each distinct notice (topic and subject) that reached SNS.
	Notifications map[string]int
	// Executions are the runbook executions started, by name.
	Executions []string
}

// IncidentState is an incident's outcome: its fields that do not depend on timing,
// and its timeline as kinds and keys.
type IncidentState struct {
	ID, Status, Severity, Team, Parent, Runbook string
	Count, Recoveries, Events                   int
	Timeline                                    []string
}

// Clock is the run's clock: it runs at speed (virtual time per real time) from a base,
// so that claims' leases expire within a run while the events' clocks stay far ahead
// until the run settles.
type Clock struct {
	mu    sync.Mutex
	base  time.Time
	mark  time.Time
	speed time.Duration
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.base.Add(time.Since(c.mark) * c.speed)
}

func (c *Clock) jump(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.base, c.mark = t, time.Now()
}

// Reference is the run the others are compared with: one in-order delivery of each
// event to one worker, without injected faults. A loaded machine still fails calls (a
// client's timeout), so the SDK retries and the DLQ is redriven, as in the other runs;
// a reference that gave up a message or a stream record is an error, not a reference.
func Reference(ctx context.Context, cfg *config.Config, events [][]byte, dynalite string, dump io.Writer) (*Result, error) {
	res, err := Run{Config: cfg, Events: events, Workers: 1, StreamLanes: 1, SDKRetries: true, Redrives: 10, Dynalite: dynalite, Dump: dump}.Do(ctx)
	if err != nil {
		return nil, err
	}
	if res.DLQLeft > 0 || res.StreamLost > 0 {
		return nil, fmt.Errorf("chaos: the reference run left %d messages in the DLQ and gave %d stream records up (%d client retries): the machine is too loaded for a reference", res.DLQLeft, res.StreamLost, res.Attempts)
	}
	return res, nil
}

// Do runs the whole path and returns its final state.
func (r Run) Do(ctx context.Context) (*Result, error) {
	r.defaults()
	first, last, err := span(r.Events)
	if err != nil {
		return nil, err
	}
	clock := &Clock{speed: 60}
	clock.jump(first.Add(-30 * 24 * time.Hour)) // nothing is due until the run settles

	// dynalite ← stream recorder ← fault proxy ← the store's client.
	direct := dynamodb.New(dynamodb.Options{Region: "us-east-1", BaseEndpoint: aws.String(r.Dynalite),
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", ""), RetryMaxAttempts: 5})
	table := fmt.Sprintf("firebreak-chaos-%d", tableSeq.Add(1))
	if err := dynamotest.CreateTable(ctx, direct, table); err != nil {
		return nil, err
	}
	stream, err := StartStream(r.Dynalite, direct)
	if err != nil {
		return nil, err
	}
	defer stream.Close()
	dbProxy, err := Start(stream.URL, r.Faults)
	if err != nil {
		return nil, err
	}
	defer dbProxy.Close()
	rec := awstest.New()
	defer rec.Close()
	awsFaults := r.Faults
	awsFaults.Seed ^= 0xa5a5
	// A publish whose answer is lost is published again (SNS standard topics cannot
	// de-duplicate): failing SNS writes after they happened would page twice by design.
	awsFaults.Kinds = slices.DeleteFunc(slices.Clone(kindsOr(r.Faults.Kinds)), func(k Kind) bool { return k == AfterWrite })
	awsProxy, err := Start(rec.URL, awsFaults)
	if err != nil {
		return nil, err
	}
	defer awsProxy.Close()

	db := dynamodb.New(dynamodb.Options{Region: "us-east-1", BaseEndpoint: aws.String(dbProxy.URL), Credentials: creds,
		Retryer: r.retryer(), HTTPClient: httpClient()})
	st := store.NewDynamo(db, table, clock.Now).IndexSources(r.Config.InhibitSource)
	snsClient := sns.New(sns.Options{Region: "us-east-1", BaseEndpoint: aws.String(awsProxy.URL), Credentials: creds,
		Retryer: r.retryer(), HTTPClient: httpClient()})
	sfnClient := sfn.New(sfn.Options{Region: "us-east-1", BaseEndpoint: aws.String(awsProxy.URL), Credentials: creds,
		Retryer: r.retryer(), HTTPClient: httpClient()})

	c, err := classify.New(r.Config)
	if err != nil {
		return nil, err
	}
	p := intake.New(intake.CallsAgain(st), c, clock.Now, r.Log) // as the intake Lambda does
	p.ReopenWithin = r.Config.Defaults.ReopenWithin.Duration
	in := &intake.Handler{Processor: p, Now: clock.Now, Log: r.Log}
	topics := map[string]string{}
	for _, t := range r.Config.TeamNames {
		topics[t] = "arn:aws:sns:us-east-1:000000000000:firebreak-" + t
	}
	sender := notify.New(snsClient, topics)
	machines := map[string]string{}
	for name := range r.Config.Runbooks {
		machines[name] = "arn:aws:states:us-east-1:000000000000:stateMachine:firebreak-" + name
	}
	lease := 5 * time.Minute         // virtual: 5 real seconds
	calls := dispatch.CallsAgain(st) // as the dispatch Lambda does
	out := &streamStage{stream: stream, next: make([]int, r.StreamLanes)}
	for range r.StreamLanes { // each lane its own dispatch Lambda
		d := &dispatch.Dispatcher{Store: calls, Quiet: calls, Sender: sender, Config: r.Config, Now: clock.Now, Log: r.Log, Lease: lease,
			Runbooks: &runbook.StepFunctions{Client: sfnClient, StateMachines: machines}}
		d.Problems = dispatch.NewTracker(st, sender, r.Config, r.Log, nil) // problems of recurring fingerprints, as deployed
		out.lanes = append(out.lanes, &dispatch.StreamHandler{Dispatcher: d, Log: r.Log})
	}
	esc := &escalate.Escalator{Store: st, Sender: sender, Config: r.Config, Now: clock.Now, Log: r.Log, Lease: lease,
		Workers: escalate.DueWorkers, Recurrences: out.lanes[0].(*dispatch.StreamHandler).Dispatcher.Problems}

	res := &Result{}
	q := r.queue()
	for round := 0; ; round++ {
		var wg sync.WaitGroup
		for range r.Workers {
			wg.Add(1)
			go func() { defer wg.Done(); r.intakeWorker(ctx, q, in, clock, res) }()
		}
		streamDone := make(chan struct{})
		var streamErr error
		go func() { // the stream stage and the escalator run until intake is done and both settle
			defer close(streamDone)
			tick := time.NewTicker(20 * time.Millisecond)
			defer tick.Stop()
			for {
				select {
				case <-ctx.Done():
					streamErr = ctx.Err()
					return
				case <-q.done:
					return
				case <-tick.C:
					out.drain(ctx, r, res)
					_, _ = esc.Tick(ctx) // nothing is due yet; it reads the due index under faults
				}
			}
		}()
		wg.Wait()
		<-streamDone
		if streamErr != nil {
			return nil, streamErr
		}
		// The DLQ's alarm tells the operator, who redrives it (docs/operations.md).
		if round >= r.Redrives {
			break
		}
		n := q.redrive()
		if n == 0 {
			break
		}
		res.Redriven += n
	}
	res.DLQLeft = len(q.dead)

	// The stream stage catches up first (as it does within seconds of the last event,
	// long before any clock is due) ...
	for out.drain(ctx, r, res) || !out.done() {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
	}
	// ... then, a month after the last event, the clocks run out; the escalator and the
	// stream go on until nothing is due and the stream is drained.
	clock.jump(last.Add(30 * 24 * time.Hour))
	settling, told := time.Now(), time.Now()
	for i := 0; ; i++ {
		if i > 10_000 {
			return nil, errors.New("chaos: the run did not settle")
		}
		if r.Progress != nil && time.Since(told) >= 30*time.Second {
			told = time.Now()
			r.progress(ctx, store.NewDynamo(direct, table, clock.Now), clock.Now(), out, time.Since(settling))
		}
		moved := out.drain(ctx, r, res)
		_, tickErr := esc.Tick(ctx)
		if tickErr != nil {
			r.Log.ErrorContext(ctx, "escalator tick failed; the incidents stay due", "error", tickErr)
		}
		due, err := st.Due(ctx, clock.Now(), 1)
		if err == nil && tickErr == nil && len(due) == 0 && !moved && out.done() {
			break
		}
	}
	if err := stream.Err(); err != nil {
		return nil, err
	}

	res.Faults = mergeFaults(dbProxy.Faults(), awsProxy.Faults())
	res.Attempts = dbProxy.Retries() + awsProxy.Retries()
	res.Publishes, res.Starts = len(rec.Of("Publish")), len(rec.Of("StartExecution"))
	res.AmbiguousPublishes = awsProxy.Ambiguous()["Publish"]
	reader := store.NewDynamo(direct, table, clock.Now)
	if res.State, err = snapshot(ctx, reader, rec); err != nil {
		return nil, err
	}
	if r.Dump != nil {
		if err := dump(ctx, reader, r.Dump); err != nil {
			return nil, err
		}
	}
	return res, nil
}

var (
	tableSeq atomic.Int64
	creds    = credentials.NewStaticCredentialsProvider("local", "local", "")
)

func kindsOr(k []Kind) []Kind {
	if len(k) == 0 {
		return AllKinds
	}
	return k
}

func (r *Run) defaults() {
	if r.Deliveries <= 0 {
		r.Deliveries = 1
	}
	if r.Workers <= 0 {
		r.Workers = 4
	}
	if r.BatchSize <= 0 {
		r.BatchSize = r.Config.Deploy.Intake.BatchSize
	}
	if r.BatchSize <= 0 {
		r.BatchSize = 10
	}
	if r.MaxReceives <= 0 {
		r.MaxReceives = intake.MaxReceives
	}
	if r.StreamLanes <= 0 {
		r.StreamLanes = dispatch.StreamParallelization
	}
	if r.StreamAttempts <= 0 {
		r.StreamAttempts = dispatch.StreamRetries + 1 // the first try and the mapping's retries
	}
	if r.Log == nil {
		r.Log = slog.New(slog.DiscardHandler)
	}
}

// retryer is the SDK's standard retryer, with short waits (the faults come from a local
// proxy) and no client-side rate limit, or no retries at all.
func (r Run) retryer() aws.Retryer {
	if !r.SDKRetries {
		return aws.NopRetryer{}
	}
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxBackoff = 20 * time.Millisecond
		o.RateLimiter = ratelimit.None
	})
}

// span returns the first and last event time of the events that parse.
func span(bodies [][]byte) (time.Time, time.Time, error) {
	var first, last time.Time
	for _, b := range bodies {
		env, err := event.ParseEnvelope(b)
		if err != nil {
			continue
		}
		if first.IsZero() || env.Time.Before(first) {
			first = env.Time
		}
		if env.Time.After(last) {
			last = env.Time
		}
	}
	if first.IsZero() {
		return first, last, errors.New("chaos: no event with a time")
	}
	return first, last, nil
}

func (r Run) intakeWorker(ctx context.Context, q *queue, h *intake.Handler, clock *Clock, res *Result) {
	for ctx.Err() == nil {
		batch, ok := q.receive(r.BatchSize)
		if !ok {
			return
		}
		if len(batch) == 0 {
			time.Sleep(5 * time.Millisecond) // others hold messages in flight
			continue
		}
		ev := events.SQSEvent{}
		for _, m := range batch {
			if m.sent.IsZero() {
				m.sent = clock.Now()
			}
			ev.Records = append(ev.Records, events.SQSMessage{MessageId: m.id, Body: m.body,
				Attributes: map[string]string{"SentTimestamp": strconv.FormatInt(m.sent.UnixMilli(), 10), "ApproximateReceiveCount": strconv.Itoa(m.receives)}})
		}
		failed := map[string]bool{}
		resp, err := h.Handle(ctx, ev)
		if err != nil { // the invocation failed: every message comes back
			for _, m := range batch {
				failed[m.id] = true
			}
		}
		for _, f := range resp.BatchItemFailures {
			failed[f.ItemIdentifier] = true
		}
		re, dlq := q.settle(batch, failed, r.MaxReceives)
		res.add(func() { res.Redelivered += re; res.DLQ += dlq })
	}
}

var resMu sync.Mutex

func (res *Result) add(f func()) {
	resMu.Lock()
	defer resMu.Unlock()
	f()
}

// progress writes how far the run is from settled.
func (r Run) progress(ctx context.Context, reader *store.Dynamo, now time.Time, out *streamStage, took time.Duration) {
	const most = 100_000
	held, herr := reader.HeldUntil(ctx, now, most)
	due, derr := reader.Due(ctx, now, most)
	recs, _ := out.stream.Since(slices.Min(out.next))
	if err := errors.Join(herr, derr); err != nil {
		fmt.Fprintf(r.Progress, "chaos: settling for %s: %v\n", took.Round(time.Second), err)
		return
	}
	fmt.Fprintf(r.Progress, "chaos: settling for %s: %d held openings undecided, %d incidents due, %d stream records waiting\n",
		took.Round(time.Second), len(held), len(due), len(recs))
}

// snapshot reads the final state without faults.
func snapshot(ctx context.Context, st *store.Dynamo, rec *awstest.Server) (State, error) {
	var s State
	incs, err := st.List(ctx, store.Filter{})
	if err != nil {
		return s, err
	}
	sort.Slice(incs, func(i, j int) bool { return incs[i].ID < incs[j].ID })
	for _, inc := range incs {
		tl, err := st.Timeline(ctx, inc.ID)
		if err != nil {
			return s, err
		}
		is := IncidentState{ID: inc.ID, Status: string(inc.Status), Severity: string(inc.Severity), Team: inc.Team,
			Parent: inc.Parent, Runbook: inc.Runbook, Count: inc.Count, Recoveries: inc.Recoveries, Events: inc.Events}
		var lastStatus incident.Kind
		for _, e := range tl { // in time order
			if e.Kind == incident.KindOpened && e.Key != "opened:"+inc.OpenedBy {
				// An opening a later-arriving, earlier trigger replaced: when the incident
				// was first known is delivery history, kept in its timeline; when it
				// opened, and by what, is the outcome, compared by the opening it names.
				continue
			}
			if statusKinds[e.Kind] {
				replaced := e.Kind == incident.KindMitigated && lastStatus == incident.KindMitigated
				lastStatus = e.Kind
				if replaced {
					// A mitigation an earlier, later-arriving recovery replaced (intake's
					// mitigateEarlier): in time order, two mitigations with no change
					// between; the first is the outcome, the second delivery history.
					continue
				}
			}
			is.Timeline = append(is.Timeline, string(e.Kind)+" "+e.Key)
		}
		sort.Strings(is.Timeline)
		s.Incidents = append(s.Incidents, is)
	}
	q, err := st.QuarantinedSince(ctx, time.Time{})
	if err != nil {
		return s, err
	}
	s.Quarantined = len(q)
	s.Notifications = map[string]int{}
	for _, p := range rec.Of("Publish") {
		s.Notifications[p.Form.Get("TopicArn")+" "+p.Form.Get("Subject")]++
	}
	seen := map[string]bool{}
	for _, x := range rec.Of("StartExecution") {
		name := jsonField(x.JSON, "name")
		if !seen[name] {
			seen[name] = true
			s.Executions = append(s.Executions, name)
		}
	}
	sort.Strings(s.Executions)
	return s, nil
}

// statusKinds are the timeline entries of a change of status.
var statusKinds = map[incident.Kind]bool{incident.KindOpened: true, incident.KindMitigated: true, incident.KindRetriggered: true,
	incident.KindReopened: true, incident.KindAcknowledged: true, incident.KindResolved: true, incident.KindClosed: true}

// Diff lists how got differs from want, one line each (nothing: equal).
func Diff(want, got State) []string {
	var out []string
	w := map[string]IncidentState{}
	for _, i := range want.Incidents {
		w[i.ID] = i
	}
	g := map[string]IncidentState{}
	for _, i := range got.Incidents {
		g[i.ID] = i
		wi, ok := w[i.ID]
		if !ok {
			out = append(out, "incident "+i.ID+": not in the fault-free run")
			continue
		}
		a, b := wi, i
		a.Timeline, b.Timeline = nil, nil
		if fmt.Sprint(a) != fmt.Sprint(b) {
			out = append(out, fmt.Sprintf("incident %s: %+v; want %+v", i.ID, b, a))
		}
		if !slices.Equal(wi.Timeline, i.Timeline) {
			out = append(out, fmt.Sprintf("incident %s timeline: missing %v, extra %v", i.ID, minus(wi.Timeline, i.Timeline), minus(i.Timeline, wi.Timeline)))
		}
	}
	for id := range w {
		if _, ok := g[id]; !ok {
			out = append(out, "incident "+id+": lost")
		}
	}
	if want.Quarantined != got.Quarantined {
		out = append(out, fmt.Sprintf("quarantined: %d; want %d", got.Quarantined, want.Quarantined))
	}
	for k, n := range want.Notifications {
		if got.Notifications[k] < n {
			out = append(out, fmt.Sprintf("notice %q: sent %d; want %d (lost)", k, got.Notifications[k], n))
		}
	}
	for k, n := range got.Notifications {
		if n > want.Notifications[k] {
			out = append(out, fmt.Sprintf("notice %q: sent %d; want %d (duplicated)", k, n, want.Notifications[k]))
		}
	}
	if !slices.Equal(want.Executions, got.Executions) {
		out = append(out, fmt.Sprintf("runbook executions: missing %v, extra %v", minus(want.Executions, got.Executions), minus(got.Executions, want.Executions)))
	}
	sort.Strings(out)
	return out
}

// Lost counts what a run lost or did twice against the fault-free run: incidents and
// timeline entries missing or extra, notices sent fewer or more times. A notice sent
// twice is counted in resent instead, up to ambiguous (publishes whose client timed out
// while SNS took them; see Result.AmbiguousPublishes), and in duplicated beyond that.
func Lost(want, got State, ambiguous int) (lost, duplicated, resent int) {
	for _, line := range Diff(want, got) {
		switch {
		case strings.HasPrefix(line, "notice ") && strings.Contains(line, "(duplicated)"):
			if ambiguous > 0 {
				ambiguous--
				resent++
				continue
			}
			duplicated++
		case strings.Contains(line, "not in the fault-free run"):
			duplicated++
		default:
			lost++
		}
	}
	return lost, duplicated, resent
}

func minus(a, b []string) []string {
	have := map[string]int{}
	for _, x := range b {
		have[x]++
	}
	var out []string
	for _, x := range a {
		if have[x] > 0 {
			have[x]--
			continue
		}
		out = append(out, x)
	}
	return out
}

func mergeFaults(ms ...map[Kind]int) map[Kind]int {
	out := map[Kind]int{}
	for _, m := range ms {
		for k, n := range m {
			out[k] += n
		}
	}
	return out
}

// httpClient is the clients' HTTP client: a timeout well under a Lambda's, so that a
// Slow fault is a timeout.
func httpClient() *awshttp.BuildableClient {
	return awshttp.NewBuildableClient().WithTimeout(time.Second).WithTransportOptions(func(t *http.Transport) {
		t.MaxIdleConnsPerHost = 64
	})
}

// jsonField is a string field of a JSON object ("" when absent).
func jsonField(raw []byte, name string) string {
	var m map[string]any
	if json.Unmarshal(raw, &m) != nil {
		return ""
	}
	v, _ := m[name].(string)
	return v
}

// dump writes every incident with its whole timeline to w.
func dump(ctx context.Context, st *store.Dynamo, w io.Writer) error {
	incs, err := st.List(ctx, store.Filter{})
	if err != nil {
		return err
	}
	sort.Slice(incs, func(i, j int) bool { return incs[i].ID < incs[j].ID })
	bw := bufio.NewWriter(w)
	for _, inc := range incs {
		tl, err := st.Timeline(ctx, inc.ID)
		if err != nil {
			return err
		}
		fmt.Fprintf(bw, "%s %s %q status=%s severity=%s opened=%s state_at=%s parent=%s\n", inc.ID, inc.Fingerprint, inc.Title,
			inc.Status, inc.Severity, inc.OpenedAt.Format(time.RFC3339), inc.StateAt.Format(time.RFC3339), inc.Parent)
		for _, e := range tl {
			fmt.Fprintf(bw, "    %s %s %s %q\n", e.At.Format(time.RFC3339Nano), e.Kind, e.Key, e.Detail)
		}
	}
	return bw.Flush()
}
