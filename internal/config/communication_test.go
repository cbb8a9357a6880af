package config_test

import (
	"strings"
	"testing"

	"github.com/firebreak-ops/firebreak/internal/incident"
)

const plan = `communication:
  audiences:
    stakeholders: {name: Business stakeholders, email: [biz@example.com]}
    executives: {email: [exec@example.com], sms: ["+15555550111"]}
  severities:
    sev1:
      stakeholders: {every: 30m}
      executives: {every: 1h, grace: 15m}
    sev2:
      stakeholders: {every: 1h}
`

func TestCommunicationPlan(t *testing.T) {
	c, err := parse("f.yaml", valid+plan)
	if err != nil {
		t.Fatalf("Parse(plan) = %v", err)
	}
	tests := []struct {
		sev  incident.Severity
		want string // audience=every/grace, …
	}{
		{incident.Sev1, "executives=1h0m0s/15m0s stakeholders=30m0s/30m0s"},
		{incident.Sev2, "stakeholders=1h0m0s/1h0m0s"},
		{incident.Sev3, ""},
		{incident.Info, ""},
	}
	for _, tt := range tests {
		t.Run(string(tt.sev), func(t *testing.T) {
			var got []string
			for _, ac := range c.AudiencesFor(tt.sev) {
				got = append(got, ac.Audience+"="+ac.Cadence.Every.Duration.String()+"/"+ac.Cadence.GraceOrDefault().String())
			}
			if s := strings.Join(got, " "); s != tt.want {
				t.Errorf("AudiencesFor(%s) = %q; want %q", tt.sev, s, tt.want)
			}
		})
	}
	if got := c.Communication.AudienceNames; strings.Join(got, ",") != "executives,stakeholders" {
		t.Errorf("AudienceNames = %v; want executives, stakeholders", got)
	}
	if a := c.Audience("stakeholders"); a == nil || a.Name != "Business stakeholders" {
		t.Errorf("Audience(stakeholders) = %+v; want the configured audience", a)
	}
	if d := c.AudiencesFor(incident.Sev1)[1].Cadence.Describe(); d != "every 30m (missed after 1h)" {
		t.Errorf("Describe() = %q; want every 30m (missed after 1h)", d)
	}
	none, err := parse("f.yaml", valid)
	if err != nil {
		t.Fatal(err)
	}
	if got := none.AudiencesFor(incident.Sev1); len(got) != 0 || none.Audience("stakeholders") != nil {
		t.Errorf("without a communication section AudiencesFor(sev1) = %v; want none", got)
	}
}

func TestCommunicationErrors(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"unknown audience", "communication:\n  audiences: {stakeholders: {email: [a@example.com]}}\n  severities:\n    sev1: {customers: {every: 30m}}\n",
			`communication.severities.sev1.customers: "customers" is not an audience (communication.audiences: stakeholders)`},
		{"bad severity", "communication:\n  audiences: {stakeholders: {}}\n  severities:\n    sev9: {stakeholders: {every: 30m}}\n",
			`communication.severities.sev9: severity "sev9" is not one of`},
		{"info", "communication:\n  audiences: {stakeholders: {}}\n  severities:\n    info: {stakeholders: {every: 30m}}\n",
			"communication.severities.info: info incidents are recorded, never announced"},
		{"no cadence", "communication:\n  audiences: {stakeholders: {}}\n  severities:\n    sev1: {stakeholders: {}}\n",
			"communication.severities.sev1.stakeholders.every: must be at least 1m"},
		{"null cadence", "communication:\n  audiences: {stakeholders: {}}\n  severities:\n    sev1: {stakeholders: }\n",
			"communication.severities.sev1.stakeholders: missing cadence"},
		{"zero grace", "communication:\n  audiences: {stakeholders: {}}\n  severities:\n    sev1: {stakeholders: {every: 30m, grace: 0s}}\n",
			"communication.severities.sev1.stakeholders.grace: must be more than 0s"},
		{"bad name", "communication:\n  audiences: {Board: {}}\n", `communication.audiences.Board: audience name "Board" must be lower-case`},
		{"bad email", "communication:\n  audiences: {board: {email: [nobody]}}\n", `communication.audiences.board.email[0]: "nobody" is not an e-mail address`},
		{"bad phone", "communication:\n  audiences: {board: {sms: [\"555\"]}}\n", `communication.audiences.board.sms[0]: "555" is not an E.164 phone number`},
		{"empty audience", "communication:\n  audiences: {board: }\n", "communication.audiences.board: empty audience"},
		{"unknown key", "communication:\n  audiences: {board: {emails: [a@example.com]}}\n", "emails"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parse("f.yaml", valid+tt.yaml)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse(%q) error = %v; want one mentioning %q", tt.yaml, err, tt.want)
			}
		})
	}
}
