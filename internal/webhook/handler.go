package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/firebreak-ops/firebreak/internal/config"
)

// Handler is the webhook Lambda: a batch of outbound deliveries in, each delivered or
// reported as a batch item failure (SQS redelivers it; after the queue's maximum
// receives, it is dead-lettered and alarmed). One delivery's failure never fails another.
type Handler struct {
	Config *config.Config
	Poster interface {
		Post(ctx context.Context, webhook, secret string, body []byte, delivery string) error
	}
	Chat       Publisher
	ChatTopics map[string]string // chat target (team:<name>, audience:<name>) → topic ARN
	Log        *slog.Logger
}

// Failures no redelivery fixes until the configuration or the stack changes; the
// message still goes back to the queue and on to the dead-letter queue, never dropped.
var (
	ErrMalformed     = errors.New("not a delivery")
	ErrUnknownTarget = errors.New("no such target configured")
)

// Handle delivers a batch.
func (h *Handler) Handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	var resp events.SQSEventResponse
	for _, rec := range ev.Records {
		d, err := h.deliver(ctx, rec.Body)
		if err != nil {
			h.Log.ErrorContext(ctx, "delivery failed", "message_id", rec.MessageId, "protocol", d.Protocol, "target", d.Target,
				"incident", d.Incident, "kind", d.Kind, "receive_count", rec.Attributes["ApproximateReceiveCount"], "error", err.Error())
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: rec.MessageId})
			continue
		}
		h.Log.InfoContext(ctx, "delivered", "protocol", d.Protocol, "target", d.Target, "incident", d.Incident, "kind", d.Kind)
	}
	return resp, nil
}

func (h *Handler) deliver(ctx context.Context, raw string) (Delivery, error) {
	var d Delivery
	if err := json.Unmarshal([]byte(raw), &d); err != nil {
		return d, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if len(d.Body) == 0 || d.Target == "" {
		return d, fmt.Errorf("%w: no target or body", ErrMalformed)
	}
	switch d.Protocol {
	case ProtocolChat:
		topic, ok := h.ChatTopics[d.Target]
		if !ok {
			return d, fmt.Errorf("chat %s: %w", d.Target, ErrUnknownTarget)
		}
		if _, err := h.Chat.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String(string(d.Body))}); err != nil {
			return d, fmt.Errorf("publish to chat %s: %w", d.Target, err)
		}
		return d, nil
	case ProtocolWebhook:
		for _, w := range h.Config.Webhooks {
			if w != nil && w.Name == d.Target {
				return d, h.Poster.Post(ctx, w.Name, w.Secret, d.Body, d.ID)
			}
		}
		return d, fmt.Errorf("webhook %s: %w", d.Target, ErrUnknownTarget)
	}
	return d, fmt.Errorf("%w: protocol %q", ErrMalformed, d.Protocol)
}
