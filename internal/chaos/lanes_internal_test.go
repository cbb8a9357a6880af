package chaos

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/firebreak-ops/firebreak/internal/store"
)

// laneRecorder is a dispatch Lambda that fails some records once and remembers, per
// item, the records it handled.
type laneRecorder struct {
	mu      sync.Mutex
	fail    map[string]bool // sequence numbers that fail on their first try
	handled map[string][]string
}

func (h *laneRecorder) Handle(_ context.Context, in events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	var resp events.DynamoDBEventResponse
	for _, r := range in.Records {
		seq := r.Change.SequenceNumber
		if h.fail[seq] {
			delete(h.fail, seq)
			resp.BatchItemFailures = []events.DynamoDBBatchItemFailure{{ItemIdentifier: seq}}
			return resp, nil
		}
		item := r.Change.Keys[store.Table.PartitionKey].String()
		h.handled[item] = append(h.handled[item], seq)
	}
	return resp, nil
}

// The stream stage hands every record over once, after its failures, and one item's
// records in order in one lane, while the items spread over the lanes.
func TestStreamLanesKeepEachItemInOrder(t *testing.T) {
	s := &Stream{}
	rnd := rand.New(rand.NewPCG(3, 5))
	want := map[string][]string{}
	fail := map[string]bool{}
	for i := range 600 {
		item := fmt.Sprintf("%sinc-%d", store.IncidentKeyPrefix, rnd.IntN(40))
		seq := fmt.Sprintf("%021d", i+1)
		s.records = append(s.records, events.DynamoDBEventRecord{EventName: "MODIFY", Change: events.DynamoDBStreamRecord{
			SequenceNumber: seq, Keys: map[string]events.DynamoDBAttributeValue{store.Table.PartitionKey: events.NewStringAttribute(item)}}})
		want[item] = append(want[item], seq)
		if rnd.IntN(10) == 0 {
			fail[seq] = true
		}
	}
	failing := len(fail)
	shared := &laneRecorder{fail: fail, handled: map[string][]string{}}
	st := &streamStage{stream: s, next: make([]int, 4)}
	for range 4 {
		st.lanes = append(st.lanes, shared)
	}
	res := &Result{}
	r := Run{StreamAttempts: 3, Log: slog.New(slog.DiscardHandler)}
	if !st.drain(context.Background(), r, res) {
		t.Fatal("drain handed nothing over")
	}
	if !st.done() {
		t.Errorf("records left after a drain: lanes at %v of %d", st.next, len(s.records))
	}
	if st.drain(context.Background(), r, res) {
		t.Error("a second drain handed records over again")
	}
	for item, seqs := range want {
		if got := shared.handled[item]; fmt.Sprint(got) != fmt.Sprint(seqs) {
			t.Errorf("%s: handled %v; want %v (once each, in stream order)", item, got, seqs)
		}
	}
	if len(shared.fail) != 0 || res.StreamRetries != failing {
		t.Errorf("%d stream retries, records never failed as planned %v; want %d retries, one per failing record", res.StreamRetries, shared.fail, failing)
	}
	if res.StreamLost != 0 {
		t.Errorf("%d records given up after one failure each; want none", res.StreamLost)
	}
	used := map[int]bool{}
	for item := range want {
		used[laneOf(events.DynamoDBEventRecord{Change: events.DynamoDBStreamRecord{Keys: map[string]events.DynamoDBAttributeValue{
			store.Table.PartitionKey: events.NewStringAttribute(item)}}}, 4)] = true
	}
	if len(used) < 2 {
		t.Errorf("40 items in %d lane(s) of 4; want them spread", len(used))
	}
}
