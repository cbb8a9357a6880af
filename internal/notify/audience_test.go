package notify_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/notify"
)

const viewURL = "https://links.example.com/status/v1.view-token/"

func audienceCases() map[string]notify.AudienceNotice {
	inc := sampleIncident()
	inc.Severity = incident.Sev1
	resolved := inc
	resolved.Status, resolved.ResolvedAt = incident.Resolved, t0.Add(95*time.Minute)
	base := notify.AudienceNotice{Incident: inc, Audience: "stakeholders", AudienceName: "Business stakeholders",
		TeamName: "Security Operations", SeverityName: "Critical", Commander: "Dana Q", Every: 30 * time.Minute,
		ViewURL: viewURL, ViewExpires: t0.Add(120 * time.Hour)}
	first := base
	first.Kind, first.Commander, first.NextUpdate = notify.AudienceFirst, "", t0.Add(30*time.Minute)
	upd := base
	upd.Kind, upd.Text, upd.ETA, upd.NextUpdate = notify.AudienceUpdate,
		"SSH was closed to the internet at 11:05; we are checking the hosts behind the group for logins.", t0.Add(2*time.Hour), t0.Add(55*time.Minute)
	res := base
	res.Kind, res.Incident = notify.AudienceResolved, resolved
	long := upd
	long.Text = strings.Repeat("A very long update → with — unicode. ", 12)
	return map[string]notify.AudienceNotice{"audience-first": first, "audience-update": upd, "audience-resolved": res, "audience-long-update": long}
}

func TestRenderAudienceGolden(t *testing.T) {
	for name, n := range audienceCases() {
		t.Run(name, func(t *testing.T) {
			r, err := notify.RenderAudience(n)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, name+".subject.txt", r.Subject+"\n")
			golden(t, name+".email.txt", r.Email)
			golden(t, name+".sms.txt", r.SMS+"\n")
		})
	}
}

// TestAudienceMessagesAreReadOnly: every audience message carries the viewer link and no
// responder action (acknowledge, resolve, the CLI), and its SMS fits one GSM-7 segment
// with the severity and the incident id.
func TestAudienceMessagesAreReadOnly(t *testing.T) {
	for name, n := range audienceCases() {
		r, err := notify.RenderAudience(n)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(r.Email, viewURL) {
			t.Errorf("%s: e-mail lacks the viewer link %s", name, viewURL)
		}
		for _, bad := range []string{"/t/", "Acknowledge", "incidents ack", "Resolve "} {
			if strings.Contains(r.Email, bad) {
				t.Errorf("%s: e-mail has %q, a responder's action", name, bad)
			}
		}
		if len(r.SMS) > notify.SMSLimit || !strings.HasPrefix(r.SMS, "SEV1 ") || !strings.HasSuffix(r.SMS, n.Incident.ID) {
			t.Errorf("%s: SMS %q: want at most %d characters, starting with the severity and ending with the id", name, r.SMS, notify.SMSLimit)
		}
		for _, c := range r.SMS {
			if c < 0x20 || c > 0x7e {
				t.Errorf("%s: SMS has %q, outside GSM-7's basic set", name, c)
			}
		}
	}
	if _, err := notify.RenderAudience(notify.AudienceNotice{Kind: notify.Opened, Audience: "x"}); err == nil {
		t.Errorf("RenderAudience(kind opened) = nil error; want an unknown-kind error")
	}
}

// TestAnnounce publishes to the audience's topic with filterable attributes; an audience
// without a topic is ErrNoTopic.
func TestAnnounce(t *testing.T) {
	out := &notify.Outbox{}
	topic := "arn:aws:sns:eu-west-1:123456789012:firebreak-audience-stakeholders"
	n := notify.New(out, map[string]string{config.AudienceTarget("stakeholders"): topic, "security": "arn:team"})
	notice := audienceCases()["audience-update"]
	id, err := n.Announce(context.Background(), notice)
	if err != nil || id == "" {
		t.Fatalf("Announce = %q, %v; want a message id", id, err)
	}
	sent := out.Sent()
	if len(sent) != 1 || sent[0].Topic != topic || sent[0].Attributes["audience"] != "stakeholders" || sent[0].Attributes["kind"] != string(notify.AudienceUpdate) {
		t.Errorf("sent = %+v; want one message to %s with audience and kind attributes", sent, topic)
	}
	notice.Audience = "customers"
	if _, err := n.Announce(context.Background(), notice); err == nil || !strings.Contains(err.Error(), `no topic for team "audience:customers"`) {
		t.Errorf("Announce(customers) = %v; want ErrNoTopic naming audience:customers", err)
	}
	in, err := notify.AudiencePublishInput(topic, notice)
	if err != nil || aws.ToString(in.MessageStructure) != "json" {
		t.Errorf("AudiencePublishInput = %+v, %v; want a message-structure JSON request", in, err)
	}
}

// TestRenderStatusLinkGolden: a responder's notice with links configured carries the
// incident's viewer link to the status page after its actions.
func TestRenderStatusLinkGolden(t *testing.T) {
	n := cases()["opened"]
	n.StatusURL = "https://links.example.com/status/v1.view-token/incidents/FB-KHCFVO73-1"
	r, err := notify.Render(n)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "opened-status-link.email.txt", r.Email)
}
