package teams_test

import (
	"context"
	"testing"

	"github.com/firebreak-ops/firebreak/internal/awstest"
	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/lambdaenv"
	"github.com/firebreak-ops/firebreak/internal/lambdaenv/teams"
	"github.com/firebreak-ops/firebreak/internal/notify"
)

// TestSenderRelays: with OUTBOUND_TOPIC, a notice to a team with a chat channel is
// published to the team's topic, then its chat delivery to the outbound topic.
func TestSenderRelays(t *testing.T) {
	srv := awstest.New()
	defer srv.Close()
	team, outbound := "arn:aws:sns:eu-west-1:123456789012:firebreak-platform", "arn:aws:sns:eu-west-1:123456789012:firebreak-outbound"
	env := load(t, map[string]string{"AWS_ENDPOINT_URL": srv.URL, "TEAM_TOPICS": `{"platform": "` + team + `"}`, lambdaenv.OutboundTopic: outbound})
	cfg := *env.Config
	cfg.Chat = &config.Chat{Teams: map[string]*config.ChatChannel{"platform": {Slack: &config.SlackChannel{WorkspaceID: "T1", ChannelID: "C1"}}}}
	env.Config = &cfg
	s, err := teams.Sender(env)
	if err != nil {
		t.Fatalf("Sender = %v", err)
	}
	inc := incident.Incident{ID: "FB-TEST", Title: "down", Team: "platform", Severity: incident.Sev2, Status: incident.Open, Class: "web.down"}
	if _, err := s.Send(context.Background(), "platform", notify.Notice{Kind: notify.Opened, Incident: inc}); err != nil {
		t.Fatalf("Send = %v", err)
	}
	got := srv.Of("Publish")
	if len(got) != 2 || got[0].Form.Get("TopicArn") != team || got[1].Form.Get("TopicArn") != outbound {
		t.Errorf("Publish requests = %+v; want the team's, then the outbound topic's", got)
	}
}
