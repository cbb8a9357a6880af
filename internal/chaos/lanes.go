package chaos

import (
	"context"
	"hash/fnv"
	"slices"
	"sync"

	"github.com/aws/aws-lambda-go/events"

	"github.com/firebreak-ops/firebreak/internal/dispatch"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// streamStage hands the stream's records to dispatch as the event source mapping does
// with its parallelization factor: records go to lanes by partition key, so that one
// item's records stay in order in one lane, and the lanes run at once, each its own
// dispatch Lambda with its own batches (up to dispatch.StreamBatchSize) and retries.
type streamStage struct {
	stream *Stream
	lanes  []batchHandler
	next   []int // per lane: the stream position before which its records are done
}

// drain hands every record there is now to its lane, the lanes at once, and reports
// whether any record was handed over.
func (st *streamStage) drain(ctx context.Context, r Run, res *Result) bool {
	from := slices.Min(st.next)
	recs, end := st.stream.Since(from)
	if len(recs) == 0 {
		return false
	}
	var wg sync.WaitGroup
	for i, h := range st.lanes {
		var mine []events.DynamoDBEventRecord
		var at []int // their positions
		for k, rec := range recs {
			if pos := from + k; pos >= st.next[i] && laneOf(rec, len(st.lanes)) == i {
				mine, at = append(mine, rec), append(at, pos)
			}
		}
		wg.Go(func() { st.next[i] = r.drainLane(ctx, h, mine, at, end, res) })
	}
	wg.Wait()
	return true
}

// done reports whether every record recorded so far has been handed over.
func (st *streamStage) done() bool {
	recs, _ := st.stream.Since(slices.Min(st.next))
	return len(recs) == 0
}

// batchHandler is a dispatch Lambda (*dispatch.StreamHandler).
type batchHandler interface {
	Handle(context.Context, events.DynamoDBEvent) (events.DynamoDBEventResponse, error)
}

// laneOf is the lane of a record's item: by its partition key, as Lambda keeps one
// key's records in order.
func laneOf(rec events.DynamoDBEventRecord, n int) int {
	h := fnv.New32a()
	k := rec.Change.Keys[store.Table.PartitionKey]
	_, _ = h.Write([]byte(k.String()))
	return int(h.Sum32() % uint32(n))
}

// drainLane hands one lane's records (at their stream positions at) to dispatch in
// batches: a failed record is retried, with the ones after it, up to StreamAttempts
// times, then given up. It returns the position before which the lane is done: end when
// it handed everything over.
func (r Run) drainLane(ctx context.Context, h batchHandler, recs []events.DynamoDBEventRecord, at []int, end int, res *Result) int {
	tries, failing := 0, "" // tries of the failing record: each record has its own
	for len(recs) > 0 {
		if ctx.Err() != nil {
			return at[0]
		}
		batch := recs[:min(dispatch.StreamBatchSize, len(recs))]
		resp, err := h.Handle(ctx, events.DynamoDBEvent{Records: batch})
		if err == nil && len(resp.BatchItemFailures) == 0 {
			recs, at = recs[len(batch):], at[len(batch):]
			tries = 0
			continue
		}
		n := 0
		if err == nil {
			n = max(0, slices.IndexFunc(batch, func(x events.DynamoDBEventRecord) bool {
				return x.Change.SequenceNumber == resp.BatchItemFailures[0].ItemIdentifier
			}))
		}
		recs, at = recs[n:], at[n:]
		if seq := recs[0].Change.SequenceNumber; seq != failing {
			failing, tries = seq, 0 // the records before it are done
		}
		tries++
		res.add(func() { res.StreamRetries++ })
		if tries >= r.StreamAttempts {
			r.Log.ErrorContext(ctx, "stream record given up", "sequence", recs[0].Change.SequenceNumber, "event", recs[0].EventName)
			res.add(func() { res.StreamLost++ })
			recs, at = recs[1:], at[1:]
			tries = 0
		}
	}
	return end
}
