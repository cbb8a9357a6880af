package intake_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/firebreak-ops/firebreak"
	catalog "github.com/firebreak-ops/firebreak/events"
	"github.com/firebreak-ops/firebreak/internal/classify"
	"github.com/firebreak-ops/firebreak/internal/event/eventtest"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/intake"
	"github.com/firebreak-ops/firebreak/internal/metrics"
	"github.com/firebreak-ops/firebreak/internal/store"
	"github.com/firebreak-ops/firebreak/internal/store/dynamotest"
)

func TestMain(m *testing.M) { dynamotest.Main(m) }

var t0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

func now() time.Time { return t0.Add(time.Hour) }

type fullStore interface {
	intake.Store
	Get(ctx context.Context, id string) (incident.Incident, error)
	List(ctx context.Context, f store.Filter) ([]incident.Incident, error)
	Timeline(ctx context.Context, id string) ([]incident.Entry, error)
	QuarantinedSince(ctx context.Context, t time.Time) ([]store.Quarantined, error)
}

var stores = map[string]func(t *testing.T) fullStore{
	"memory": func(t *testing.T) fullStore { return store.NewMemory(now) },
	"dynamodb": func(t *testing.T) fullStore {
		return dynamotest.Store(t, now)
	},
}

func classifier(t testing.TB) *classify.Classifier {
	t.Helper()
	cfg, err := firebreak.Config()
	if err != nil {
		t.Fatal(err)
	}
	c, err := classify.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func msg(id string, body []byte) intake.Message {
	return intake.Message{ID: id, Body: body, ReceivedAt: t0}
}

func kinds(rep intake.Report) map[intake.Kind]int {
	out := map[intake.Kind]int{}
	for _, o := range rep.Outcomes {
		out[o.Kind]++
	}
	return out
}

func only(t *testing.T, st fullStore) incident.Incident {
	t.Helper()
	incs, err := st.List(context.Background(), store.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(incs) != 1 {
		t.Fatalf("List() = %d incidents; want 1", len(incs))
	}
	return incs[0]
}

func timelineKinds(t *testing.T, st fullStore, id string) []string {
	t.Helper()
	tl, err := st.Timeline(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var ks []string
	for _, e := range tl {
		ks = append(ks, e.Kind)
	}
	return ks
}

func TestIntake(t *testing.T) {
	ctx := context.Background()
	for name, newStore := range stores {
		t.Run(name, func(t *testing.T) {
			t.Run("AlarmThenOKMitigates", func(t *testing.T) {
				st := newStore(t)
				p := intake.New(st, classifier(t), now, nil)
				batch := []intake.Message{
					msg("m1", eventtest.Alarm(t, "e-alarm", "prod-web-cpu", "ALARM", t0)),
					msg("m2", eventtest.Alarm(t, "e-alarm-2", "prod-web-cpu", "ALARM", t0.Add(time.Minute))),
					msg("m3", eventtest.Alarm(t, "e-ok", "prod-web-cpu", "OK", t0.Add(5*time.Minute))),
				}
				rep, err := p.Process(ctx, batch)
				if err != nil || len(rep.Retry) > 0 {
					t.Fatalf("Process() = retry %v, err %v", rep.Retry, err)
				}
				if k := kinds(rep); k[intake.Opened] != 1 || k[intake.Repeat] != 1 || k[intake.Mitigated] != 1 {
					t.Errorf("outcomes = %v; want 1 opened, 1 repeat, 1 mitigated", k)
				}
				inc := only(t, st)
				if inc.Status != incident.Mitigated || inc.Count != 2 || inc.Recoveries != 1 || inc.Severity != incident.Sev2 || inc.Class != "ops.alarm-prod" {
					t.Errorf("incident = %s %s count %d recoveries %d %s; want mitigated sev2 count 2 recoveries 1 ops.alarm-prod",
						inc.Status, inc.Severity, inc.Count, inc.Recoveries, inc.Class)
				}
				if !inc.FirstSeen.Equal(t0) || !inc.LastSeen.Equal(t0.Add(5*time.Minute)) {
					t.Errorf("seen %v..%v; want %v..%v", inc.FirstSeen, inc.LastSeen, t0, t0.Add(5*time.Minute))
				}
				if got := fmt.Sprint(timelineKinds(t, st, inc.ID)); got != "[opened mitigated]" {
					t.Errorf("timeline = %s; want [opened mitigated]", got)
				}

				// At-least-once: the whole batch again, then in a different order and split.
				before := inc
				for _, b := range [][]intake.Message{batch, {batch[2]}, {batch[1], batch[0]}} {
					rep, err := p.Process(ctx, b)
					if err != nil {
						t.Fatal(err)
					}
					if k := kinds(rep); k[intake.Duplicate] != len(b) {
						t.Errorf("redelivery outcomes = %v; want %d duplicates", k, len(b))
					}
				}
				after := only(t, st)
				if after.Version != before.Version || after.Count != before.Count || after.Status != before.Status || after.Events != before.Events {
					t.Errorf("after redelivery = %+v; want unchanged %+v", after, before)
				}
				if got := fmt.Sprint(timelineKinds(t, st, inc.ID)); got != "[opened mitigated]" {
					t.Errorf("timeline after redelivery = %s; want [opened mitigated]", got)
				}

				// The alarm fires again after it recovered: the same incident re-opens.
				rep, err = p.Process(ctx, []intake.Message{msg("m4", eventtest.Alarm(t, "e-again", "prod-web-cpu", "ALARM", t0.Add(9*time.Minute)))})
				if err != nil {
					t.Fatal(err)
				}
				if k := kinds(rep); k[intake.Retriggered] != 1 {
					t.Errorf("outcomes = %v; want 1 retriggered", k)
				}
				inc = only(t, st)
				if inc.Status != incident.Open || inc.Count != 3 {
					t.Errorf("incident = %s count %d; want open count 3", inc.Status, inc.Count)
				}
				if got := fmt.Sprint(timelineKinds(t, st, inc.ID)); got != "[opened mitigated retriggered]" {
					t.Errorf("timeline = %s; want [opened mitigated retriggered]", got)
				}
				// A late OK from before the re-trigger changes nothing but is counted.
				rep, err = p.Process(ctx, []intake.Message{msg("m5", eventtest.Alarm(t, "e-late-ok", "prod-web-cpu", "OK", t0.Add(7*time.Minute)))})
				if err != nil {
					t.Fatal(err)
				}
				if k := kinds(rep); k[intake.Recovery] != 1 {
					t.Errorf("late OK outcomes = %v; want 1 recovery that changed nothing", k)
				}
				if inc = only(t, st); inc.Status != incident.Open || inc.Recoveries != 2 {
					t.Errorf("incident = %s recoveries %d; want open, 2 recoveries", inc.Status, inc.Recoveries)
				}
			})

			t.Run("ReopenWithinWindowElseNewIncident", func(t *testing.T) {
				st := newStore(t)
				p := intake.New(st, classifier(t), now, nil)
				p.ReopenWithin = time.Hour
				resolve := func(id string, at time.Time) {
					t.Helper()
					if _, err := st.Change(ctx, store.Change{Incident: id, Status: incident.Resolved, At: at,
						Entry: incident.Entry{At: at, Kind: "resolved", Key: "resolved:" + at.String()}}); err != nil {
						t.Fatal(err)
					}
				}
				fire := func(id string, at time.Time) intake.Outcome {
					t.Helper()
					rep, err := p.Process(ctx, []intake.Message{msg(id, eventtest.Alarm(t, id, "prod-flappy", "ALARM", at))})
					if err != nil || len(rep.Outcomes) != 1 {
						t.Fatalf("Process(%s) = %v, %v", id, rep.Outcomes, err)
					}
					return rep.Outcomes[0]
				}
				first := fire("a1", t0)
				resolve(first.Incident, t0.Add(10*time.Minute))
				if o := fire("late", t0.Add(5*time.Minute)); o.Incident != first.Incident || o.Kind != intake.Repeat {
					t.Errorf("a trigger from before the resolution = %s on %s; want a repeat on the resolved %s", o.Kind, o.Incident, first.Incident)
				}
				if o := fire("a2", t0.Add(40*time.Minute)); o.Incident != first.Incident || o.Kind != intake.Retriggered {
					t.Errorf("a trigger 30m after resolution = %s on %s; want %s re-opened", o.Kind, o.Incident, first.Incident)
				}
				inc, err := st.Get(ctx, first.Incident)
				if err != nil || inc.Status != incident.Open {
					t.Fatalf("re-opened incident = %s, %v; want open", inc.Status, err)
				}
				if got := fmt.Sprint(timelineKinds(t, st, inc.ID)); got != "[opened resolved reopened]" {
					t.Errorf("timeline = %s; want [opened resolved reopened]", got)
				}
				resolve(first.Incident, t0.Add(50*time.Minute))
				o := fire("a3", t0.Add(3*time.Hour))
				if o.Kind != intake.Opened || o.Incident == first.Incident || o.Incident[len(o.Incident)-2:] != "-2" {
					t.Errorf("a trigger 2h10m after resolution = %s on %s; want a new incident, the fingerprint's second", o.Kind, o.Incident)
				}
			})

			t.Run("SameEventTwiceInOneBatch", func(t *testing.T) {
				st := newStore(t)
				p := intake.New(st, classifier(t), now, nil)
				a := eventtest.Alarm(t, "e1", "prod-twice", "ALARM", t0)
				info := eventtest.Alarm(t, "e2", "prod-twice-info", "INSUFFICIENT_DATA", t0)
				rep, err := p.Process(ctx, []intake.Message{msg("m1", a), msg("m1-again", a), msg("m2", info), msg("m2-again", info)})
				if err != nil {
					t.Fatal(err)
				}
				if got := kinds(rep); got[intake.Opened] != 1 || got[intake.Recorded] != 1 || got[intake.Duplicate] != 2 {
					t.Errorf("outcomes = %v; want 1 opened, 1 recorded, 2 duplicates", got)
				}
			})

			t.Run("InfoAndLooseRecoveriesAreRecordedNotIncidents", func(t *testing.T) {
				st := newStore(t)
				p := intake.New(st, classifier(t), now, nil)
				rep, err := p.Process(ctx, []intake.Message{
					msg("m1", eventtest.Alarm(t, "e1", "prod-db", "INSUFFICIENT_DATA", t0)),
					msg("m2", eventtest.Alarm(t, "e2", "prod-db", "OK", t0.Add(time.Minute))),
				})
				if err != nil {
					t.Fatal(err)
				}
				if k := kinds(rep); k[intake.Recorded] != 2 {
					t.Errorf("outcomes = %v; want 2 recorded", k)
				}
				incs, err := st.List(ctx, store.Filter{})
				if err != nil || len(incs) != 0 {
					t.Errorf("List() = %d incidents, %v; want none", len(incs), err)
				}
				rep, err = p.Process(ctx, []intake.Message{msg("m2", eventtest.Alarm(t, "e2", "prod-db", "OK", t0.Add(time.Minute)))})
				if err != nil {
					t.Fatal(err)
				}
				if k := kinds(rep); k[intake.Duplicate] != 1 {
					t.Errorf("redelivered info outcomes = %v; want 1 duplicate", k)
				}
			})

			t.Run("RecoveryBeforeTriggerInOneBatchStaysOutside", func(t *testing.T) {
				st := newStore(t)
				p := intake.New(st, classifier(t), now, nil)
				batch := []intake.Message{
					msg("m1", eventtest.Alarm(t, "e-ok", "prod-q", "OK", t0)),
					msg("m2", eventtest.Alarm(t, "e-alarm", "prod-q", "ALARM", t0.Add(time.Minute))),
				}
				for round := range 2 {
					rep, err := p.Process(ctx, batch)
					if err != nil {
						t.Fatal(err)
					}
					want := map[intake.Kind]int{intake.Recorded: 1, intake.Opened: 1}
					if round == 1 {
						want = map[intake.Kind]int{intake.Duplicate: 2}
					}
					if got := kinds(rep); fmt.Sprint(got) != fmt.Sprint(want) {
						t.Errorf("round %d outcomes = %v; want %v", round, got, want)
					}
				}
				if inc := only(t, st); inc.Status != incident.Open || inc.Events != 1 {
					t.Errorf("incident = %s with %d events; want open with 1", inc.Status, inc.Events)
				}
			})

			t.Run("QuarantineWholeAndCounted", func(t *testing.T) {
				st := newStore(t)
				p := intake.New(st, classifier(t), now, nil)
				good := eventtest.Alarm(t, "e1", "prod-x", "ALARM", t0)
				bad := [][]byte{good[:len(good)/2], []byte("not json"), []byte(`{"id":"x","source":"aws.cloudwatch"}`), []byte(""),
					[]byte(`{"version":"0","id":"e9","detail-type":"CloudWatch Alarm State Change","source":"aws.cloudwatch","account":"1","time":"yesterday","region":"eu-west-1","detail":{"alarmName":"a","state":{"value":"ALARM"}}}`)}
				msgs := []intake.Message{msg("ok", good)}
				for i, b := range bad {
					msgs = append(msgs, msg(fmt.Sprintf("bad-%d", i), b))
				}
				rep, err := p.Process(ctx, msgs)
				if err != nil || len(rep.Retry) != 0 {
					t.Fatalf("Process() = retry %v, err %v", rep.Retry, err)
				}
				if k := kinds(rep); k[intake.Quarantined] != len(bad) || k[intake.Opened] != 1 {
					t.Errorf("outcomes = %v; want %d quarantined and the good event opened", k, len(bad))
				}
				q, err := st.QuarantinedSince(ctx, t0.Add(-time.Hour))
				if err != nil {
					t.Fatal(err)
				}
				var payloads []string
				for _, x := range q {
					payloads = append(payloads, string(x.Payload))
				}
				sort.Strings(payloads)
				var want []string
				for _, b := range bad {
					want = append(want, string(b))
				}
				sort.Strings(want)
				if fmt.Sprintf("%q", payloads) != fmt.Sprintf("%q", want) {
					t.Errorf("quarantined payloads = %q; want %q", payloads, want)
				}
				for _, o := range rep.Outcomes {
					if o.Kind == intake.Quarantined && o.MessageID == "bad-4" && o.Reason != `event e9 (aws.cloudwatch): time: "yesterday" is not an RFC 3339 timestamp` {
						t.Errorf("quarantine reason = %q; want it to name the event, the field and the reason", o.Reason)
					}
				}
			})

			t.Run("StormAggregatesPerFingerprint", func(t *testing.T) {
				st := newStore(t)
				p := intake.New(st, classifier(t), now, nil)
				const n, fps, batch = 600, 6, 100
				total := 0
				for b := 0; b < n/batch; b++ {
					var msgs []intake.Message
					for i := b * batch; i < (b+1)*batch; i++ {
						id := fmt.Sprintf("storm-%04d", i)
						msgs = append(msgs, msg(id, eventtest.Alarm(t, id, fmt.Sprintf("prod-svc-%d", i%fps), "ALARM", t0.Add(time.Duration(i)*time.Second))))
					}
					rep, err := p.Process(ctx, msgs)
					if err != nil || len(rep.Retry) > 0 {
						t.Fatalf("Process() = retry %v, err %v", rep.Retry, err)
					}
					total += len(rep.Outcomes)
				}
				incs, err := st.List(ctx, store.Filter{})
				if err != nil {
					t.Fatal(err)
				}
				sum := 0
				for _, inc := range incs {
					sum += inc.Count
				}
				if len(incs) != fps || sum != n || total != n {
					t.Errorf("storm: %d incidents, counts sum %d, outcomes %d; want %d, %d, %d", len(incs), sum, total, fps, n, n)
				}
			})

			t.Run("ConcurrentWorkersOneIncident", func(t *testing.T) {
				st := newStore(t)
				c := classifier(t)
				var wg sync.WaitGroup
				var mu sync.Mutex
				got := map[intake.Kind]int{}
				for w := range 4 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						p := intake.New(st, c, now, nil)
						var msgs []intake.Message
						for i := range 10 {
							id := fmt.Sprintf("w%d-e%d", w, i)
							msgs = append(msgs, msg(id, eventtest.Alarm(t, id, "prod-race", "ALARM", t0.Add(time.Duration(i)*time.Second))))
						}
						// Every worker also carries one event another worker has.
						shared := "w0-e0"
						msgs = append(msgs, msg(shared, eventtest.Alarm(t, shared, "prod-race", "ALARM", t0)))
						rep, err := p.Process(ctx, msgs)
						if err != nil || len(rep.Retry) > 0 {
							t.Errorf("worker %d: retry %v, err %v", w, rep.Retry, err)
						}
						mu.Lock()
						for k, v := range kinds(rep) {
							got[k] += v
						}
						mu.Unlock()
					}()
				}
				wg.Wait()
				inc := only(t, st)
				if inc.Count != 40 || got[intake.Opened] != 1 || got[intake.Opened]+got[intake.Repeat] != 40 {
					t.Errorf("incident count %d, outcomes %v; want 40 events, exactly 1 opened and 39 repeats", inc.Count, got)
				}
			})

			t.Run("SeverityRaisedByRerating", func(t *testing.T) {
				st := newStore(t)
				p := intake.New(st, classifier(t), now, nil)
				if _, err := p.Process(ctx, []intake.Message{msg("m1", eventtest.GuardDuty(t, "g1", "finding-1", 2, t0))}); err != nil {
					t.Fatal(err)
				}
				if inc := only(t, st); inc.Severity != incident.Sev4 {
					t.Fatalf("severity = %s; want sev4 for a LOW finding", inc.Severity)
				}
				if _, err := p.Process(ctx, []intake.Message{msg("m2", eventtest.GuardDuty(t, "g2", "finding-1", 8, t0.Add(time.Hour)))}); err != nil {
					t.Fatal(err)
				}
				inc := only(t, st)
				if inc.Severity != incident.Sev2 || inc.Count != 2 {
					t.Errorf("after a HIGH re-rating: severity %s count %d; want sev2, 2", inc.Severity, inc.Count)
				}
				if got := fmt.Sprint(timelineKinds(t, st, inc.ID)); got != "[opened severity-raised]" {
					t.Errorf("timeline = %s; want [opened severity-raised]", got)
				}
			})

			t.Run("EverySampleIsAccountedFor", func(t *testing.T) {
				st := newStore(t)
				p := intake.New(st, classifier(t), now, nil)
				samples, err := catalog.Samples()
				if err != nil {
					t.Fatal(err)
				}
				var msgs []intake.Message
				for _, s := range samples {
					raw, err := catalog.ReadSample(s.File)
					if err != nil {
						t.Fatal(err)
					}
					msgs = append(msgs, msg(s.File, raw))
				}
				rep, err := p.Process(ctx, msgs)
				if err != nil || len(rep.Retry) > 0 {
					t.Fatalf("Process(samples) = retry %v, err %v", rep.Retry, err)
				}
				seen := map[string]bool{}
				for _, o := range rep.Outcomes {
					seen[o.MessageID] = true
					if o.Kind == intake.Quarantined || o.Kind == intake.Duplicate {
						t.Errorf("sample %s: outcome %s; want it recorded", o.MessageID, o.Kind)
					}
				}
				if len(seen) != len(samples) {
					t.Errorf("%d samples have outcomes; want all %d", len(seen), len(samples))
				}
			})
		})
	}
}

func TestStoreFailureRetriesMessages(t *testing.T) {
	db := dynamotest.SharedForTest(t).Client()
	st := store.NewDynamo(db, "no-such-table", now) // every request fails: ResourceNotFoundException
	h := &intake.Handler{Processor: intake.New(st, classifier(t), now, nil), Now: now}
	in := events.SQSEvent{Records: []events.SQSMessage{
		{MessageId: "a", Body: string(eventtest.Alarm(t, "e1", "prod-a", "ALARM", t0))},
		{MessageId: "b", Body: string(eventtest.Alarm(t, "e2", "prod-b", "INSUFFICIENT_DATA", t0))},
		{MessageId: "c", Body: "garbage"},
	}}
	resp, err := h.Handle(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, f := range resp.BatchItemFailures {
		ids = append(ids, f.ItemIdentifier)
	}
	sort.Strings(ids)
	if fmt.Sprint(ids) != "[a b c]" {
		t.Errorf("BatchItemFailures = %v; want [a b c] (nothing could be stored, not even the quarantine)", ids)
	}
}

func TestHandlerReportsOnlyFailedMessages(t *testing.T) {
	st := store.NewMemory(now)
	var emf bytes.Buffer
	h := &intake.Handler{Processor: intake.New(st, classifier(t), now, nil), Now: now, Metrics: metrics.New(&emf),
		Log: slog.New(slog.DiscardHandler)}
	in := events.SQSEvent{Records: []events.SQSMessage{
		{MessageId: "a", Body: string(eventtest.Alarm(t, "e1", "prod-a", "ALARM", t0)), Attributes: map[string]string{"SentTimestamp": "1793610000000"}},
		{MessageId: "b", Body: "{truncated"},
	}}
	resp, err := h.Handle(context.Background(), in)
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Errorf("Handle() = %v, %v; want no failures (garbage is quarantined, not retried)", resp.BatchItemFailures, err)
	}
	q, err := st.QuarantinedSince(context.Background(), time.Time{})
	if err != nil || len(q) != 1 || q[0].MessageID != "b" || string(q[0].Payload) != "{truncated" {
		t.Errorf("quarantine = %+v, %v; want message b kept whole", q, err)
	}
	// CloudWatch Embedded Metric Format: one line of counts, one per severity opened.
	lines := strings.Split(strings.TrimSpace(emf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("EMF lines = %q; want 2", lines)
	}
	var totals, bySev map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &totals); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(lines[1]), &bySev); err != nil {
		t.Fatal(err)
	}
	if totals["Events"] != 1.0 || totals["Quarantined"] != 1.0 || totals["Duplicates"] != 0.0 {
		t.Errorf("EMF totals = %v; want Events 1, Quarantined 1, Duplicates 0", totals)
	}
	meta := bySev["_aws"].(map[string]any)["CloudWatchMetrics"].([]any)[0].(map[string]any)
	if bySev["Severity"] != "sev2" || bySev["IncidentsOpened"] != 1.0 || meta["Namespace"] != "Firebreak" ||
		fmt.Sprint(meta["Dimensions"]) != "[[Severity]]" {
		t.Errorf("EMF by severity = %v; want IncidentsOpened 1 for sev2 in namespace Firebreak", bySev)
	}
}
