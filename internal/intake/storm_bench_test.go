package intake_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/event/eventtest"
	"github.com/firebreak-ops/firebreak/internal/intake"
	"github.com/firebreak-ops/firebreak/internal/store"
	"github.com/firebreak-ops/firebreak/internal/store/dynamotest"
)

// Storm shape of docs/figures.md: 10,000 events over 20 fingerprints, in SQS batches of
// the deployed size (deployedBatch: 100).
const (
	stormEvents       = 10000
	stormFingerprints = 20
)

func stormBatches(t testing.TB) [][]intake.Message {
	var batches [][]intake.Message
	batch := deployedBatch(t)
	for start := 0; start < stormEvents; start += batch {
		var b []intake.Message
		for i := start; i < start+batch; i++ {
			id := fmt.Sprintf("storm-%05d", i)
			// 10,000 events over ten minutes, as an alarm storm arrives.
			at := t0.Add(time.Duration(i) * 60 * time.Millisecond).Truncate(time.Second)
			b = append(b, intake.Message{ID: id, ReceivedAt: at,
				Body: eventtest.Alarm(t, id, fmt.Sprintf("prod-svc-%02d", i%stormFingerprints), "ALARM", at)})
		}
		batches = append(batches, b)
	}
	return batches
}

// BenchmarkStormDynamoDBRequests replays the storm of docs/figures.md (10,000 events over 20
// fingerprints in ten minutes, SQS batches of 100) into DynamoDB (dynalite) through the
// real SDK client: HTTP requests per event (1.0 is what one write per event would
// cost), write units per event (index writes included) and read units, as runStorm
// measures them.
func BenchmarkStormDynamoDBRequests(b *testing.B) {
	s := storm{name: "storm", events: stormEvents, fps: stormFingerprints, perMinute: 1000, batch: deployedBatch(b)}
	for b.Loop() {
		r, _, _ := runStorm(b, s)
		r.check(b, s)
		r.report(b, s)
		b.ReportMetric(float64(s.events)/float64(r.http), "events/request")
	}
}

// TestStormNeedsFewRequests checks the storm's outcome and that it needs far fewer
// requests than events (the exact figure is the benchmark's).
func TestStormNeedsFewRequests(t *testing.T) {
	srv := dynamotest.SharedForTest(t)
	db, counter := srv.CountingClient()
	table := dynamotest.NewTable(t, db)
	st := store.NewDynamo(db, table, now)
	p := intake.New(st, classifier(t), now, nil)
	counter.Reset()
	// A write that dynalite applied but whose answer the client lost (a reset connection
	// on a loaded machine) is retried by the SDK and then found already recorded: its
	// events report duplicate, and the counts below still hold each event once.
	opened, repeats, dups := 0, 0, 0
	for _, batch := range stormBatches(t) {
		rep, err := p.Process(context.Background(), batch)
		if err != nil || len(rep.Retry) > 0 {
			t.Fatalf("Process() = retry %v, err %v", rep.Retry, err)
		}
		k := kinds(rep)
		opened += k[intake.Opened]
		repeats += k[intake.Repeat]
		dups += k[intake.Duplicate]
	}
	reqs := counter.Total()
	if opened != stormFingerprints || opened+repeats+dups != stormEvents {
		t.Errorf("storm: %d opened, %d repeats, %d duplicates; want %d opened and %d repeats or duplicates", opened, repeats, dups, stormFingerprints, stormEvents-stormFingerprints)
	}
	if reqs*3 > stormEvents {
		t.Errorf("storm of %d events took %d DynamoDB requests; want fewer than a third of the events", stormEvents, reqs)
	}
	incs, err := st.List(context.Background(), store.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	sum := 0
	for _, inc := range incs {
		sum += inc.Count
	}
	if sum != stormEvents {
		t.Errorf("incident counts sum to %d; want %d", sum, stormEvents)
	}
}
