package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/oncall"
)

const oncallYAML = `contacts:
  - id: alice
    name: Alice
    email: [alice@example.com]
    sms: ["+4915550100"]
    time_zone: Europe/Berlin
  - id: bob
    email: [bob@example.com]
schedules:
  primary:
    team: platform
    layers:
      - name: weekly
        members: [alice, bob]
        every: week
        days: [mon]
        hand_off: "09:00"
        time_zone: Europe/Berlin
        start: 2026-03-02
overrides:
  - {id: swap, schedule: primary, contact: bob, start: 2026-03-03T00:00:00Z, end: 2026-03-04T00:00:00Z}
escalations:
  platform-plan:
    tiers:
      - {after: 0s, notify: ["schedule:primary"]}
      - {after: 15m, notify: ["contact:alice", platform]}
`

func TestParseOncall(t *testing.T) {
	cfg, err := parse("firebreak.yaml", valid+oncallYAML)
	if err != nil {
		t.Fatalf("Parse(on-call) = %v", err)
	}
	if len(cfg.Warnings) != 0 {
		t.Errorf("Warnings = %v; want none for a gap-free schedule", cfg.Warnings)
	}
	if c := cfg.Contact("alice"); c == nil || c.SMS[0] != "+4915550100" {
		t.Errorf("Contact(alice) = %+v; want her SMS number", c)
	}
	sh, err := oncall.At("primary", cfg.Schedules["primary"], cfg.Overrides, time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC))
	if err != nil || len(sh.Contacts) != 1 || sh.Contacts[0] != "bob" {
		t.Errorf("At(primary, override) = %v, %v; want bob", sh, err)
	}
	if got := cfg.Escalations["platform-plan"].Tiers[1].After.Duration; got != 15*time.Minute {
		t.Errorf("escalation tier 1 after = %s; want 15m", got)
	}
}

func TestParseOncallErrors(t *testing.T) {
	full := valid + oncallYAML
	tests := []struct {
		name, yaml string
		want       string
	}{
		{"unknown key in layer", strings.Replace(full, "        every: week", "        every: week\n        colour: blue", 1),
			"firebreak.yaml:36: schedules.primary.layers[0].colour: unknown key"},
		{"unknown member", strings.Replace(full, "members: [alice, bob]", "members: [alice, mallory]", 1),
			`firebreak.yaml:34: schedules.primary.layers[0].members[1]: "mallory" is not a contact`},
		{"bad time zone", strings.Replace(full, "        time_zone: Europe/Berlin\n        start", "        time_zone: CET-ish\n        start", 1),
			`firebreak.yaml:38: schedules.primary.layers[0].time_zone: "CET-ish" is not an IANA time zone`},
		{"bad hand-off", strings.Replace(full, `hand_off: "09:00"`, `hand_off: "9"`, 1),
			`firebreak.yaml:37: schedules.primary.layers[0].hand_off: "9" is not a time like 09:00`},
		{"bad phone", strings.Replace(full, "+4915550100", "0151 5550100", 1),
			`firebreak.yaml:25: contacts[0].sms[0]: "0151 5550100" is not an E.164 phone number`},
		{"duplicate contact", strings.Replace(full, "  - id: bob", "  - id: alice", 1),
			`firebreak.yaml:27: contacts[1].id: "alice" already names contacts[0]`},
		{"override of a missing schedule", strings.Replace(full, "schedule: primary, contact: bob", "schedule: secondary, contact: bob", 1),
			`firebreak.yaml:41: overrides[0].schedule: "secondary" is not a schedule (schedules: primary)`},
		{"override ends before it starts", strings.Replace(full, "end: 2026-03-04T00:00:00Z", "end: 2026-03-02T00:00:00Z", 1),
			`overrides[0].end: 2026-03-02T00:00:00Z is not after start 2026-03-03T00:00:00Z`},
		{"override of a missing contact", strings.Replace(full, "schedule: primary, contact: bob", "schedule: primary, contact: carol", 1),
			`overrides[0].contact: "carol" is not a contact`},
		{"unknown team", strings.Replace(full, "    team: platform\n    layers", "    team: ghosts\n    layers", 1),
			`firebreak.yaml:31: schedules.primary.team: "ghosts" is not a team`},
		{"reserved name", strings.Replace(full, "  primary:", "  shifts:", 1),
			`schedules.shifts: "shifts" is a word of`},
		{"escalation target", strings.Replace(full, `"contact:alice"`, `"contact:zed"`, 1),
			`firebreak.yaml:46: escalations.platform-plan.tiers[1].notify[0]: "zed" is not a contact`},
		{"escalation schedule", strings.Replace(full, `"schedule:primary"`, `"schedule:nope"`, 1),
			`escalations.platform-plan.tiers[0].notify[0]: "nope" is not a schedule (schedules: primary)`},
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

func TestScheduleGapIsAWarning(t *testing.T) {
	gappy := strings.Replace(valid+oncallYAML, "        start: 2026-03-02\n",
		"        start: 2026-03-02\n        restrictions: [{days: [mon, tue, wed, thu, fri], from: \"09:00\", to: \"17:00\"}]\n", 1)
	cfg, err := parse("firebreak.yaml", gappy)
	if err != nil {
		t.Fatalf("Parse(gappy) = %v; want it to load", err)
	}
	// The first shift starts Monday 2026-03-02 09:00 CET; the override gives bob all of
	// Tuesday (UTC), so the first gap is Monday 17:00 CET.
	want := "firebreak.yaml:31: schedules.primary: nobody is on call from 2026-03-02T16:00:00Z"
	if len(cfg.Warnings) != 1 || !strings.Contains(cfg.Warnings[0].Error(), want) {
		t.Errorf("Warnings = %v; want one containing %q", cfg.Warnings, want)
	}
}

func TestOverrideDecodeErrors(t *testing.T) {
	full := valid + oncallYAML
	tests := []struct{ name, yaml, want string }{
		{"bad start", strings.Replace(full, "start: 2026-03-03T00:00:00Z", "start: tomorrow", 1),
			`firebreak.yaml:41: overrides[0].start: "tomorrow" is not a time like 2026-12-24T09:00:00+01:00`},
		{"unknown key", strings.Replace(full, "{id: swap,", "{id: swap, who: bob,", 1),
			`firebreak.yaml:41: overrides[0].who: unknown key`},
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
