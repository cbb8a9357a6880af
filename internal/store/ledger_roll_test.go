package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/firebreak-ops/firebreak/internal/event"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/store"
	"github.com/firebreak-ops/firebreak/internal/store/dynamotest"
)

var rollT0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

// rollStorm is n events on one ledger at perSecond, every tenth a recovery, in batches
// of 100 as SQS delivers them.
func rollStorm(n, perSecond int) [][]store.EventRef {
	var batches [][]store.EventRef
	for start := 0; start < n; start += 100 {
		var b []store.EventRef
		for i := start; i < min(start+100, n); i++ {
			sig := event.Trigger
			if i%10 == 9 {
				sig = event.Recovery
			}
			b = append(b, store.EventRef{ID: fmt.Sprintf("e-%06d", i), Time: rollT0.Add(time.Duration(i) * time.Second / time.Duration(perSecond)), Signal: sig})
		}
		batches = append(batches, b)
	}
	return batches
}

// TestStormRollsCostNoWriteOfTheirOwn: in a storm on one ledger, each batch is one
// conditional update of the head and the rolls add only their pages: a roll's removal
// of the rolled-out seconds rides on the next batch's update. The head stays small and
// the counters exact.
func TestStormRollsCostNoWriteOfTheirOwn(t *testing.T) {
	srv := dynamotest.SharedForTest(t)
	db, counter := srv.CountingClient()
	table := dynamotest.NewTable(t, db)
	st := store.NewDynamo(db, table, func() time.Time { return rollT0 })
	ctx := context.Background()
	l := store.Ledger{Fingerprint: "ops.alarm|1|r|storm"}
	batches := rollStorm(8000, 400) // 20 seconds, about 8 rolls
	counter.Reset()
	added := 0
	for i, b := range batches {
		a, err := st.Record(ctx, l, b)
		if err != nil {
			t.Fatalf("Record(batch %d) = %v", i, err)
		}
		added += len(a)
	}
	_, ops := counter.Requested()
	// An SDK retry of a write whose answer dynalite lost finds it done: its batch reads
	// the head and reports its events there already (one read, one update, a batch each).
	lost := counter.Retries()
	if added > 8000 || added < 8000-100*lost {
		t.Errorf("Record() added %d events (%d SDK retries); want 8000", added, lost)
	}
	if ops["UpdateItem"] < len(batches) || ops["UpdateItem"] > len(batches)+lost {
		t.Errorf("%d batches made %d UpdateItem requests (%v); want one each, the rolls' removals folded into them", len(batches), ops["UpdateItem"], ops)
	}
	if ops["PutItem"] < 5 {
		t.Errorf("the storm wrote %d ledger pages (%v); want the rolls of 8,000 ids (at least 5)", ops["PutItem"], ops)
	}
	if n := ops["GetItem"] + ops["Query"] + ops["BatchGetItem"]; n > lost {
		t.Errorf("the storm made %d reads (%v, %d SDK retries); want none (the process keeps the head it wrote)", n, ops, lost)
	}
	res, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), ConsistentRead: aws.Bool(true),
		Key: map[string]types.AttributeValue{store.Table.PartitionKey: &types.AttributeValueMemberS{Value: "FP#" + incident.FingerprintKey(l.Fingerprint)}, store.Table.SortKey: &types.AttributeValueMemberS{Value: "C"}}})
	if err != nil || res.Item == nil {
		t.Fatalf("read the ledger head: %v, %v", res, err)
	}
	if size := dynamotest.ItemSize(res.Item); size > 16<<10 {
		t.Errorf("ledger head is %d bytes after the storm; want at most 16 KB", size)
	}
	// Everything again, in other batches (halves of two neighbours): nothing is added,
	// the pages and the head together still hold every id.
	again := 0
	var all []store.EventRef
	for _, b := range batches {
		all = append(all, b...)
	}
	for i := 50; i < len(all)+50; i += 100 {
		a, err := st.Record(ctx, l, all[max(i-100, 0):min(i, len(all))])
		if err != nil {
			t.Fatalf("Record(redelivery) = %v", err)
		}
		again += len(a)
	}
	if again != 0 {
		t.Errorf("the storm redelivered added %d events; want 0", again)
	}
}

// TestStormLedgerCompleteAfterAnyFailedWrite fails each write of a storm that rolls
// (head updates with a roll folded in, page writes, a removal of its own when a late
// batch reaches back), before it lands and after, and redelivers the failed batch as
// SQS does: no event is added twice, none missed, and the counters end as without the
// failure.
func TestStormLedgerCompleteAfterAnyFailedWrite(t *testing.T) {
	srv := dynamotest.SharedForTest(t)
	db, counter := srv.CountingClient()
	ctx := context.Background()
	fp := "ops.alarm|123456789012|eu-west-1|storm"
	inc := incident.Incident{ID: incident.ID(fp, 1), Seq: 1, Fingerprint: fp, Class: "ops.alarm", Title: "cpu high", Severity: incident.Sev2,
		Team: "platform", Status: incident.Open, Source: "aws.cloudwatch", OpenedBy: "e-000000", OpenedAt: rollT0, StateAt: rollT0}
	l := store.Ledger{Incident: inc.ID}
	batches := rollStorm(2600, 300)
	// A late batch after the last roll: events of the storm's first seconds,
	// redelivered, and two new ones among them.
	late := append([]store.EventRef{}, batches[0][:40]...)
	late = append(late, store.EventRef{ID: "late-1", Time: rollT0.Add(2 * time.Second), Signal: event.Trigger},
		store.EventRef{ID: "late-2", Time: rollT0.Add(7 * time.Second), Signal: event.Recovery})
	batches = append(batches, late, batches[len(batches)-1])
	run := func(t *testing.T, fail *dynamotest.FailNthWrite) string {
		table := dynamotest.NewTable(t, db)
		counter.Reset()
		plain := store.NewDynamo(db, table, func() time.Time { return rollT0 })
		if _, _, err := plain.Open(ctx, inc, incident.Entry{Incident: inc.ID, At: rollT0, Kind: incident.KindOpened, Key: "opened:e-000000"}); err != nil {
			t.Fatal(err)
		}
		fail.DynamoDB = db
		st := store.NewDynamo(fail, table, func() time.Time { return rollT0 })
		added := 0
		for i, b := range batches {
			var err error
			for try := 0; try < 3; try++ { // redelivered until it goes through
				var a []store.EventRef
				a, err = st.Record(ctx, l, b)
				added += len(a)
				if err == nil {
					break
				}
			}
			if err != nil {
				t.Fatalf("Record(batch %d) failed three times: %v", i, err)
			}
		}
		// Another process (no cached head) counts the same.
		got, err := store.NewDynamo(db, table, func() time.Time { return rollT0 }).Get(ctx, inc.ID)
		if err != nil {
			t.Fatal(err)
		}
		// A write that landed before its answer was lost leaves its events recorded: the
		// redelivery finds them there (intake reports them duplicate). Nothing is added
		// twice, and nothing is missed when the write failed before it landed, but for
		// the SDK's own retries of a write whose answer dynalite lost (up to a batch each).
		out := fmt.Sprintf("events %d triggers %d recoveries %d; %v..%v", got.Events, got.Count, got.Recoveries, got.FirstSeen, got.LastSeen)
		if added > got.Events || !fail.After && added < got.Events-100*counter.Retries() {
			out += fmt.Sprintf("; but Record added %d", added)
		}
		return out
	}
	want := "events 2602 triggers 2341 recoveries 261; 2026-11-02 09:00:00 +0000 UTC..2026-11-02 09:00:08 +0000 UTC"
	if got := run(t, &dynamotest.FailNthWrite{}); got != want {
		t.Fatalf("without failures: %s; want %s", got, want)
	}
	dynamotest.EachWriteFailed(t, want, 25, run)
}
