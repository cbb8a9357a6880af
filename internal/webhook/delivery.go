package webhook

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"

	"github.com/firebreak-ops/firebreak/internal/chat"
	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/notify"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// Protocols of a delivery.
const (
	ProtocolChat    = "chat"
	ProtocolWebhook = "webhook"
)

// Chat targets are named for whose channel they are.
const (
	TeamTarget     = "team:"
	AudiencePrefix = "audience:"
)

// Delivery is one notice for one target: the outbound queue's message.
type Delivery struct {
	Protocol string `json:"protocol"` // chat or webhook
	// Target is the chat channel (team:<name>, audience:<name>) or the webhook's name.
	Target string `json:"target"`
	// Incident and Kind say what it is about, for logs and the outbox.
	Incident string `json:"incident"`
	Kind     string `json:"kind"`
	// ID is the body's id (webhooks), for the delivery header.
	ID   string          `json:"id,omitempty"`
	Body json.RawMessage `json:"body"`
}

// Deliveries are the chat and webhook deliveries of a notice sent to target (a team,
// audience:<name>, or contact:<id>: a person paged about a team's incident, whose
// team's channel and webhooks hear it). Nothing configured: none.
func Deliveries(cfg *config.Config, target string, n notify.Notice) ([]Delivery, error) {
	team, chatTarget := n.Incident.Team, ""
	switch {
	case strings.HasPrefix(target, AudiencePrefix):
		if cfg.Chat != nil && cfg.Chat.Audiences[strings.TrimPrefix(target, AudiencePrefix)] != nil {
			chatTarget = target
		}
		team = "" // an audience's notice is not the team's: webhooks hear teams'
	case !strings.HasPrefix(target, config.ContactPrefix):
		team = target
		if cfg.ChatFor(team) != nil {
			chatTarget = TeamTarget + team
		}
	default:
		if cfg.ChatFor(team) != nil {
			chatTarget = TeamTarget + team
		}
	}
	var out []Delivery
	if chatTarget != "" {
		body, err := chat.Encode(n)
		if err != nil {
			return nil, err
		}
		out = append(out, Delivery{Protocol: ProtocolChat, Target: chatTarget, Incident: n.Incident.ID, Kind: string(n.Kind), Body: body})
	}
	if team == "" {
		return out, nil
	}
	var body *Body
	for _, w := range cfg.Webhooks {
		if w == nil || !w.Receives(team, n.Incident.Severity, string(n.Kind)) {
			continue
		}
		if body == nil {
			b, err := NewBody(n)
			if err != nil {
				return nil, err
			}
			body = &b
		}
		raw, err := json.Marshal(body)
		if err != nil {
			return nil, fmt.Errorf("encode webhook body for %s: %w", n.Incident.ID, err)
		}
		out = append(out, Delivery{Protocol: ProtocolWebhook, Target: w.Name, Incident: n.Incident.ID, Kind: string(n.Kind), ID: body.ID, Body: raw})
	}
	return out, nil
}

// Notifier is what Relay wraps: internal/notify's team notifier.
type Notifier interface {
	Send(ctx context.Context, team string, n notify.Notice) (string, error)
}

// Publisher is the SNS API Relay and the webhook Lambda use.
type Publisher interface {
	Publish(ctx context.Context, in *sns.PublishInput, optFns ...func(*sns.Options)) (*sns.PublishOutput, error)
}

var _ Publisher = (*sns.Client)(nil)

// Relay sends a notice as Notifier does, then publishes its chat and webhook deliveries
// to the outbound topic, whose one subscriber is the webhook Lambda's queue (raw
// delivery: a queue message is a Delivery). The page comes first and never waits on a
// chat channel or a webhook: their failures are the webhook Lambda's to retry. Only when
// the outbound topic refuses a delivery does Send fail, so its caller retries and nothing
// is lost; deliveries published before the refusal may then go out twice, with the same
// body id (receivers dedupe on it; chat threads show the repeat).
type Relay struct {
	Notifier Notifier
	Outbound Publisher
	TopicARN string
	Config   *config.Config
}

// Send tells target of the notice and publishes its deliveries; the result is the
// notifier's message id.
func (r *Relay) Send(ctx context.Context, target string, n notify.Notice) (string, error) {
	id, err := r.Notifier.Send(ctx, target, n)
	if err != nil {
		return "", err
	}
	ds, err := Deliveries(r.Config, target, n)
	if err != nil {
		// Sent, and not renderable for chat or webhooks: a retry would fail the same way
		// and page again. The notifier rendered it, so this is a bug worth an error.
		return "", fmt.Errorf("notice %s of %s to %s sent as %s; its deliveries: %w", n.Kind, n.Incident.ID, target, id, err)
	}
	// The page is out: its deliveries are retried here, so that a failing outbound topic
	// does not fail the page's action and page again (receivers dedupe a delivery
	// published twice by its body id).
	if err := store.Record(ctx, func() error { return Publish(ctx, r.Outbound, r.TopicARN, ds) }); err != nil {
		return "", fmt.Errorf("notice %s of %s to %s sent as %s: %w", n.Kind, n.Incident.ID, target, id, err)
	}
	return id, nil
}

// Publish publishes each delivery to the outbound topic, with its protocol and target as
// message attributes.
func Publish(ctx context.Context, pub Publisher, topic string, ds []Delivery) error {
	for _, d := range ds {
		b, err := json.Marshal(d)
		if err != nil {
			return fmt.Errorf("encode delivery %s to %s: %w", d.Protocol, d.Target, err)
		}
		attr := func(v string) snstypes.MessageAttributeValue {
			return snstypes.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(v)}
		}
		if _, err := pub.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String(string(b)),
			MessageAttributes: map[string]snstypes.MessageAttributeValue{"protocol": attr(d.Protocol), "target": attr(d.Target)}}); err != nil {
			return fmt.Errorf("publish %s delivery to %s: %w", d.Protocol, d.Target, err)
		}
	}
	return nil
}

// Announce publishes a message of the communication plan to an audience's topic through
// the notifier (dispatch tells audiences only through a sender that can), then, when the
// audience has a chat channel, its chat message to the outbound topic, retried in place
// as a page's deliveries are. Webhooks hear teams' notices, not audiences'.
func (r *Relay) Announce(ctx context.Context, n notify.AudienceNotice) (string, error) {
	a, ok := r.Notifier.(interface {
		Announce(ctx context.Context, n notify.AudienceNotice) (string, error)
	})
	if !ok {
		return "", fmt.Errorf("announce to %s: the relay's notifier cannot publish to audiences: %w", n.Audience, notify.ErrNoTopic)
	}
	id, err := a.Announce(ctx, n)
	if err != nil || r.Config == nil || r.Config.Chat == nil || r.Config.Chat.Audiences[n.Audience] == nil {
		return id, err
	}
	body, err := chat.EncodeAudience(n)
	if err != nil {
		return "", fmt.Errorf("message %s of %s to %s sent as %s; its chat message: %w", n.Kind, n.Incident.ID, n.Audience, id, err)
	}
	d := Delivery{Protocol: ProtocolChat, Target: AudiencePrefix + n.Audience, Incident: n.Incident.ID, Kind: string(n.Kind), Body: body}
	if err := store.Record(ctx, func() error { return Publish(ctx, r.Outbound, r.TopicARN, []Delivery{d}) }); err != nil {
		return "", fmt.Errorf("message %s of %s to %s sent as %s: %w", n.Kind, n.Incident.ID, n.Audience, id, err)
	}
	return id, nil
}
