package notify_test

import (
	"context"
	"maps"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/firebreak-ops/firebreak/internal/notify"
)

// A headers-only outbox keeps, for every notice, what a full one keeps except the bodies:
// the notifier gives it the same topic, subject and attributes without rendering them.
func TestHeadersInputMatchesPublishInput(t *testing.T) {
	for name, n := range cases() {
		t.Run(name, func(t *testing.T) {
			full, err := notify.PublishInput("arn:topic", n)
			if err != nil {
				t.Fatal(err)
			}
			head, err := notify.HeadersInput("arn:topic", n)
			if err != nil {
				t.Fatal(err)
			}
			if aws.ToString(head.TopicArn) != aws.ToString(full.TopicArn) || aws.ToString(head.Subject) != aws.ToString(full.Subject) {
				t.Errorf("HeadersInput() = %q %q; want %q %q", aws.ToString(head.TopicArn), aws.ToString(head.Subject),
					aws.ToString(full.TopicArn), aws.ToString(full.Subject))
			}
			if head.Message != nil {
				t.Errorf("HeadersInput().Message = %q; want none", aws.ToString(head.Message))
			}
			if len(head.MessageAttributes) != len(full.MessageAttributes) {
				t.Errorf("HeadersInput() attributes %v; want %v", head.MessageAttributes, full.MessageAttributes)
			}
			for k, v := range full.MessageAttributes {
				if aws.ToString(head.MessageAttributes[k].StringValue) != aws.ToString(v.StringValue) {
					t.Errorf("HeadersInput() attribute %s = %q; want %q", k, aws.ToString(head.MessageAttributes[k].StringValue), aws.ToString(v.StringValue))
				}
			}

			ctx := context.Background()
			compact, whole := &notify.Outbox{Compact: true}, &notify.Outbox{}
			for _, o := range []*notify.Outbox{compact, whole} {
				if _, err := notify.New(o, map[string]string{"security": "arn:topic"}).Send(ctx, "security", n); err != nil {
					t.Fatal(err)
				}
			}
			c, w := compact.Sent()[0], whole.Sent()[0]
			if w.Email == "" || w.SMS == "" {
				t.Errorf("Send() to a full outbox kept e-mail %q, SMS %q; want both", w.Email, w.SMS)
			}
			if c.Email != "" || c.SMS != "" || c.Topic != w.Topic || c.Subject != w.Subject || !maps.Equal(c.Attributes, w.Attributes) {
				t.Errorf("Send() to a compact outbox kept %+v; want %+v without bodies", c, w)
			}
		})
	}
	if _, err := notify.HeadersInput("arn:topic", notify.Notice{Kind: "nonsense"}); err == nil {
		t.Errorf("HeadersInput(kind nonsense) = nil error; want an unknown kind")
	}
}

// Drain hands the kept messages on and forgets them; Len and the message ids go on
// counting every message.
func TestOutboxDrain(t *testing.T) {
	ctx := context.Background()
	o := &notify.Outbox{Compact: true}
	n := notify.New(o, map[string]string{"security": "arn:topic"})
	notice := cases()["opened"]
	send := func() string {
		id, err := n.Send(ctx, "security", notice)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	send()
	send()
	if got := o.Drain(); len(got) != 2 || got[1].MessageID != "local-2" {
		t.Fatalf("Drain() = %d messages; want 2, the second local-2", len(got))
	}
	if id := send(); id != "local-3" || o.Len() != 3 {
		t.Errorf("after Drain: Send() = %s, Len() = %d; want local-3, 3", id, o.Len())
	}
	if got := o.Drain(); len(got) != 1 || len(o.Sent()) != 0 {
		t.Errorf("Drain() = %d messages, then Sent() = %d; want 1, then 0", len(got), len(o.Sent()))
	}
}
