package teams_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/firebreak-ops/firebreak/internal/awstest"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/lambdaenv"
	"github.com/firebreak-ops/firebreak/internal/lambdaenv/teams"
	"github.com/firebreak-ops/firebreak/internal/notify"
)

func load(t *testing.T, vars map[string]string) *lambdaenv.Env {
	t.Helper()
	env := map[string]string{"AWS_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "ASIAEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret"}
	for k, v := range vars {
		env[k] = v
	}
	e, err := lambdaenv.Load(func(k string) string { return env[k] }, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("lambdaenv.Load = %v", err)
	}
	return e
}

// TestSender: the sender built from TEAM_TOPICS publishes, signed, to the team's topic.
func TestSender(t *testing.T) {
	srv := awstest.New()
	defer srv.Close()
	topic := "arn:aws:sns:eu-west-1:123456789012:firebreak-platform"
	env := load(t, map[string]string{"AWS_ENDPOINT_URL": srv.URL, "TEAM_TOPICS": `{"platform": "` + topic + `"}`})
	s, err := teams.Sender(env)
	if err != nil {
		t.Fatalf("Sender = %v", err)
	}
	inc := incident.Incident{ID: "FB-TEST", Title: "Instance stopped", Team: "platform", Severity: incident.Sev2,
		Status: incident.Open, Class: "ops.ec2-stopped"}
	if _, err := s.Send(context.Background(), "platform", notify.Notice{Kind: notify.Opened, Incident: inc, Policy: env.Config.Severities["sev2"]}); err != nil {
		t.Fatalf("Send = %v", err)
	}
	got := srv.Of("Publish")
	if len(got) != 1 || got[0].Form.Get("TopicArn") != topic || !got[0].Signed {
		t.Errorf("Publish requests = %+v; want one, signed, to %s", got, topic)
	}
}

func TestSenderNeedsTopics(t *testing.T) {
	for _, tc := range []struct{ name, topics, want string }{
		{"unset", "", "TEAM_TOPICS is not set"},
		{"not an object", `["arn"]`, "TEAM_TOPICS is not a JSON object of strings"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := teams.Sender(load(t, map[string]string{"TEAM_TOPICS": tc.topics}))
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("Sender(TEAM_TOPICS=%q) = %v; want %q", tc.topics, err, tc.want)
			}
		})
	}
}
