package notify

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
)

// headersOnly is a publisher that keeps who each message went to, not what it said
// (Outbox with Compact): the notifier renders no bodies for it, only what it keeps.
type headersOnly interface{ HeadersOnly() bool }

// HeadersOnly reports whether the outbox keeps headers only (Compact).
func (o *Outbox) HeadersOnly() bool { return o.Compact }

// HeadersInput is PublishInput without the message bodies: topic, subject and message
// attributes, the same as PublishInput gives them. A replay that prints who was told,
// not what, renders no e-mail or SMS nobody reads.
func HeadersInput(topic string, notice Notice) (*sns.PublishInput, error) {
	headline := Headline(notice)
	if headline == "" {
		return nil, fmt.Errorf("render notice for %s: unknown kind %q", notice.Incident.ID, notice.Kind)
	}
	return &sns.PublishInput{
		TopicArn:          aws.String(topic),
		Subject:           aws.String(subjectOf(headline, notice)),
		MessageAttributes: attributes(notice),
	}, nil
}
