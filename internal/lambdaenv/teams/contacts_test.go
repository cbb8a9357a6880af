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

// TestSenderPagesContacts: with CONTACT_TOPICS, contact:<id> publishes to that person's
// topic; a malformed CONTACT_TOPICS is an error naming it.
func TestSenderPagesContacts(t *testing.T) {
	srv := awstest.New()
	defer srv.Close()
	topic := "arn:aws:sns:eu-west-1:123456789012:firebreak-contact-alice"
	s, err := teams.Sender(load(t, map[string]string{"AWS_ENDPOINT_URL": srv.URL, "TEAM_TOPICS": `{"platform": "arn:aws:sns:eu-west-1:123456789012:p"}`,
		"CONTACT_TOPICS": `{"alice": "` + topic + `"}`}))
	if err != nil {
		t.Fatalf("Sender = %v", err)
	}
	inc := incident.Incident{ID: "FB-TEST", Title: "down", Team: "platform", Severity: incident.Sev1, Status: incident.Open, Class: "web.down"}
	if _, err := s.Send(context.Background(), "contact:alice", notify.Notice{Kind: notify.Opened, Incident: inc}); err != nil {
		t.Fatalf("Send(contact:alice) = %v", err)
	}
	if got := srv.Of("Publish"); len(got) != 1 || got[0].Form.Get("TopicArn") != topic {
		t.Errorf("Publish requests = %+v; want one to %s", got, topic)
	}
	_, err = teams.Sender(load(t, map[string]string{"TEAM_TOPICS": `{}`, "CONTACT_TOPICS": `[1]`}))
	if err == nil || !strings.HasPrefix(err.Error(), "CONTACT_TOPICS is not a JSON object of strings") {
		t.Errorf("Sender(CONTACT_TOPICS=[1]) = %v; want an error naming CONTACT_TOPICS", err)
	}
}
