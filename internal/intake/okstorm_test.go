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

// TestRecoveryStormNeedsFewRequests: a storm of recoveries with nothing open (kept, so
// that a trigger arriving late can take them in) costs a few requests per fingerprint
// and batch, not one per event.
func TestRecoveryStormNeedsFewRequests(t *testing.T) {
	srv := dynamotest.SharedForTest(t)
	db, counter := srv.CountingClient()
	table := dynamotest.NewTable(t, db)
	st := store.NewDynamo(db, table, now)
	p := intake.New(st, classifier(t), now, nil)
	counter.Reset()
	const events = stormEvents / 5 // the docs/figures.md storm's shape (fingerprints, batch), shorter
	recorded := 0
	for start := 0; start < events; start += stormBatch {
		var b []intake.Message
		for i := start; i < start+stormBatch; i++ {
			id := fmt.Sprintf("ok-%05d", i)
			at := t0.Add(time.Duration(i) * 60 * time.Millisecond).Truncate(time.Second)
			b = append(b, intake.Message{ID: id, ReceivedAt: at, Body: eventtest.Alarm(t, id, fmt.Sprintf("prod-svc-%02d", i%stormFingerprints), "OK", at)})
		}
		rep, err := p.Process(context.Background(), b)
		if err != nil || len(rep.Retry) > 0 {
			t.Fatalf("Process() = retry %v, err %v", rep.Retry, err)
		}
		recorded += kinds(rep)[intake.Recorded]
	}
	if recorded != events {
		t.Errorf("recovery storm: %d recorded; want %d", recorded, events)
	}
	reqs := counter.Total()
	t.Logf("recovery storm of %d events: %d DynamoDB requests (%.2f per event)", events, reqs, float64(reqs)/events)
	if reqs*2 > events {
		t.Errorf("recovery storm of %d events took %d DynamoDB requests; want fewer than half the events", events, reqs)
	}
}
