package teams_test

import (
	"context"
	"strings"
	"testing"

	"github.com/firebreak-ops/firebreak/internal/awstest"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/lambdaenv/teams"
	"github.com/firebreak-ops/firebreak/internal/notify"
)

// TestSenderAnnouncesToAudiences: with AUDIENCE_TOPICS, an audience's message goes to
// that audience's topic; a malformed AUDIENCE_TOPICS is an error naming it.
func TestSenderAnnouncesToAudiences(t *testing.T) {
	srv := awstest.New()
	defer srv.Close()
	topic := "arn:aws:sns:eu-west-1:123456789012:firebreak-audience-stakeholders"
	s, err := teams.Sender(load(t, map[string]string{"AWS_ENDPOINT_URL": srv.URL, "TEAM_TOPICS": `{"platform": "arn:aws:sns:eu-west-1:123456789012:p"}`,
		"AUDIENCE_TOPICS": `{"stakeholders": "` + topic + `"}`}))
	if err != nil {
		t.Fatalf("Sender = %v", err)
	}
	inc := incident.Incident{ID: "FB-TEST", Title: "down", Team: "platform", Severity: incident.Sev1, Status: incident.Open, Class: "web.down"}
	a, ok := s.(interface {
		Announce(context.Context, notify.AudienceNotice) (string, error)
	})
	if !ok {
		t.Fatalf("Sender = %T; want a sender that announces to audiences", s)
	}
	if _, err := a.Announce(context.Background(), notify.AudienceNotice{Kind: notify.AudienceFirst, Incident: inc, Audience: "stakeholders"}); err != nil {
		t.Fatalf("Announce(stakeholders) = %v", err)
	}
	if got := srv.Of("Publish"); len(got) != 1 || got[0].Form.Get("TopicArn") != topic {
		t.Errorf("Publish requests = %+v; want one to %s", got, topic)
	}
	_, err = teams.Sender(load(t, map[string]string{"TEAM_TOPICS": `{}`, "AUDIENCE_TOPICS": `[1]`}))
	if err == nil || !strings.HasPrefix(err.Error(), "AUDIENCE_TOPICS is not a JSON object of strings") {
		t.Errorf("Sender(AUDIENCE_TOPICS=[1]) = %v; want an error naming AUDIENCE_TOPICS", err)
	}
}
