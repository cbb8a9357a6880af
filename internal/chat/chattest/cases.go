// Package chattest holds the notices the chat, webhook and outbox tests render: every
// notice kind, with internal/notify's golden cases among them.
package chattest

import (
	"strings"
	"time"

	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/notify"
)

// T0 is when the sample incident opened.
var T0 = time.Date(2026, 11, 2, 10, 58, 0, 0, time.UTC)

func sampleIncident() incident.Incident {
	return incident.Incident{
		ID: "FB-KHCFVO73-1", Class: "security.sg-admin-port-open-world",
		Title:    "tcp/22 open to 0.0.0.0/0 on sg-0123456789abcdef0 by arn:aws:iam::123456789012:user/dev.contractor",
		Severity: incident.Sev2, Team: "security", Status: incident.Open, Account: "123456789012", Region: "eu-west-1",
		Resource: "sg-0123456789abcdef0", Impact: "Hosts behind this security group accept administrative logins from the whole internet.",
		Actor: "arn:aws:iam::123456789012:user/dev.contractor", Runbook: "sg-revoke-world-ingress",
		OpenedAt: T0, FirstSeen: T0, LastSeen: T0.Add(4 * time.Minute), Count: 2,
	}
}

var policy = &config.SeverityPolicy{Name: "High", Channels: []string{"email", "sms"}, UpdateEvery: config.Duration{Duration: time.Hour}}

var links = []notify.Action{{Label: "Acknowledge", URL: "https://links.example.com/t/ack-token"},
	{Label: "Resolve", URL: "https://links.example.com/t/resolve-token"}, {Label: "View", URL: "https://links.example.com/status/view-token/incidents/FB-KHCFVO73-1"}}

// Cases are internal/notify's golden cases, and a notice of every other kind.
func Cases() map[string]notify.Notice {
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
			NextUpdate: T0.Add(time.Hour), Actions: links},
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
		"update-due":   {Kind: notify.Reminder, Incident: acked, Policy: policy, NextUpdate: T0.Add(2 * time.Hour)},
		"retriggered":  {Kind: notify.Retriggered, Incident: inc, Policy: policy, Actions: links},
		"reassigned":   {Kind: notify.Reassigned, Incident: with(func(i *incident.Incident) { i.Team = "platform" }), TeamName: "Platform", Policy: policy},
		"followup-due": {Kind: notify.FollowupDue, Incident: resolved, Message: "The post-incident review of FB-KHCFVO73-1 is due 2026-11-07 10:58 UTC."},
		"problem-opened": {Kind: notify.ProblemOpened, Incident: inc, Policy: policy,
			Message: "Problem PRB-1: security.sg-admin-port-open-world recurred 3 times in 7 days."},
	}
}
