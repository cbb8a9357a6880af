package intake_test

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/firebreak-ops/firebreak/internal/event/eventtest"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/intake"
	"github.com/firebreak-ops/firebreak/internal/store"
	"github.com/firebreak-ops/firebreak/internal/store/dynamotest"
)

// deployedBatch is the intake's SQS batch size (deploy.intake.batch_size in firebreak.yaml).
const deployedBatch = 100

// storm describes a generated storm: events events, event i on fingerprint i%fps,
// perMinute events a minute in event time, delivered in SQS batches of batch.
type storm struct {
	name                   string
	events, fps, perMinute int
	batch                  int
}

func (s storm) alarm(i int) string { return fmt.Sprintf("%s-svc-%04d", s.name, i%s.fps) }

// messages returns batch number k, generated as it is needed (a million events do not
// sit in memory).
func (s storm) messages(tb testing.TB, k int) []intake.Message {
	var out []intake.Message
	for i := k * s.batch; i < min((k+1)*s.batch, s.events); i++ {
		id := fmt.Sprintf("%s-%07d", s.name, i)
		at := t0.Add(time.Duration(i) * time.Minute / time.Duration(s.perMinute)).Truncate(time.Second)
		out = append(out, intake.Message{ID: id, ReceivedAt: at, Body: eventtest.Alarm(tb, id, s.alarm(i), "ALARM", at)})
	}
	return out
}

func (s storm) batches() int { return (s.events + s.batch - 1) / s.batch }

// stormResult is what running a storm through intake into DynamoDB cost and gave.
type stormResult struct {
	usage dynamotest.Usage
	http  int // HTTP requests, SDK retries included
	// sdkRetries counts the requests the SDK sent again after an error.
	sdkRetries int
	outcomes   map[intake.Kind]int
	retried    int
	incs       []incident.Incident
	getUsage   dynamotest.Usage // one Get of the busiest incident afterwards
	elapsed    time.Duration
}

func runStorm(tb testing.TB, s storm) (stormResult, *store.Dynamo, string) {
	tb.Helper()
	srv := dynamotest.SharedForTest(tb)
	db, counter := srv.CountingClient()
	table := dynamotest.NewTable(tb, db)
	meter := dynamotest.NewMeter(db, srv.Client(), table)
	st := store.NewDynamo(meter, table, now)
	p := intake.New(st, classifier(tb), now, nil)
	ctx := context.Background()
	res := stormResult{outcomes: map[intake.Kind]int{}}
	counter.Reset()
	meter.Reset()
	start := time.Now()
	for k := range s.batches() {
		rep, err := p.Process(ctx, s.messages(tb, k))
		if err != nil {
			tb.Fatalf("Process(batch %d) = %v", k, err)
		}
		res.retried += len(rep.Retry)
		for _, o := range rep.Outcomes {
			res.outcomes[o.Kind]++
		}
	}
	res.elapsed = time.Since(start)
	res.usage, res.http, res.sdkRetries = meter.Usage(), counter.Total(), counter.Retries()
	incs, err := st.List(ctx, store.Filter{})
	if err != nil {
		tb.Fatal(err)
	}
	res.incs = incs
	if len(incs) > 0 {
		busiest := incs[0]
		for _, inc := range incs {
			if inc.Events > busiest.Events {
				busiest = inc
			}
		}
		meter.Reset()
		if _, err := st.Get(ctx, busiest.ID); err != nil {
			tb.Fatal(err)
		}
		res.getUsage = meter.Usage()
	}
	return res, st, table
}

// lost is the number of events with no outcome or not counted on an incident.
func (r stormResult) check(tb testing.TB, s storm) {
	tb.Helper()
	if r.retried > 0 {
		tb.Errorf("%s storm: %d messages retried; want none", s.name, r.retried)
	}
	// A write the SDK sent again after an error (dynalite under load) may have happened the
	// first time: its events are then found on the ledger and come out duplicate, counted
	// once all the same (the counters below). Without SDK retries there is none.
	dups := r.outcomes[intake.Duplicate]
	if dups > r.sdkRetries*s.batch {
		tb.Errorf("%s storm: %d duplicate outcomes after %d SDK retries; want at most a batch (%d) per retry", s.name, dups, r.sdkRetries, s.batch)
	}
	if got := r.outcomes[intake.Opened] + r.outcomes[intake.Repeat] + dups; got != s.events || r.outcomes[intake.Opened] != s.fps {
		tb.Errorf("%s storm: outcomes %v; want %d opened and %d in all", s.name, r.outcomes, s.fps, s.events)
	}
	sum := 0
	for _, inc := range r.incs {
		sum += inc.Count
	}
	if sum != s.events || len(r.incs) != s.fps {
		tb.Errorf("%s storm: %d incidents counting %d events; want %d counting %d", s.name, len(r.incs), sum, s.fps, s.events)
	}
}

func (r stormResult) report(b *testing.B, s storm) {
	ev := float64(s.events)
	w := r.usage.WriteUnits + r.usage.IndexWriteUnits
	b.ReportMetric(float64(r.http)/ev, "requests/event")
	b.ReportMetric(w/ev, "write-units/event")
	b.ReportMetric(r.usage.IndexWriteUnits/ev, "index-write-units/event")
	b.ReportMetric(r.usage.ReadUnits/ev, "read-units/event")
	b.ReportMetric(r.getUsage.ReadUnits, "read-units/Get")
	b.ReportMetric(float64(s.events-r.outcomes[intake.Opened]-r.outcomes[intake.Repeat]-r.outcomes[intake.Duplicate]), "lost")
	var parts []string
	for op, n := range r.usage.Requests {
		parts = append(parts, fmt.Sprintf("%s=%d", op, n))
	}
	sort.Strings(parts)
	b.Logf("%s: %d events on %d fingerprints, batches of %d, %d a minute: %d requests (%s), %.0f write units (%.0f of them index), %.0f read units, largest item %d bytes (%s); one Get afterwards: %.1f read units; %s on dynalite",
		s.name, s.events, s.fps, s.batch, s.perMinute, r.http, strings.Join(parts, " "), w, r.usage.IndexWriteUnits, r.usage.ReadUnits,
		r.usage.LargestItem, r.usage.LargestItemKey, r.getUsage.ReadUnits, r.elapsed.Round(time.Second))
}

// stormSize is the environment variable env when set, else def (make bench runs the
// issue's sizes).
func stormSize(tb testing.TB, env string, def int) int {
	v := os.Getenv(env)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		tb.Fatalf("%s=%q: want a positive number of events", env, v)
	}
	return n
}

// BenchmarkStormOneFingerprint: one alarm flapping at 20,000 events a minute, through
// intake into DynamoDB (dynalite) at the deployed batch size. Figures per event:
// requests, write units (index writes included), read units; and the read units of one
// Get of the incident afterwards. FIREBREAK_STORM_EVENTS sets the size (default 1M).
func BenchmarkStormOneFingerprint(b *testing.B) {
	s := storm{name: "one", events: stormSize(b, "FIREBREAK_STORM_EVENTS", 1_000_000), fps: 1, perMinute: 20000, batch: deployedBatch}
	for b.Loop() {
		r, _, _ := runStorm(b, s)
		r.check(b, s)
		r.report(b, s)
	}
}

// BenchmarkStormThousandFingerprints: 100,000 events across 1,000 fingerprints
// (FIREBREAK_WIDE_EVENTS sets the number of events).
func BenchmarkStormThousandFingerprints(b *testing.B) {
	s := storm{name: "wide", events: stormSize(b, "FIREBREAK_WIDE_EVENTS", 100_000), fps: 1000, perMinute: 20000, batch: deployedBatch}
	for b.Loop() {
		r, _, _ := runStorm(b, s)
		r.check(b, s)
		r.report(b, s)
	}
}

// TestOneFingerprintStormKeepsItemsSmall: 200,000 events on one fingerprint, one SQS
// batch (batching window) per 100 events: nothing lost, every event counted once, and
// every item the storm left (read back through the SDK) under 64 KB.
func TestOneFingerprintStormKeepsItemsSmall(t *testing.T) {
	n := 200_000
	if testing.Short() && !dynamotest.InCI() {
		n = 20_000
	}
	s := storm{name: "big", events: n, fps: 1, perMinute: 20000, batch: 100}
	r, st, table := runStorm(t, s)
	r.check(t, s)
	inc := r.incs[0]
	if inc.Events != n || inc.Count != n || !inc.FirstSeen.Equal(t0) {
		t.Errorf("Get() counters = events %d count %d first %v; want %d %d %v", inc.Events, inc.Count, inc.FirstSeen, n, n, t0)
	}
	_ = st
	db := dynamotest.SharedForTest(t).Client()
	const limit = 64 * 1024
	items, largest, largestKey := 0, 0, ""
	for _, pk := range []string{"INC#" + inc.ID, "FP#" + incident.FingerprintKey(inc.Fingerprint)} {
		pager := dynamodb.NewQueryPaginator(db, &dynamodb.QueryInput{
			TableName:                 aws.String(table),
			KeyConditionExpression:    aws.String("pk = :pk"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: pk}},
		})
		for pager.HasMorePages() {
			page, err := pager.NextPage(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range page.Items {
				items++
				if size := dynamotest.ItemSize(it); size > largest {
					largest, largestKey = size, pk+" / "+it["sk"].(*types.AttributeValueMemberS).Value
				}
			}
		}
	}
	if largest >= limit {
		t.Errorf("largest item after a %d-event storm: %s, %d bytes; want under %d", n, largestKey, largest, limit)
	}
	t.Logf("%d events: %d items, the largest %s at %d bytes; %d requests, %.0f write units; %s on dynalite",
		n, items, largestKey, largest, r.http, r.usage.WriteUnits+r.usage.IndexWriteUnits, r.elapsed.Round(time.Second))
}
