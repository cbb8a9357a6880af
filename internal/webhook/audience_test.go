package webhook_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/awstest"
	"github.com/firebreak-ops/firebreak/internal/chat"
	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/notify"
	"github.com/firebreak-ops/firebreak/internal/webhook"
)

// TestAnnounceToAudienceChat: an audience with a chat channel hears the plan's messages
// there too, after its topic: a valid custom notification threaded on the incident, with
// the update and the audience's viewer link and no responder link. An audience without
// a channel gets its topic's message alone.
func TestAnnounceToAudienceChat(t *testing.T) {
	ctx := context.Background()
	sns := awstest.New()
	defer sns.Close()
	stakeholders := "arn:aws:sns:eu-west-1:123456789012:firebreak-audience-stakeholders"
	executives := "arn:aws:sns:eu-west-1:123456789012:firebreak-audience-executives"
	relay := &webhook.Relay{Notifier: notify.New(sns.SNS(), map[string]string{
		config.AudienceTarget("stakeholders"): stakeholders, config.AudienceTarget("executives"): executives}),
		Outbound: sns.SNS(), TopicARN: outboundTopic, Config: chatConfig()}
	at := time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)
	inc := incident.Incident{ID: "FB-AUD-1", Title: "Checkout errors", Severity: incident.Sev1, Status: incident.Acknowledged,
		Team: "payments", Class: "app.alert", Account: "123456789012", Impact: "Customers cannot pay.", OpenedAt: at}
	n := notify.AudienceNotice{Kind: notify.AudienceUpdate, Incident: inc, Audience: "stakeholders", TeamName: "Payments",
		Commander: "Alice", Text: "Rolled back the release; error rate falling.", ETA: at.Add(2 * time.Hour),
		NextUpdate: at.Add(30 * time.Minute), ViewURL: "https://links.example/view?t=abc"}
	if _, err := relay.Announce(ctx, n); err != nil {
		t.Fatalf("Announce(stakeholders) = %v", err)
	}
	n.Audience = "executives"
	if _, err := relay.Announce(ctx, n); err != nil {
		t.Fatalf("Announce(executives) = %v", err)
	}
	var topics []string
	var delivery webhook.Delivery
	for _, p := range sns.Of("Publish") {
		topics = append(topics, p.Form.Get("TopicArn"))
		if p.Form.Get("TopicArn") == outboundTopic {
			if err := json.Unmarshal([]byte(p.Form.Get("Message")), &delivery); err != nil {
				t.Fatalf("outbound message: %v", err)
			}
		}
	}
	if want := []string{stakeholders, outboundTopic, executives}; strings.Join(topics, " ") != strings.Join(want, " ") {
		t.Fatalf("published to %v; want %v (the chat message after its audience's topic, none for executives)", topics, want)
	}
	if delivery.Protocol != webhook.ProtocolChat || delivery.Target != webhook.AudiencePrefix+"stakeholders" {
		t.Errorf("delivery %s to %s; want chat to %sstakeholders", delivery.Protocol, delivery.Target, webhook.AudiencePrefix)
	}
	var c chat.Notification
	if err := json.Unmarshal(delivery.Body, &c); err != nil {
		t.Fatalf("chat body: %v", err)
	}
	if err := chat.Validate(c); err != nil {
		t.Errorf("chat body: %v", err)
	}
	if c.Metadata.ThreadID != inc.ID || !strings.Contains(c.Content.Title, "Incident update") || !strings.Contains(c.Content.Description, "Rolled back the release") {
		t.Errorf("chat message = %+v; want the update, threaded on %s", c, inc.ID)
	}
	if len(c.Content.NextSteps) != 1 || !strings.Contains(c.Content.NextSteps[0], n.ViewURL) {
		t.Errorf("next steps = %q; want the viewer link alone", c.Content.NextSteps)
	}
	if strings.Contains(string(delivery.Body), inc.Account) || strings.Contains(string(delivery.Body), inc.Class) {
		t.Errorf("chat body names the account or class; an audience is told what happened, not where in AWS:\n%s", delivery.Body)
	}
}
