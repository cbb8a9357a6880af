package config_test

import (
	"slices"
	"strings"
	"testing"
)

// pagingYAML: team platform pages whoever is on call for primary; sev1's tiers page the
// schedule and a contact.
var pagingYAML = strings.Replace(valid, `    sms: ["+15555550100"]
`, `    sms: ["+15555550100"]
    oncall: ["schedule:primary", "contact:bob"]
`, 1) + oncallYAML[:strings.Index(oncallYAML, "escalations:")]

func TestParsePagingTargets(t *testing.T) {
	yaml := strings.Replace(pagingYAML, "  sev1: {channels: [email, sms], acknowledge_within: 5m, update_every: 30m, resolve_within: 4h}",
		`  sev1:
    channels: [email, sms]
    escalation:
      - {after: 5m, notify: ["schedule:primary", owner]}
      - {after: 10m, notify: ["contact:alice"]}`, 1)
	cfg, err := parse("firebreak.yaml", yaml)
	if err != nil {
		t.Fatalf("Parse = %v", err)
	}
	if got := cfg.Teams["platform"].OnCall; !slices.Equal(got, []string{"schedule:primary", "contact:bob"}) {
		t.Errorf("teams.platform.oncall = %v; want [schedule:primary contact:bob]", got)
	}
	if got := cfg.Severities["sev1"].Escalation[1].Notify; !slices.Equal(got, []string{"contact:alice"}) {
		t.Errorf("sev1 tier 2 notify = %v; want [contact:alice]", got)
	}
}

func TestParsePagingTargetErrors(t *testing.T) {
	tier := func(target string) string {
		return strings.Replace(pagingYAML, "  sev1: {channels: [email, sms], acknowledge_within: 5m, update_every: 30m, resolve_within: 4h}",
			"  sev1:\n    channels: [email]\n    escalation:\n      - {after: 5m, notify: [\""+target+"\"]}", 1)
	}
	tests := []struct {
		name, yaml, want string
	}{
		{"team oncall names a team", strings.Replace(pagingYAML, `"contact:bob"]`, `platform]`, 1),
			`teams.platform.oncall[1]: "platform" is not schedule:<name> or contact:<id>`},
		{"team oncall unknown schedule", strings.Replace(pagingYAML, `"schedule:primary", "contact:bob"`, `"schedule:nope"`, 1),
			`teams.platform.oncall[0]: "nope" is not a schedule (schedules: primary)`},
		{"team oncall unknown contact", strings.Replace(pagingYAML, `"contact:bob"]`, `"contact:zed"]`, 1),
			`teams.platform.oncall[1]: "zed" is not a contact`},
		{"team oncall twice", strings.Replace(pagingYAML, `"contact:bob"]`, `"schedule:primary"]`, 1),
			`teams.platform.oncall[1]: "schedule:primary" is named twice`},
		{"tier unknown schedule", tier("schedule:nope"),
			`severities.sev1.escalation[0].notify[0]: "nope" is not a schedule (schedules: primary)`},
		{"tier unknown contact", tier("contact:zed"),
			`severities.sev1.escalation[0].notify[0]: "zed" is not a contact`},
		{"tier unknown team", tier("ghosts"),
			`severities.sev1.escalation[0].notify[0]: "ghosts" is not owner, secondary, a team, contact:<id> or schedule:<name>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parse("firebreak.yaml", tt.yaml)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse(%s) = %v; want an error containing %q", tt.name, err, tt.want)
			}
		})
	}
}
