package config_test

import (
	"strings"
	"testing"

	"github.com/firebreak-ops/firebreak/internal/incident"
)

const chatValid = `chat:
  teams:
    platform:
      slack: {workspace_id: T0123ABCD, channel_id: C0123ABCD}
  audiences:
    stakeholders:
      teams: {team_id: 5f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b, tenant_id: 0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9, channel_id: "19%3Aabc%40thread.tacv2"}
webhooks:
  - name: ticketing
    secret: firebreak/webhooks/ticketing
    teams: [platform]
    severities: [sev1, sev2]
    kinds: [opened, resolved]
  - name: everything
    secret: firebreak/webhooks/everything
`

func TestChat(t *testing.T) {
	c, err := parse("f.yaml", valid+chatValid)
	if err != nil {
		t.Fatal(err)
	}
	if ch := c.ChatFor("platform"); ch == nil || ch.Slack == nil || ch.Slack.ChannelID != "C0123ABCD" {
		t.Errorf("ChatFor(platform) = %+v; want the Slack channel C0123ABCD", ch)
	}
	if ch := c.ChatFor("nobody"); ch != nil {
		t.Errorf("ChatFor(nobody) = %+v; want nil", ch)
	}
	if a := c.Chat.Audiences["stakeholders"]; a == nil || a.Teams == nil || a.Teams.ChannelID != "19%3Aabc%40thread.tacv2" {
		t.Errorf("chat.audiences.stakeholders = %+v; want the Teams channel", a)
	}
	w := c.Webhooks[0]
	for _, tc := range []struct {
		team string
		sev  incident.Severity
		kind string
		want bool
	}{
		{"platform", incident.Sev1, "opened", true},
		{"platform", incident.Sev3, "opened", false},
		{"platform", incident.Sev2, "acknowledged", false},
		{"security", incident.Sev1, "opened", false},
	} {
		if got := w.Receives(tc.team, tc.sev, tc.kind); got != tc.want {
			t.Errorf("ticketing.Receives(%q, %q, %q) = %v; want %v", tc.team, tc.sev, tc.kind, got, tc.want)
		}
	}
	if !c.Webhooks[1].Receives("anyone", incident.Sev4, "update-due") {
		t.Errorf("everything.Receives(...) = false; want true: empty lists mean every value")
	}

	tests := []struct{ name, yaml, want string }{
		{"unknown team", "chat:\n  teams:\n    ghost:\n      slack: {workspace_id: T1, channel_id: C1}\n", `chat.teams.ghost: "ghost" is not a team`},
		{"empty channel", "chat:\n  teams:\n    platform: {}\n", "chat.teams.platform: empty"},
		{"both", "chat:\n  teams:\n    platform:\n      slack: {workspace_id: T1, channel_id: C1}\n      teams: {team_id: x, tenant_id: y, channel_id: z}\n", "names both"},
		{"channel name", "chat:\n  teams:\n    platform:\n      slack: {workspace_id: T1, channel_id: \"#ops\"}\n", `chat.teams.platform.slack.channel_id: "#ops" must be a Slack channel id`},
		{"bad guid", "chat:\n  audiences:\n    execs:\n      teams: {team_id: nope, tenant_id: 0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9, channel_id: c}\n", `chat.audiences.execs.teams.team_id: "nope"`},
		{"bad audience", "chat:\n  audiences:\n    Execs:\n      slack: {workspace_id: T1, channel_id: C1}\n", `chat.audiences.Execs: "Execs" must be`},
		{"teams channel not encoded", "chat:\n  audiences:\n    execs:\n      teams: {team_id: 5f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b, tenant_id: 0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9, channel_id: \"19:abc@thread.tacv2\"}\n", "must be the Teams channel id URL-encoded"},
		{"unknown key", "chat:\n  teams:\n    platform:\n      slack: {workspace_id: T1, channel_id: C1, url: x}\n", "url"},
		{"no secret", "webhooks:\n  - name: a\n", `webhooks[0].secret: "" must be a Secrets Manager secret name`},
		{"url as secret", "webhooks:\n  - {name: a, secret: \"https://hooks.example.com/x\"}\n", "webhooks[0].secret"},
		{"duplicate", "webhooks:\n  - {name: a, secret: s}\n  - {name: a, secret: t}\n", `webhooks[1].name: "a" is already the name of webhooks[0]`},
		{"bad severity", "webhooks:\n  - {name: a, secret: s, severities: [high]}\n", `webhooks[0].severities[0]: "high" is not a severity`},
		{"unknown team in webhook", "webhooks:\n  - {name: a, secret: s, teams: [ghost]}\n", `webhooks[0].teams[0]: "ghost" is not a team`},
		{"bad kind", "webhooks:\n  - {name: a, secret: s, kinds: [Opened]}\n", `webhooks[0].kinds[0]: "Opened" is not a notice kind`},
		{"url key", "webhooks:\n  - {name: a, secret: s, url: \"https://x\"}\n", "url"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parse("f.yaml", valid+tt.yaml)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse(%s) error = %v; want one mentioning %q", tt.name, err, tt.want)
			}
		})
	}
}
