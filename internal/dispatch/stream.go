package dispatch

import (
	"context"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"

	"github.com/firebreak-ops/firebreak/internal/store"
)

// StreamHandler is the dispatch Lambda: DynamoDB stream batches in, records acted on in
// order. On the first retryable failure it reports that record, so Lambda retries from
// there and the records before it are not redelivered. A permanent failure (IsPermanent)
// is logged and counted and the batch goes on: it never holds the shard back.
type StreamHandler struct {
	Dispatcher *Dispatcher
	Log        *slog.Logger
}

// StreamRetries is how often the table stream's event source mapping retries a failed
// record before it gives the record up to its DLQ (the stack sets it; the chaos harness
// retries as often). A retryable failure is a throttled or failing AWS call, or an
// action another attempt holds (store.ErrHeld): a hundred retries outlast a bursty
// minute of throttling without SDK retries and, at the mapping's pace, about a claim's
// lease; the record's age (an hour) bounds them too.
const StreamRetries = 100

// StreamBatchSize is the most stream records one dispatch invocation gets: small, so
// that one failing record holds few others back (the stack sets it; the chaos harness
// hands records over as the event source mapping does).
const StreamBatchSize = 10

// StreamParallelization is how many batches of one stream shard dispatch works on at
// once (the mapping's ParallelizationFactor, the most Lambda allows): records of one
// item, by partition key, stay in order in one of them. A record that waits out a
// throttled or slow call holds back only the incidents of its batch, not the shard.
// Dispatch decides from what the store says, never from the order of other incidents'
// records (a table's stream has many shards in any case); the chaos harness runs its
// stream stage the same way.
const StreamParallelization = 10

// Records turns a stream batch into incident changes; other items are skipped.
func Records(in events.DynamoDBEvent) []Record {
	var out []Record
	for _, r := range in.Records {
		if r.EventName == "REMOVE" {
			continue
		}
		n, ok := store.IncidentFromStream(r.Change.NewImage)
		if !ok {
			continue
		}
		rec := Record{Sequence: r.Change.SequenceNumber, StreamRecord: store.StreamRecord{New: n}}
		if o, ok := store.IncidentFromStream(r.Change.OldImage); ok {
			rec.Old = &o
		}
		out = append(out, rec)
	}
	return out
}

// Record is a stream record of an incident with its sequence number.
type Record struct {
	Sequence string
	store.StreamRecord
}

// Handle acts on one stream batch.
func (h *StreamHandler) Handle(ctx context.Context, in events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
	var resp events.DynamoDBEventResponse
	recs := Records(in)
	for _, r := range recs {
		if err := h.Dispatcher.Handle(ctx, r.StreamRecord); err != nil {
			if IsPermanent(err) { // retrying cannot help: never hold the shard back for it
				h.Dispatcher.log().ErrorContext(ctx, "dispatch failed for good; going on", "incident", r.New.ID, "sequence", r.Sequence, "error", err)
				if merr := h.Dispatcher.Metrics.Emit(h.Dispatcher.now(), map[string]string{"Action": "record"}, map[string]int{"DispatchFailures": 1}); merr != nil {
					h.Dispatcher.log().WarnContext(ctx, "metrics not written", "error", merr)
				}
				continue
			}
			if h.Log != nil {
				h.Log.ErrorContext(ctx, "dispatch failed; retrying from this record", "incident", r.New.ID, "sequence", r.Sequence, "error", err)
			}
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.DynamoDBBatchItemFailure{ItemIdentifier: r.Sequence})
			return resp, nil
		}
	}
	return resp, nil
}
