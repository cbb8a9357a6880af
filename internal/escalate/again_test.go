package escalate_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/store"
	"github.com/firebreak-ops/firebreak/internal/store/dynamotest"
)

// failFirstReads fails each read (GetItem, Query, BatchGetItem) the first time it sees
// that request once armed, before it reaches the table; writes pass.
type failFirstReads struct {
	store.DynamoDB
	mu     sync.Mutex
	armed  bool
	seen   map[string]bool
	failed int
}

func (f *failFirstReads) arm() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.armed, f.seen = true, map[string]bool{}
}

func (f *failFirstReads) fail(op string, in any) error {
	b, err := json.Marshal(in)
	if err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	key := op + string(b)
	if !f.armed || f.seen[key] {
		return nil
	}
	f.seen[key] = true
	f.failed++
	return dynamotest.ErrInjected
}

func (f *failFirstReads) GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	if err := f.fail("GetItem", in); err != nil {
		return nil, err
	}
	return f.DynamoDB.GetItem(ctx, in, opts...)
}

func (f *failFirstReads) Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	if err := f.fail("Query", in); err != nil {
		return nil, err
	}
	return f.DynamoDB.Query(ctx, in, opts...)
}

func (f *failFirstReads) BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error) {
	if err := f.fail("BatchGetItem", in); err != nil {
		return nil, err
	}
	return f.DynamoDB.BatchGetItem(ctx, in, opts...)
}

// TestHeldOpeningsDecidedWhenEachReadFailsOnce: each read of the tick fails the first
// time it is made. A decision that began again with its reads after each failure got one
// read further per try and ran out of tries (each decision makes more distinct reads
// than it has tries); the decision makes a failed read again where it is, so the tick
// decides all three openings, as without failures: FB-B and FB-C grouped under FB-A,
// one page.
func TestHeldOpeningsDecidedWhenEachReadFailsOnce(t *testing.T) {
	db, table := dynamotest.ForTest(t)
	f := &failFirstReads{DynamoDB: db}
	r := newHeldRun(t, "2m", f, table)
	r.at(t0.Add(30 * time.Second))
	r.open(t, "FB-A", incident.Sev3, t0)
	r.open(t, "FB-B", incident.Sev2, t0.Add(10*time.Second))
	r.open(t, "FB-C", incident.Sev2, t0.Add(20*time.Second))
	r.at(t0.Add(4 * time.Minute))
	f.arm()
	rep, err := r.e.Tick(context.Background())
	if rep.HeldDecided != 3 || err != nil && strings.Contains(err.Error(), "held opening") {
		t.Fatalf("each read failing once: %d decided, %v; want all 3 decided in the tick", rep.HeldDecided, err)
	}
	if f.failed < 10 {
		t.Fatalf("%d reads failed; want each of the tick's once", f.failed)
	}
	for _, id := range []string{"FB-B", "FB-C"} {
		if got := r.state(t, id); !strings.Contains(got, `parent="FB-A"`) {
			t.Errorf("%s: %s; want grouped under FB-A, the earliest", id, got)
		}
	}
	if pages := r.pages(); len(pages) != 1 {
		t.Errorf("pages %q; want one, FB-A's (the group's)", pages)
	}
}
