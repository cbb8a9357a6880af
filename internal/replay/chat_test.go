package replay_test

import (
	"context"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/replay"
	"github.com/firebreak-ops/firebreak/internal/webhook"
)

// TestReplayDeliveries: with a chat channel and a webhook configured, a replay records
// each page's chat notification and webhook body after it, and the pages themselves are
// what they are without them.
func TestReplayDeliveries(t *testing.T) {
	cfg, b := setup(t)
	in := spaced(time.Minute)
	plain, err := replay.Run(context.Background(), in, replay.Options{Config: cfg, Bus: b})
	if err != nil {
		t.Fatal(err)
	}
	withChat := *cfg
	withChat.Chat = &config.Chat{Teams: map[string]*config.ChatChannel{}}
	for _, team := range cfg.TeamNames {
		withChat.Chat.Teams[team] = &config.ChatChannel{Slack: &config.SlackChannel{WorkspaceID: "T1", ChannelID: "C1"}}
	}
	withChat.Webhooks = []*config.Webhook{{Name: "all", Secret: "hooks/all"}}
	res, err := replay.Run(context.Background(), in, replay.Options{Config: &withChat, Bus: b})
	if err != nil {
		t.Fatal(err)
	}
	if res.Summary.Notifications != plain.Summary.Notifications || len(res.Notifications) == 0 {
		t.Errorf("notifications = %d with chat, %d without; want the same, more than 0", res.Summary.Notifications, plain.Summary.Notifications)
	}
	if len(plain.Deliveries) != 0 {
		t.Errorf("%d deliveries without chat or webhooks; want none", len(plain.Deliveries))
	}
	pages := 0
	for _, n := range res.Notifications {
		if n.Attributes["team"] != "" && n.Attributes["audience"] == "" { // a page, not a message of the communication plan
			pages++
		}
	}
	if len(res.Deliveries) != 2*pages {
		t.Errorf("%d deliveries for %d pages; want a chat notification and a webhook body each", len(res.Deliveries), pages)
	}
	for i, d := range res.Deliveries {
		if d.After < 1 || d.After > len(res.Notifications) || (i > 0 && d.After < res.Deliveries[i-1].After) {
			t.Errorf("delivery %d comes after page %d; want after a page, in order", i, d.After)
		}
		if d.Protocol != webhook.ProtocolChat && d.Protocol != webhook.ProtocolWebhook {
			t.Errorf("delivery %d protocol %q", i, d.Protocol)
		}
	}
}
