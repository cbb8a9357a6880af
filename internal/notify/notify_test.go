package notify_test

import (
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/awstest"
	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/notify"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

var t0 = time.Date(2026, 11, 2, 10, 58, 0, 0, time.UTC)

func sampleIncident() incident.Incident {
	return incident.Incident{
		ID: "FB-KHCFVO73-1", Fingerprint: "security.sg-admin-port-open-world|123456789012|eu-west-1|sg-0123456789abcdef0",
		Class: "security.sg-admin-port-open-world", Title: "tcp/22 open to 0.0.0.0/0 on sg-0123456789abcdef0 by arn:aws:iam::123456789012:user/dev.contractor",
		Severity: incident.Sev2, Team: "security", Status: incident.Open, Account: "123456789012", Region: "eu-west-1",
		Resource: "sg-0123456789abcdef0", Impact: "Hosts behind this security group accept administrative logins from the whole internet.",
		Actor: "arn:aws:iam::123456789012:user/dev.contractor", Runbook: "sg-revoke-world-ingress",
		OpenedAt: t0, FirstSeen: t0, LastSeen: t0.Add(4 * time.Minute), Count: 2,
	}
}

var policy = &config.SeverityPolicy{Name: "High", Channels: []string{"email", "sms"}, UpdateEvery: config.Duration{Duration: time.Hour}}

func cases() map[string]notify.Notice {
	inc := sampleIncident()
	mitigated := inc
	mitigated.Status, mitigated.Recoveries = incident.Mitigated, 1
	raised := inc
	raised.Severity = incident.Sev1
	long := inc
	long.Title = strings.Repeat("Very long title with unicode → and — dashes ", 8)
	return map[string]notify.Notice{
		"opened": {Kind: notify.Opened, Incident: inc, TeamName: "Security Operations", Policy: policy,
			Automation: []notify.Automation{{Runbook: "sg-revoke-world-ingress", Status: "started",
				URL: "https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/arn:aws:states:eu-west-1:123456789012:execution:firebreak-sg-revoke-world-ingress:FB-KHCFVO73-1-v1"}},
			NextUpdate: t0.Add(time.Hour),
			Actions:    []notify.Action{{"Acknowledge", "https://api.example.com/a/ack-token"}, {"Resolve", "https://api.example.com/a/resolve-token"}}},
		"mitigated": {Kind: notify.Mitigated, Incident: mitigated, TeamName: "Security Operations", Policy: policy,
			Automation: []notify.Automation{{Runbook: "sg-revoke-world-ingress", Status: "succeeded", Detail: "revoked sgr-0a1b2c3d4e5f67890; verified gone"}}},
		"severity-raised": {Kind: notify.SeverityRaised, Incident: raised, Previous: incident.Sev2, Policy: policy},
		"approval": {Kind: notify.Approval, Incident: inc, Policy: policy, Message: "Cancel the scheduled deletion of KMS key 8f3c2b1a (due 2026-11-09)?",
			Actions: []notify.Action{{"Approve", "https://api.example.com/a/approve"}, {"Reject", "https://api.example.com/a/reject"}}},
		"long-title": {Kind: notify.Opened, Incident: long, Policy: policy},
		"runbook-failed": {Kind: notify.RunbookNotice, Incident: inc, TeamName: "Security Operations", Policy: policy,
			Message: "Incident FB-KHCFVO73-1: runbook sg-revoke-world-ingress failed in the verify phase with Runbook.VerificationFailed; the rules were revoked but are not confirmed gone. Check the security group rules by hand."},
		"silence-ended": {Kind: notify.SilenceEnded, Incident: inc, TeamName: "Security Operations", Policy: policy,
			Message: "Silence sil-abc (deploy of the edge fleet) ended at 2026-11-02 12:00:00 UTC; this incident is still open and nobody was paged while it was silenced.",
			Actions: []notify.Action{{"Acknowledge", "https://api.example.com/a/ack-token"}, {"Resolve", "https://api.example.com/a/resolve-token"}}},
	}
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/notify -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it after review):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

func TestRenderGolden(t *testing.T) {
	for name, n := range cases() {
		t.Run(name, func(t *testing.T) {
			r, err := notify.Render(n)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, name+".subject.txt", r.Subject+"\n")
			golden(t, name+".email.txt", r.Email)
			golden(t, name+".sms.txt", r.SMS+"\n")
		})
	}
}

func TestSMSFitsOneSegment(t *testing.T) {
	for name, n := range cases() {
		r, err := notify.Render(n)
		if err != nil {
			t.Fatal(err)
		}
		if len(r.SMS) > notify.SMSLimit {
			t.Errorf("%s: SMS is %d characters; want at most %d: %q", name, len(r.SMS), notify.SMSLimit, r.SMS)
		}
		for _, c := range r.SMS {
			if c < 0x20 || c > 0x7e || strings.ContainsRune("[]{}\\^~|`€", c) {
				t.Errorf("%s: SMS has %q, outside GSM-7's basic set: %q", name, c, r.SMS)
			}
		}
		inc := n.Incident
		for _, must := range []string{strings.ToUpper(string(inc.Severity)), inc.ID, inc.Account, inc.Region} {
			if !strings.Contains(r.SMS, must) {
				t.Errorf("%s: SMS %q lacks %q (severity, where and the incident id must survive truncation)", name, r.SMS, must)
			}
		}
		if len(r.Subject) > 100 || strings.ContainsAny(r.Subject, "\n\r") {
			t.Errorf("%s: subject %q is not one line of at most 100", name, r.Subject)
		}
	}
}

func TestEmailSaysWhatResponderNeeds(t *testing.T) {
	r, err := notify.Render(cases()["opened"])
	if err != nil {
		t.Fatal(err)
	}
	for _, must := range []string{"tcp/22 open to 0.0.0.0/0", "sev2 (High)", "administrative logins", "Security Operations",
		"2026-11-02 10:58:00 UTC", "2026-11-02 11:02:00 UTC", "2 triggers", "sg-0123456789abcdef0", "123456789012 / eu-west-1",
		"sg-revoke-world-ingress: started", "/v2/executions/details/", "Next update due 2026-11-02 11:58:00 UTC (every 1h",
		"https://api.example.com/a/ack-token", "firebreak incidents ack FB-KHCFVO73-1"} {
		if !strings.Contains(r.Email, must) {
			t.Errorf("e-mail lacks %q:\n%s", must, r.Email)
		}
	}
}

func TestSendThroughTheSDK(t *testing.T) {
	srv := awstest.New()
	defer srv.Close()
	topic := "arn:aws:sns:eu-west-1:123456789012:firebreak-security"
	n := notify.New(srv.SNS(), map[string]string{"security": topic})
	id, err := n.Send(context.Background(), "security", cases()["opened"])
	if err != nil {
		t.Fatal(err)
	}
	reqs := srv.Of("Publish")
	if len(reqs) != 1 || id == "" {
		t.Fatalf("Send() made %d Publish requests, id %q; want 1 and an id", len(reqs), id)
	}
	f := reqs[0].Form
	if !reqs[0].Signed || f.Get("TopicArn") != topic || f.Get("MessageStructure") != "json" || !strings.HasPrefix(f.Get("Subject"), "[SEV2] Opened: tcp/22") {
		t.Errorf("Publish request = %v; want a signed request to %s with message structure json and the subject", f, topic)
	}
	var msg map[string]string
	if err := json.Unmarshal([]byte(f.Get("Message")), &msg); err != nil {
		t.Fatalf("Message is not JSON: %v", err)
	}
	if !strings.Contains(msg["email"], "What happened") || len(msg["sms"]) > 160 || msg["default"] == "" {
		t.Errorf("Message = %v; want e-mail, sms and default texts", msg)
	}
	attrs := map[string]string{}
	for i := 1; f.Get("MessageAttributes.entry."+itoa(i)+".Name") != ""; i++ {
		p := "MessageAttributes.entry." + itoa(i)
		if f.Get(p+".Value.DataType") != "String" {
			t.Errorf("%s data type = %q; want String", p, f.Get(p+".Value.DataType"))
		}
		attrs[f.Get(p+".Name")] = f.Get(p + ".Value.StringValue")
	}
	want := map[string]string{"team": "security", "severity": "sev2", "class": "security.sg-admin-port-open-world",
		"account": "123456789012", "status": "open", "kind": "opened", "incident": "FB-KHCFVO73-1"}
	for k, v := range want {
		if attrs[k] != v {
			t.Errorf("message attribute %s = %q; want %q (all: %v)", k, attrs[k], v, attrs)
		}
	}
	if _, err := n.Send(context.Background(), "nobody", cases()["opened"]); err == nil || !strings.Contains(err.Error(), `no topic for team "nobody"`) {
		t.Errorf("Send(unknown team) = %v; want an error naming the team", err)
	}
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }
