package chat_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/chat"
	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/notify"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

var t0 = time.Date(2026, 11, 2, 10, 58, 0, 0, time.UTC)

func sampleIncident() incident.Incident {
	return incident.Incident{
		ID: "FB-KHCFVO73-1", Class: "security.sg-admin-port-open-world",
		Title:    "tcp/22 open to 0.0.0.0/0 on sg-0123456789abcdef0 by arn:aws:iam::123456789012:user/dev.contractor",
		Severity: incident.Sev2, Team: "security", Status: incident.Open, Account: "123456789012", Region: "eu-west-1",
		Resource: "sg-0123456789abcdef0", Impact: "Hosts behind this security group accept administrative logins from the whole internet.",
		Actor: "arn:aws:iam::123456789012:user/dev.contractor", Runbook: "sg-revoke-world-ingress",
		OpenedAt: t0, FirstSeen: t0, LastSeen: t0.Add(4 * time.Minute), Count: 2,
	}
}

var policy = &config.SeverityPolicy{Name: "High", Channels: []string{"email", "sms"}, UpdateEvery: config.Duration{Duration: time.Hour}}

var links = []notify.Action{{Label: "Acknowledge", URL: "https://links.example.com/t/ack-token"},
	{Label: "Resolve", URL: "https://links.example.com/t/resolve-token"}, {Label: "View", URL: "https://links.example.com/status/view-token/incidents/FB-KHCFVO73-1"}}

// cases are internal/notify's golden cases, and a notice of every other kind.
func cases() map[string]notify.Notice {
	inc := sampleIncident()
	with := func(f func(*incident.Incident)) incident.Incident { c := inc; f(&c); return c }
	mitigated := with(func(i *incident.Incident) { i.Status, i.Recoveries = incident.Mitigated, 1 })
	resolved := with(func(i *incident.Incident) { i.Status = incident.Resolved })
	acked := with(func(i *incident.Incident) { i.Status = incident.Acknowledged })
	long := with(func(i *incident.Incident) {
		i.Title = strings.Repeat("Very long title with unicode → and — dashes ", 8)
	})
	return map[string]notify.Notice{
		"opened": {Kind: notify.Opened, Incident: inc, TeamName: "Security Operations", Policy: policy,
			Automation: []notify.Automation{{Runbook: "sg-revoke-world-ingress", Status: "started",
				URL: "https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/arn:aws:states:eu-west-1:123456789012:execution:firebreak-sg-revoke-world-ingress:FB-KHCFVO73-1-v1"}},
			NextUpdate: t0.Add(time.Hour), Actions: links},
		"mitigated": {Kind: notify.Mitigated, Incident: mitigated, TeamName: "Security Operations", Policy: policy,
			Automation: []notify.Automation{{Runbook: "sg-revoke-world-ingress", Status: "succeeded", Detail: "revoked sgr-0a1b2c3d4e5f67890; verified gone"}}},
		"resolved":        {Kind: notify.Resolved, Incident: resolved, TeamName: "Security Operations", Policy: policy, Actions: links[2:]},
		"severity-raised": {Kind: notify.SeverityRaised, Incident: with(func(i *incident.Incident) { i.Severity = incident.Sev1 }), Previous: incident.Sev2, Policy: policy},
		"approval": {Kind: notify.Approval, Incident: inc, Policy: policy, Message: "Cancel the scheduled deletion of KMS key 8f3c2b1a (due 2026-11-09)?",
			Actions: []notify.Action{{Label: "Approve", URL: "https://links.example.com/t/approve"}, {Label: "Reject", URL: "https://links.example.com/t/reject"}}},
		"long-title": {Kind: notify.Opened, Incident: long, Policy: policy},
		"runbook-failed": {Kind: notify.RunbookNotice, Incident: inc, TeamName: "Security Operations", Policy: policy,
			Message: "Incident FB-KHCFVO73-1: runbook sg-revoke-world-ingress failed in the verify phase with Runbook.VerificationFailed; the rules were revoked but are not confirmed gone. Check the security group rules by hand."},
		"silence-ended": {Kind: notify.SilenceEnded, Incident: inc, TeamName: "Security Operations", Policy: policy,
			Message: "Silence sil-abc (deploy of the edge fleet) ended at 2026-11-02 12:00:00 UTC; this incident is still open and nobody was paged while it was silenced.",
			Actions: links},
		"acknowledged": {Kind: notify.Acknowledged, Incident: acked, TeamName: "Security Operations", Policy: policy, Message: "Acknowledged by alice."},
		"escalation": {Kind: notify.Escalation, Incident: inc, Policy: policy, Actions: links,
			Paged: notify.Paged{Name: "Bob Jones", Why: "on call for security-secondary until Mon 09:00 Europe/Berlin"}},
		"update-due":   {Kind: notify.Reminder, Incident: acked, Policy: policy, NextUpdate: t0.Add(2 * time.Hour)},
		"retriggered":  {Kind: notify.Retriggered, Incident: inc, Policy: policy, Actions: links},
		"reassigned":   {Kind: notify.Reassigned, Incident: with(func(i *incident.Incident) { i.Team = "platform" }), TeamName: "Platform", Policy: policy},
		"followup-due": {Kind: notify.FollowupDue, Incident: resolved, Message: "The post-incident review of FB-KHCFVO73-1 is due 2026-11-07 10:58 UTC."},
		"problem-opened": {Kind: notify.ProblemOpened, Incident: inc, Policy: policy,
			Message: "Problem PRB-1: security.sg-admin-port-open-world recurred 3 times in 7 days."},
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/chat -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it after review):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// TestGolden: every notice kind's custom notification, as a channel would receive it.
func TestGolden(t *testing.T) {
	for name, n := range cases() {
		t.Run(name, func(t *testing.T) {
			b, err := chat.Encode(n)
			if err != nil {
				t.Fatalf("Encode(%s) = %v", name, err)
			}
			var pretty bytes.Buffer
			if err := json.Indent(&pretty, b, "", "  "); err != nil {
				t.Fatal(err)
			}
			pretty.WriteByte('\n')
			golden(t, name+".json", pretty.Bytes())
		})
	}
}

// TestEveryKind: a notice of every kind internal/notify knows renders.
func TestEveryKind(t *testing.T) {
	covered := map[notify.Kind]bool{}
	for _, n := range cases() {
		covered[n.Kind] = true
	}
	for _, k := range notify.Kinds() {
		if !covered[k] {
			t.Errorf("notice kind %q has no golden case here", k)
		}
	}
}

// TestValidAgainstFormat reads each golden file back as a receiver would (unknown fields
// rejected) and checks the documented constraints: version "1.0", source "custom",
// client-markdown, a description, the bounds, the thread of the incident, the links.
func TestValidAgainstFormat(t *testing.T) {
	for name, n := range cases() {
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("testdata", name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			if len(b) > chat.MaxMessage {
				t.Errorf("%s is %d bytes; SNS takes %d", name, len(b), chat.MaxMessage)
			}
			var raw map[string]json.RawMessage
			if err := json.Unmarshal(b, &raw); err != nil {
				t.Fatal(err)
			}
			for _, k := range []string{"version", "source", "content", "metadata"} {
				if _, ok := raw[k]; !ok {
					t.Errorf("%s: no %q", name, k)
				}
			}
			dec := json.NewDecoder(bytes.NewReader(b))
			dec.DisallowUnknownFields()
			var c chat.Notification
			if err := dec.Decode(&c); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if err := chat.Validate(c); err != nil {
				t.Errorf("Validate(%s) = %v", name, err)
			}
			if c.Metadata.ThreadID != n.Incident.ID {
				t.Errorf("%s: threadId = %q; want the incident id %q", name, c.Metadata.ThreadID, n.Incident.ID)
			}
			if !strings.Contains(c.Content.Title, strings.ToUpper(string(n.Incident.Severity))) || !strings.Contains(c.Content.Title, n.Incident.ID) {
				t.Errorf("%s: title %q; want the severity and the id", name, c.Content.Title)
			}
			for _, a := range n.Actions {
				if !containsSuffix(c.Content.NextSteps, a.URL) {
					t.Errorf("%s: nextSteps %q; want the %s link %s", name, c.Content.NextSteps, a.Label, a.URL)
				}
			}
			for _, want := range []string{string(n.Incident.Severity), n.Incident.Team, n.Incident.Class, n.Incident.Account} {
				if !containsSuffix(c.Content.Keywords, want) {
					t.Errorf("%s: keywords %q; want %q", name, c.Content.Keywords, want)
				}
			}
			for _, want := range []string{string(n.Incident.Status), n.Incident.Account, n.Incident.Region, n.Incident.Team} {
				if !strings.Contains(c.Content.Description, want) {
					t.Errorf("%s: description lacks %q:\n%s", name, want, c.Content.Description)
				}
			}
		})
	}
}

func containsSuffix(list []string, s string) bool {
	for _, v := range list {
		if strings.HasSuffix(v, s) {
			return true
		}
	}
	return false
}

// TestValidate: what the format forbids is an error naming the field.
func TestValidate(t *testing.T) {
	ok, err := chat.Render(cases()["opened"])
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		change func(*chat.Notification)
		want   string
	}{
		{"version", func(c *chat.Notification) { c.Version = "1" }, `version is "1"`},
		{"source", func(c *chat.Notification) { c.Source = "aws.chatbot" }, "source is"},
		{"text type", func(c *chat.Notification) { c.Content.TextType = "html" }, "content.textType"},
		{"no description", func(c *chat.Notification) { c.Content.Description = " " }, "content.description is empty"},
		{"long title", func(c *chat.Notification) { c.Content.Title = strings.Repeat("x", chat.MaxTitle+1) }, "content.title has 251 characters"},
		{"empty keyword", func(c *chat.Notification) { c.Content.Keywords = []string{""} }, "empty string"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := ok
			c.Content.Keywords = append([]string(nil), ok.Content.Keywords...)
			tc.change(&c)
			err := chat.Validate(c)
			if !errors.Is(err, chat.ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Validate(%s) = %v; want ErrInvalid mentioning %q", tc.name, err, tc.want)
			}
		})
	}
}

// TestNoMentions: an event-supplied title cannot ping a Slack channel or a Teams user,
// and bounds hold for absurd input.
func TestNoMentions(t *testing.T) {
	n := cases()["opened"]
	n.Incident.Title = "<!channel> <@U123> <at>everyone</at> " + strings.Repeat("ü", 5000)
	n.Incident.Impact = strings.Repeat("<!here> ", 1000)
	c, err := chat.Render(n)
	if err != nil {
		t.Fatalf("Render = %v", err)
	}
	b, _ := json.Marshal(c)
	if bytes.ContainsAny(b, "<>") || bytes.Contains(b, []byte(`\u003c`)) {
		t.Errorf("Render(mentions) = %s; want no angle brackets", b)
	}
	if _, err := chat.Render(notify.Notice{Kind: "nope", Incident: n.Incident}); err == nil {
		t.Errorf("Render(kind nope) = nil error; want one")
	}
}
