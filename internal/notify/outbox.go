package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
)

// Sent is one message as it would have gone out.
type Sent struct {
	Topic      string            `json:"topic"`
	Subject    string            `json:"subject"`
	Email      string            `json:"email"`
	SMS        string            `json:"sms"`
	Attributes map[string]string `json:"attributes"`
	MessageID  string            `json:"message_id"`
	At         time.Time         `json:"at,omitzero"` // when it would have gone (the Outbox's clock)
}

// Outbox is the notifier's publisher in local mode (replay, `firebreak serve`): it keeps
// what would have been published instead of publishing it.
type Outbox struct {
	Now func() time.Time // stamps each message; nil: messages carry no time
	// Compact keeps each message's topic, subject, attributes, id and time, not its
	// bodies (e-mail, SMS): for a replay whose output needs who was told, not what.
	Compact bool

	mu   sync.Mutex
	sent []Sent
	n    int // messages published, drained or not
}

var _ Publisher = (*Outbox)(nil)

// Publish keeps the message.
func (o *Outbox) Publish(_ context.Context, in *sns.PublishInput, _ ...func(*sns.Options)) (*sns.PublishOutput, error) {
	var msg map[string]string
	if !o.Compact {
		if err := json.Unmarshal([]byte(aws.ToString(in.Message)), &msg); err != nil {
			return nil, fmt.Errorf("outbox: message is not message-structure JSON: %w", err)
		}
	}
	attrs := map[string]string{}
	for k, v := range in.MessageAttributes {
		attrs[k] = aws.ToString(v.StringValue)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.n++
	id := fmt.Sprintf("local-%d", o.n)
	var at time.Time
	if o.Now != nil {
		at = o.Now().UTC()
	}
	o.sent = append(o.sent, Sent{Topic: aws.ToString(in.TopicArn), Subject: aws.ToString(in.Subject), Email: msg["email"],
		SMS: msg["sms"], Attributes: attrs, MessageID: id, At: at})
	return &sns.PublishOutput{MessageId: aws.String(id)}, nil
}

// Len returns how many messages were published so far, drained or not.
func (o *Outbox) Len() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.n
}

// Sent returns what was published so far (since the last Drain).
func (o *Outbox) Sent() []Sent {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]Sent(nil), o.sent...)
}

// Drain returns what was published since the last Drain and forgets it: a replay that
// needs who was told, not the messages, hands them on as it goes instead of keeping
// every one (Len still counts them, and ids keep counting).
func (o *Outbox) Drain() []Sent {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := o.sent
	o.sent = nil
	return out
}
