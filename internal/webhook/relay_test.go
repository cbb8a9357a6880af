package webhook_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/firebreak-ops/firebreak/internal/awstest"
	"github.com/firebreak-ops/firebreak/internal/chat"
	"github.com/firebreak-ops/firebreak/internal/chat/chattest"
	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/notify"
	"github.com/firebreak-ops/firebreak/internal/webhook"
)

const (
	teamTopic     = "arn:aws:sns:eu-west-1:123456789012:firebreak-security"
	outboundTopic = "arn:aws:sns:eu-west-1:123456789012:firebreak-outbound"
	chatTopic     = "arn:aws:sns:eu-west-1:123456789012:firebreak-chat-security"
)

func chatConfig() *config.Config {
	return &config.Config{
		Teams: map[string]*config.Team{"security": {Name: "Security"}, "platform": {Name: "Platform"}},
		Chat: &config.Chat{
			Teams:     map[string]*config.ChatChannel{"security": {Slack: &config.SlackChannel{WorkspaceID: "T1", ChannelID: "C1"}}},
			Audiences: map[string]*config.ChatChannel{"stakeholders": {Slack: &config.SlackChannel{WorkspaceID: "T1", ChannelID: "C2"}}},
		},
		Webhooks: []*config.Webhook{
			{Name: "ticketing", Secret: "hooks/ticketing", Severities: []string{"sev1", "sev2"}, Kinds: []string{"opened", "resolved"}},
			{Name: "platform-only", Secret: "hooks/platform", Teams: []string{"platform"}},
			{Name: "everything", Secret: "hooks/everything"},
		},
	}
}

// TestDeliveries: who hears a notice sent to each kind of target.
func TestDeliveries(t *testing.T) {
	cfg := chatConfig()
	opened := chattest.Cases()["opened"] // security, sev2
	acked := chattest.Cases()["acknowledged"]
	for _, tc := range []struct {
		name   string
		target string
		n      notify.Notice
		want   []string
	}{
		{"team, opened", "security", opened, []string{"chat team:security", "webhook ticketing", "webhook everything"}},
		{"team, acknowledged", "security", acked, []string{"chat team:security", "webhook everything"}},
		{"a person paged for the team", "contact:alice", opened, []string{"chat team:security", "webhook ticketing", "webhook everything"}},
		{"another team without chat", "platform", withTeam(opened, "platform"), []string{"webhook ticketing", "webhook platform-only", "webhook everything"}},
		{"an audience with chat", "audience:stakeholders", opened, []string{"chat audience:stakeholders"}},
		{"an audience without chat", "audience:executives", opened, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ds, err := webhook.Deliveries(cfg, tc.target, tc.n)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, d := range ds {
				got = append(got, d.Protocol+" "+d.Target)
				if d.Incident != tc.n.Incident.ID || d.Kind != string(tc.n.Kind) || !json.Valid(d.Body) {
					t.Errorf("delivery %+v; want the incident, kind and a JSON body", d)
				}
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("Deliveries(%s) = %v; want %v", tc.target, got, tc.want)
			}
		})
	}
	if ds, err := webhook.Deliveries(&config.Config{}, "security", opened); err != nil || len(ds) != 0 {
		t.Errorf("Deliveries(nothing configured) = %v, %v; want none", ds, err)
	}
}

func withTeam(n notify.Notice, team string) notify.Notice {
	n.Incident.Team = team
	return n
}

// TestRelayToReceivers: end to end on real clients and local endpoints — the page is
// published to the team's topic, each delivery to the outbound topic; the webhook
// Lambda, given those messages as its queue would, publishes the chat JSON to the chat
// topic and POSTs signed bodies; a failing endpoint fails only its own message.
func TestRelayToReceivers(t *testing.T) {
	ctx := context.Background()
	sns := awstest.New()
	defer sns.Close()
	cfg := chatConfig()
	relay := &webhook.Relay{Notifier: notify.New(sns.SNS(), map[string]string{"security": teamTopic}),
		Outbound: sns.SNS(), TopicARN: outboundTopic, Config: cfg}
	n := chattest.Cases()["opened"]
	id, err := relay.Send(ctx, "security", n)
	if err != nil || id == "" {
		t.Fatalf("Send = %q, %v", id, err)
	}
	pubs := sns.Of("Publish")
	if len(pubs) != 4 || pubs[0].Form.Get("TopicArn") != teamTopic {
		t.Fatalf("Publish requests = %d (first to %s); want the page first, then 3 deliveries", len(pubs), pubs[0].Form.Get("TopicArn"))
	}
	var records []events.SQSMessage
	for i, p := range pubs[1:] {
		if p.Form.Get("TopicArn") != outboundTopic {
			t.Errorf("delivery %d published to %s; want the outbound topic", i, p.Form.Get("TopicArn"))
		}
		records = append(records, events.SQSMessage{MessageId: "m" + string(rune('1'+i)), Body: p.Form.Get("Message")})
	}

	good := newReceiver(t, nil)
	down := newReceiver(t, func(int) int { return 503 })
	sm := awstest.New()
	defer sm.Close()
	secrets := map[string]string{"hooks/ticketing": good.URL + "/ticket", "hooks/everything": down.URL + "/all"}
	sm.Answer = func(r awstest.Request) (awstest.Reply, bool) {
		var in struct{ SecretId string }
		_ = json.Unmarshal(r.JSON, &in)
		v, _ := json.Marshal(webhook.Endpoint{URL: secrets[in.SecretId], Key: key})
		b, _ := json.Marshal(map[string]string{"Name": in.SecretId, "SecretString": string(v)})
		return awstest.Reply{Status: 200, Body: string(b)}, true
	}
	chatSNS := awstest.New()
	defer chatSNS.Close()
	var logs bytes.Buffer
	var sleeps []time.Duration
	p := poster(good, &webhook.Secrets{Client: sm.SecretsManager(), Now: func() time.Time { return chattest.T0 }}, &sleeps)
	p.HTTP = good.Client() // both test servers share the test CA
	h := &webhook.Handler{Config: cfg, Poster: p, Chat: chatSNS.SNS(), ChatTopics: map[string]string{"team:security": chatTopic},
		Log: slog.New(slog.NewJSONHandler(&logs, nil))}
	records = append(records, events.SQSMessage{MessageId: "bad", Body: `{"protocol": "pigeon"`})
	resp, err := h.Handle(ctx, events.SQSEvent{Records: records})
	if err != nil {
		t.Fatalf("Handle = %v", err)
	}
	var failed []string
	for _, f := range resp.BatchItemFailures {
		failed = append(failed, f.ItemIdentifier)
	}
	// m1 chat, m2 ticketing, m3 everything (down), bad.
	if strings.Join(failed, ",") != "m3,bad" {
		t.Errorf("batch item failures = %v; want m3 (the endpoint that is down) and bad (not a delivery)", failed)
	}
	cp := chatSNS.Of("Publish")
	if len(cp) != 1 || cp[0].Form.Get("TopicArn") != chatTopic {
		t.Fatalf("chat Publish = %+v; want one to the chat topic", cp)
	}
	var c chat.Notification
	if err := json.Unmarshal([]byte(cp[0].Form.Get("Message")), &c); err != nil || chat.Validate(c) != nil || c.Metadata.ThreadID != n.Incident.ID {
		t.Errorf("chat message = %s (%v); want a valid custom notification threaded on %s", cp[0].Form.Get("Message"), err, n.Incident.ID)
	}
	if got := good.requests(); len(got) != 1 || !verify(t, got[0], chattest.T0) {
		t.Errorf("ticketing got %d requests; want 1, verifying", len(got))
	}
	if got := len(down.requests()); got != 3 {
		t.Errorf("the endpoint that is down got %d requests; want 3 attempts", got)
	}
	assertNoSecrets(t, logs.String(), down.URL)
	assertNoSecrets(t, logs.String(), good.URL)
	if !strings.Contains(logs.String(), `"target":"everything"`) {
		t.Errorf("logs %s; want the failing webhook named", logs.String())
	}

	// The outbound topic refusing a delivery fails Send: its caller retries.
	sns.Answer = func(r awstest.Request) (awstest.Reply, bool) {
		if r.Form.Get("TopicArn") == outboundTopic {
			return awstest.Reply{Status: 500, Body: `<ErrorResponse><Error><Type>Receiver</Type><Code>InternalError</Code><Message>boom</Message></Error></ErrorResponse>`}, true
		}
		return awstest.Reply{}, false
	}
	if _, err := relay.Send(ctx, "security", n); err == nil || !strings.Contains(err.Error(), "publish chat delivery to team:security") {
		t.Errorf("Send with the outbound topic failing = %v; want an error naming the delivery", err)
	}
	// A page that fails is not followed by deliveries.
	before := len(sns.Of("Publish"))
	if _, err := relay.Send(ctx, "nobody", withTeam(n, "nobody")); !errors.Is(err, notify.ErrNoTopic) {
		t.Errorf("Send(nobody) = %v; want ErrNoTopic", err)
	}
	if after := len(sns.Of("Publish")); after != before {
		t.Errorf("%d publishes after a failed page; want none", after-before)
	}
}

// TestHandlerUnknownTargets: a delivery whose target the configuration no longer has
// fails (and goes on to the dead-letter queue), never dropped.
func TestHandlerUnknownTargets(t *testing.T) {
	h := &webhook.Handler{Config: chatConfig(), ChatTopics: map[string]string{}, Log: slog.New(slog.DiscardHandler)}
	resp, err := h.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{
		{MessageId: "a", Body: `{"protocol":"chat","target":"team:gone","body":{}}`},
		{MessageId: "b", Body: `{"protocol":"webhook","target":"gone","body":{}}`},
		{MessageId: "c", Body: `{"protocol":"webhook","target":"gone"}`},
	}})
	if err != nil || len(resp.BatchItemFailures) != 3 {
		t.Errorf("Handle(unknown targets) = %+v, %v; want all three failed", resp, err)
	}
}

// FuzzHandle: whatever a queue message holds, the Lambda neither panics nor drops it: a
// message is delivered or reported as a batch item failure.
func FuzzHandle(f *testing.F) {
	for _, seed := range []string{
		`{"protocol":"chat","target":"team:security","incident":"FB-1","kind":"opened","body":{"version":"1.0"}}`,
		`{"protocol":"webhook","target":"everything","body":{}}`,
		`{"protocol":"webhook","target":"everything","body":null}`,
		`{"protocol":"","target":"","body":"x"}`, `[]`, `null`, ``, `{"body":{"a":`,
	} {
		f.Add(seed)
	}
	chatSNS := awstest.New()
	defer chatSNS.Close()
	h := &webhook.Handler{Config: chatConfig(), Poster: failingPoster{}, Chat: chatSNS.SNS(),
		ChatTopics: map[string]string{"team:security": chatTopic}, Log: slog.New(slog.DiscardHandler)}
	f.Fuzz(func(t *testing.T, body string) {
		resp, err := h.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{{MessageId: "m", Body: body}}})
		if err != nil {
			t.Fatalf("Handle(%q) = %v; want failures reported per message", body, err)
		}
		var d webhook.Delivery
		delivered := json.Unmarshal([]byte(body), &d) == nil && d.Protocol == webhook.ProtocolChat && d.Target == "team:security" && len(d.Body) > 0
		if failed := len(resp.BatchItemFailures) == 1; failed == delivered {
			t.Errorf("Handle(%q): failed %v; want it failed unless it was a chat delivery to a configured channel", body, failed)
		}
	})
}

// failingPoster stands in for endpoints that are down: every POST fails.
type failingPoster struct{}

func (failingPoster) Post(context.Context, string, string, []byte, string) error {
	return errors.New("endpoint down")
}

// TestRelayRetriesDeliveriesNotThePage: the outbound topic refusing a delivery once does
// (past the SDK's own retries) does not fail the page's action (which would page again):
// the delivery is retried in place.
func TestRelayRetriesDeliveriesNotThePage(t *testing.T) {
	ctx := context.Background()
	sns := awstest.New()
	defer sns.Close()
	refusals := 0
	sns.Answer = func(r awstest.Request) (awstest.Reply, bool) {
		if r.Form.Get("TopicArn") == outboundTopic && refusals < 4 { // more than the SDK's 3 attempts
			refusals++
			return awstest.Reply{Status: 500, Body: `<ErrorResponse><Error><Type>Receiver</Type><Code>InternalError</Code><Message>try again</Message></Error></ErrorResponse>`}, true
		}
		return awstest.Reply{}, false
	}
	relay := &webhook.Relay{Notifier: notify.New(sns.SNS(), map[string]string{"security": teamTopic}),
		Outbound: sns.SNS(), TopicARN: outboundTopic, Config: chatConfig()}
	if _, err := relay.Send(ctx, "security", chattest.Cases()["opened"]); err != nil {
		t.Fatalf("Send with the outbound topic failing once = %v; want nil", err)
	}
	pages := 0
	for _, p := range sns.Of("Publish") {
		if p.Form.Get("TopicArn") == teamTopic {
			pages++
		}
	}
	if refusals != 4 || pages != 1 {
		t.Errorf("outbound refusals: %d, pages published: %d; want 4 refusals and one page", refusals, pages)
	}
}
