package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"

	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/incident"
)

// Kinds of the messages to an audience (config communication:): the first notice of an
// incident, an update posted to the audience, the resolution.
const (
	AudienceFirst    Kind = "audience-first"
	AudienceUpdate   Kind = "audience-update"
	AudienceResolved Kind = "audience-resolved"
)

var audienceHeadlines = map[Kind]string{
	AudienceFirst: "Incident", AudienceUpdate: "Incident update", AudienceResolved: "Resolved",
}

// AudienceNotice is everything a message to an audience says. It carries the audience's
// read-only viewer link to the status page (ViewURL) and never a responder's action link:
// an audience follows an incident, it does not work it.
type AudienceNotice struct {
	Kind         Kind
	Incident     incident.Incident
	Audience     string // its name in the configuration
	AudienceName string // its display name (default: Audience)
	TeamName     string
	SeverityName string    // the policy's name (default: the severity's label)
	Commander    string    // who directs the response, when named
	Text         string    // the update (AudienceUpdate)
	ETA          time.Time // the estimated resolution the update gave
	NextUpdate   time.Time // when the audience hears next (first notice, update)
	Every        time.Duration
	ViewURL      string    // the audience's viewer link (token action "view", scope audience:<name>)
	ViewExpires  time.Time // when ViewURL stops working
}

type audienceView struct {
	AudienceNotice
	Headline string
	Every    string
	Lasted   string
}

// RenderAudience renders an audience's message for every protocol.
func RenderAudience(n AudienceNotice) (Rendered, error) {
	v := audienceView{AudienceNotice: n, Headline: audienceHeadlines[n.Kind]}
	if v.Headline == "" {
		return Rendered{}, fmt.Errorf("render audience message for %s: unknown kind %q", n.Incident.ID, n.Kind)
	}
	if v.AudienceName == "" {
		v.AudienceName = n.Audience
	}
	if v.TeamName == "" {
		v.TeamName = n.Incident.Team
	}
	if v.SeverityName == "" {
		v.SeverityName = n.Incident.Severity.Label()
	}
	if n.Every > 0 {
		v.Every = config.Short(n.Every)
	}
	if r := n.Incident.ResolvedAt; !r.IsZero() && r.After(n.Incident.OpenedAt) {
		v.Lasted = config.Short(r.Sub(n.Incident.OpenedAt).Round(time.Minute))
	}
	var subj, body strings.Builder
	if err := tmpl().ExecuteTemplate(&subj, "audience-subject", v); err != nil {
		return Rendered{}, fmt.Errorf("render subject of %s to %s: %w", n.Incident.ID, n.Audience, err)
	}
	if err := tmpl().ExecuteTemplate(&body, "audience-email", v); err != nil {
		return Rendered{}, fmt.Errorf("render e-mail of %s to %s: %w", n.Incident.ID, n.Audience, err)
	}
	return Rendered{Subject: subject(subj.String()), Email: body.String() + "\n", SMS: audienceSMS(v)}, nil
}

// audienceSMS is the text message: severity, headline, the update's text (or the title)
// and the incident id, within one GSM-7 segment; the viewer link goes by e-mail only (it
// would not fit).
func audienceSMS(v audienceView) string {
	inc := v.Incident
	head := fmt.Sprintf("%s %s: ", strings.ToUpper(string(inc.Severity)), v.Headline)
	tail := "; " + inc.ID
	what := toASCII(inc.Title)
	if v.Text != "" {
		what = toASCII(v.Text)
	}
	if !v.ETA.IsZero() {
		tail = fmt.Sprintf("; fix est. %s%s", v.ETA.UTC().Format("15:04 UTC"), tail)
	}
	room := SMSLimit - len(head) - len(tail)
	if room < 8 {
		return clipASCII(head+tail, SMSLimit)
	}
	return head + clipASCII(what, room) + tail
}

// AudiencePublishInput is the SNS request of an audience's message: message-structure
// JSON as for teams, with the attributes audience, severity, kind, incident, account and
// status for subscription filter policies.
func AudiencePublishInput(topic string, n AudienceNotice) (*sns.PublishInput, error) {
	r, err := RenderAudience(n)
	if err != nil {
		return nil, err
	}
	msg, err := json.Marshal(map[string]string{"default": r.Email, "email": r.Email, "email-json": r.Email, "sms": r.SMS})
	if err != nil {
		return nil, fmt.Errorf("encode message of %s to %s: %w", n.Incident.ID, n.Audience, err)
	}
	inc := n.Incident
	attrs := map[string]types.MessageAttributeValue{}
	for k, v := range map[string]string{"audience": n.Audience, "team": inc.Team, "severity": string(inc.Severity),
		"account": inc.Account, "status": string(inc.Status), "kind": string(n.Kind), "incident": inc.ID} {
		if v != "" {
			attrs[k] = types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(v)}
		}
	}
	return &sns.PublishInput{TopicArn: aws.String(topic), Subject: aws.String(r.Subject), Message: aws.String(string(msg)),
		MessageStructure: aws.String("json"), MessageAttributes: attrs}, nil
}

// Announce publishes an audience's message to its topic (the notifier's target
// config.AudienceTarget(audience)) and returns the message id. A missing topic or a
// message that cannot be rendered is permanent (ErrNoTopic, ErrRender).
func (n *Notifier) Announce(ctx context.Context, notice AudienceNotice) (string, error) {
	target := config.AudienceTarget(notice.Audience)
	topic, ok := n.topics[target]
	if !ok {
		return "", fmt.Errorf("announce %s to %s: %w %q", notice.Incident.ID, notice.Audience, ErrNoTopic, target)
	}
	in, err := AudiencePublishInput(topic, notice)
	if err != nil {
		return "", fmt.Errorf("announce %s to %s: %w: %w", notice.Incident.ID, notice.Audience, ErrRender, err)
	}
	out, err := n.pub.Publish(ctx, in)
	if err != nil {
		return "", fmt.Errorf("announce %s to %s (%s): %w", notice.Incident.ID, notice.Audience, notice.Kind, err)
	}
	return aws.ToString(out.MessageId), nil
}

// AudienceHeadline is what a message of the communication plan of kind k leads with
// ("" for a kind that is not one).
func AudienceHeadline(k Kind) string { return audienceHeadlines[k] }
