package intake

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"

	"github.com/firebreak-ops/firebreak/internal/store"
)

// Rejected is the outcome of an event the store refused for good (an item too large, a
// request DynamoDB calls invalid): delivering it again would fail the same way, so it is
// quarantined whole with the reason and counted instead of going round to the DLQ.
const Rejected Kind = "rejected"

// permanent reports whether a store failure fails the same way on every delivery: an
// error DynamoDB blames on the request (a client fault, or a 4xx status) that is
// neither throttling nor one the SDK retries. Everything else (throttling, server errors, timeouts, a ledger
// still contended, the context ending) may pass on a later delivery.
func permanent(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var api smithy.APIError
	if !errors.As(err, &api) {
		return false
	}
	// Errors DynamoDB does not model (ValidationException, which says an item is too
	// large) come without a fault: the HTTP status says whose fault it is.
	var resp interface{ HTTPStatusCode() int }
	client := api.ErrorFault() == smithy.FaultClient ||
		(api.ErrorFault() == smithy.FaultUnknown && errors.As(err, &resp) && resp.HTTPStatusCode() >= 400 && resp.HTTPStatusCode() < 500)
	if !client {
		return false
	}
	if retry.IsErrorRetryables(retry.DefaultRetryables).IsErrorRetryable(err) == aws.TrueTernary ||
		retry.IsErrorThrottles(retry.DefaultThrottles).IsErrorThrottle(err) == aws.TrueTernary {
		return false
	}
	return true
}

// reject quarantines the messages of a fingerprint group whose recording failed for
// good, and returns the events' outcomes. It reports false (retry the messages) when the
// failure may pass or the quarantine itself fails.
func (p *Processor) reject(ctx context.Context, g *group, cause error) ([]Outcome, bool) {
	if !permanent(cause) {
		return nil, false
	}
	reason := fmt.Sprintf("store rejected the events of fingerprint %s: %v", g.fp, cause)
	done := map[string]bool{}
	for _, it := range g.items {
		if done[it.msg] {
			continue
		}
		done[it.msg] = true
		q := store.Quarantined{MessageID: it.msg, ReceivedAt: p.now().UTC(), Reason: reason, Payload: it.ev.Raw}
		if err := p.store.Quarantine(ctx, q); err != nil {
			p.log.ErrorContext(ctx, "quarantine of a rejected message failed; it will be retried", "message_id", it.msg, "error", err)
			return nil, false
		}
	}
	p.log.ErrorContext(ctx, "store rejected a fingerprint's events; quarantined, not retried",
		"fingerprint", g.fp, "events", len(g.items), "messages", len(done), "error", cause)
	out := make([]Outcome, len(g.items))
	for i, it := range g.items {
		out[i] = Outcome{MessageID: it.msg, EventID: it.ev.ID, Time: it.ev.Time, Kind: Rejected, Class: it.res.Class,
			Severity: it.res.Severity, Team: it.res.Team, Fingerprint: g.fp, Reason: reason}
	}
	return out, true
}
