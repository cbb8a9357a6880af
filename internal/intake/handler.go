package intake

import (
	"context"
	"log/slog"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/firebreak-ops/firebreak/internal/metrics"
)

// MaxReceives is the intake queue's maxReceiveCount: how many times the intake Lambda
// gets a message before SQS moves it to the DLQ (the stack sets it; the chaos harness
// redelivers as often). Partial batch responses mean only the failing messages count a
// receive; an operator redrives the DLQ once its alarm has told them why.
const MaxReceives = 5

// Handler is the intake Lambda: it consumes SQS batches of EventBridge events and reports
// the messages to redeliver as partial batch failures.
type Handler struct {
	Processor *Processor
	Now       func() time.Time
	Log       *slog.Logger
	Metrics   *metrics.Writer // nil: no metrics
}

// Handle processes one SQS batch.
func (h *Handler) Handle(ctx context.Context, in events.SQSEvent) (events.SQSEventResponse, error) {
	msgs := make([]Message, len(in.Records))
	for i, r := range in.Records {
		received := h.Now()
		if ms, err := strconv.ParseInt(r.Attributes["SentTimestamp"], 10, 64); err == nil {
			received = time.UnixMilli(ms).UTC()
		}
		msgs[i] = Message{ID: r.MessageId, Body: []byte(r.Body), ReceivedAt: received}
	}
	rep, err := h.Processor.Process(ctx, msgs)
	if err != nil {
		// Nothing was processed (the invocation is out of time): report every message.
		rep.Retry = rep.Retry[:0]
		for _, m := range msgs {
			rep.Retry = append(rep.Retry, m.ID)
		}
	}
	var resp events.SQSEventResponse
	for _, id := range rep.Retry {
		resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: id})
	}
	counts := map[Kind]int{}
	for _, o := range rep.Outcomes {
		counts[o.Kind]++
	}
	log := h.Log
	if log == nil {
		log = slog.Default()
	}
	events := 0
	opened := map[string]int{}
	for _, o := range rep.Outcomes {
		if o.Kind != Quarantined {
			events++
		}
		if o.Kind == Opened {
			opened[string(o.Severity)]++
		}
	}
	now := h.Now()
	if err := h.Metrics.Emit(now, nil, map[string]int{"Events": events, "Quarantined": counts[Quarantined],
		"Duplicates": counts[Duplicate], "Mitigated": counts[Mitigated], "Retried": len(rep.Retry), "Rejected": counts[Rejected]}); err != nil {
		log.WarnContext(ctx, "metrics not written", "error", err)
	}
	for sev, n := range opened {
		if err := h.Metrics.Emit(now, map[string]string{"Severity": sev}, map[string]int{"IncidentsOpened": n}); err != nil {
			log.WarnContext(ctx, "metrics not written", "error", err)
		}
	}
	log.InfoContext(ctx, "batch processed", "messages", len(msgs), "retry", len(rep.Retry),
		"opened", counts[Opened], "repeats", counts[Repeat]+counts[Retriggered], "mitigated", counts[Mitigated],
		"recorded", counts[Recorded]+counts[Recovery], "duplicates", counts[Duplicate], "quarantined", counts[Quarantined], "rejected", counts[Rejected])
	return resp, nil
}
