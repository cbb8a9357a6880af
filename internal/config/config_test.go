package config_test

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/firebreak-ops/firebreak"
	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/strictyaml"
)

const valid = `version: 1
defaults:
  team: platform
teams:
  platform:
    email: [oncall@example.com]
    sms: ["+15555550100"]
runbooks:
  fix: {definition: runbooks/fix.asl.json}
taxonomy:
  - class: ops.alarm
    match: {"source": ["aws.cloudwatch"]}
    severity: sev2
    runbook: fix
    title: "{{.Resource}} broke"
severities:
  sev1: {channels: [email, sms], acknowledge_within: 5m, update_every: 30m, resolve_within: 4h}
  sev2: {channels: [email], acknowledge_within: 15m, update_every: 1h, resolve_within: 8h}
  sev3: {channels: [email], acknowledge_within: 1h}
  sev4: {channels: []}
`

// definitions are the runbook files the test configurations refer to.
var definitions = fstest.MapFS{
	"runbooks/fix.asl.json":    {Data: []byte(`{"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}`)},
	"runbooks/broken.asl.json": {Data: []byte(`{"StartAt": "Nowhere", "States": {"Done": {"Type": "Succeed"}}}`)},
	"runbooks/bad.json":        {Data: []byte("{\n  \"StartAt\": \"Done\",,\n}")},
}

func parse(file, yaml string) (*config.Config, error) {
	return config.ParseFS(file, []byte(yaml), definitions)
}

func TestParseValid(t *testing.T) {
	cfg, err := parse("firebreak.yaml", valid)
	if err != nil {
		t.Fatalf("Parse(valid) = %v", err)
	}
	cl := cfg.Taxonomy[0]
	if cl.Sev != incident.Sev2 || !cl.IsIncident() || string(cl.Pattern) != `{"source":["aws.cloudwatch"]}` || cl.TitleT == nil {
		t.Errorf("class = %+v; want sev2, an incident class, the canonical pattern and a title template", cl)
	}
	if cfg.Fallback == nil || cfg.Fallback.Class != config.UnknownClass || cfg.Fallback.IsIncident() {
		t.Errorf("Fallback = %+v; want the built-in unknown class that never pages", cfg.Fallback)
	}
}

func TestShippedConfigIsValid(t *testing.T) {
	cfg, err := firebreak.Config()
	if err != nil {
		t.Fatalf("firebreak.yaml: %v", err)
	}
	if len(cfg.Taxonomy) == 0 || len(cfg.TeamNames) == 0 {
		t.Errorf("firebreak.yaml: %d classes, %d teams; want some of each", len(cfg.Taxonomy), len(cfg.TeamNames))
	}
}

func TestParseErrorsNameFileLineAndKey(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       []string // each must appear in the error
	}{
		{"unknown key", strings.Replace(valid, "  team: platform", "  team: platform\n  colour: blue", 1),
			[]string{"firebreak.yaml:4: defaults.colour: unknown key"}},
		{"unknown key in class", strings.Replace(valid, "    severity: sev2", "    severity: sev2\n    priority: 1", 1),
			[]string{"firebreak.yaml:14: taxonomy[0].priority: unknown key"}},
		{"bad severity", strings.Replace(valid, "severity: sev2", "severity: p1", 1),
			[]string{`firebreak.yaml:13: taxonomy[0].severity: severity "p1" is not one of sev1, sev2, sev3, sev4, info`}},
		{"info incident", strings.Replace(valid, "severity: sev2", "severity: info", 1),
			[]string{"taxonomy[0].severity: info never pages: set incident: false"}},
		{"unknown team", strings.Replace(valid, "    severity: sev2", "    severity: sev2\n    team: nobody", 1),
			[]string{`firebreak.yaml:14: taxonomy[0].team: "nobody" is not a team (teams: platform)`}},
		{"unknown runbook", strings.Replace(valid, "runbook: fix", "runbook: nope", 1),
			[]string{`firebreak.yaml:14: taxonomy[0].runbook: "nope" is not a runbook`}},
		{"numeric pattern", strings.Replace(valid, `["aws.cloudwatch"]`, `[{"numeric": [">", 5]}]`, 1),
			[]string{`firebreak.yaml:12: taxonomy[0].match: source[0]: operator "numeric" is not supported`}},
		{"missing match", strings.Replace(valid, "    match: {\"source\": [\"aws.cloudwatch\"]}\n", "", 1),
			[]string{"taxonomy[0].match: missing"}},
		{"bad email", strings.Replace(valid, "oncall@example.com", "oncall", 1),
			[]string{`firebreak.yaml:6: teams.platform.email[0]: "oncall" is not an e-mail address`}},
		{"bad phone", strings.Replace(valid, "+15555550100", "555-0100", 1),
			[]string{`firebreak.yaml:7: teams.platform.sms[0]: "555-0100" is not an E.164 phone number`}},
		{"bad title", strings.Replace(valid, "{{.Resource}} broke", "{{.Nope}} broke", 1),
			[]string{`firebreak.yaml:15: taxonomy[0].title: unknown field .Nope (use .Resource, .Actor,`}},
		{"default team", strings.Replace(valid, "  team: platform\n", "  team: ghosts\n", 1),
			[]string{`firebreak.yaml:3: defaults.team: "ghosts" is not a team`}},
		{"duplicate class", strings.Replace(valid, "severities:", "  - class: ops.alarm\n    match: {\"source\": [\"x\"]}\n    severity: sev3\nseverities:", 1),
			[]string{`firebreak.yaml:16: taxonomy[1].class: "ops.alarm" already defined at taxonomy[0]`}},
		{"wrong type", strings.Replace(valid, "version: 1", "version: one", 1),
			[]string{`firebreak.yaml:1: version: want a whole number, got "one"`}},
		{"syntax", valid + "  - class: [unclosed\n", []string{"firebreak.yaml:"}},
		{"bad duration", strings.Replace(valid, "acknowledge_within: 5m", "acknowledge_within: soon", 1),
			[]string{`firebreak.yaml:17: severities.sev1.acknowledge_within: "soon" is not a duration like 5m or 4h`}},
		{"bad channel", strings.Replace(valid, "[email, sms]", "[email, pager]", 1),
			[]string{`firebreak.yaml:17: severities.sev1.channels[1]: "pager" is not a channel (email, sms)`}},
		{"missing severity", strings.Replace(valid, "  sev4: {channels: []}\n", "", 1),
			[]string{"severities: missing the policy of sev4"}},
		{"unknown rule", valid + "deploy:\n  rules: [cloudwatch-alarm, nope]\n",
			[]string{`firebreak.yaml:22: deploy.rules[1]: "nope" is not a rule of events/catalog.yaml`}},
		{"bad batch", valid + "deploy:\n  intake: {batch_size: 20000}\n",
			[]string{"deploy.intake.batch_size: 20000 is not between 1 and 10000"}},
		{"empty", "", []string{"firebreak.yaml: empty file"}},
		{"version", strings.Replace(valid, "version: 1", "version: 2", 1), []string{"firebreak.yaml:1: version: must be 1, got 2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parse("firebreak.yaml", tt.yaml)
			if err == nil {
				t.Fatalf("Parse(%s) = nil error; want %q", tt.name, tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Parse(%s) error:\n%v\nwant it to contain %q", tt.name, err, w)
				}
			}
			var se *strictyaml.Error
			var ses strictyaml.Errors
			if !errors.As(err, &se) && !errors.As(err, &ses) {
				t.Errorf("Parse(%s) error %T is not a strictyaml error", tt.name, err)
			}
		})
	}
}

func TestAllProblemsReportedAtOnce(t *testing.T) {
	bad := strings.NewReplacer("severity: sev2", "severity: p1", "oncall@example.com", "oncall").Replace(valid)
	_, err := parse("f.yaml", bad)
	var es strictyaml.Errors
	if !errors.As(err, &es) || len(es) != 2 {
		t.Errorf("Parse(two problems) = %v; want both reported", err)
	}
}

// TestParseErrorsExact asserts whole error texts: every problem, in file order, each
// with the file, the line and the key's full path.
func TestParseErrorsExact(t *testing.T) {
	r := strings.Replace
	tests := []struct {
		name, yaml, want string
	}{
		{"runbook definition missing", r(valid, "runbooks/fix.asl.json", "runbooks/nope.asl.json", 1),
			"firebreak.yaml:9: runbooks.fix.definition: runbooks/nope.asl.json does not exist"},
		{"runbook definition not a state machine", r(valid, "runbooks/fix.asl.json", "runbooks/broken.asl.json", 1),
			`firebreak.yaml:9: runbooks.fix.definition: runbooks/broken.asl.json is not a valid state machine: definition: StartAt "Nowhere" does not name a state`},
		{"runbook definition not JSON", r(valid, "runbooks/fix.asl.json", "runbooks/bad.json", 1),
			"firebreak.yaml:9: runbooks.fix.definition: runbooks/bad.json is not a valid state machine: definition is not valid JSON: line 2, column 21: invalid character ',' looking for beginning of object key string"},
		{"runbook definition outside the repository", r(valid, "runbooks/fix.asl.json", "../fix.asl.json", 1),
			`firebreak.yaml:9: runbooks.fix.definition: "../fix.asl.json" is not a path inside the repository (relative, with / and no ..)`},
		{"own secondary", r(valid, `    sms: ["+15555550100"]`, "    sms: [\"+15555550100\"]\n    secondary: platform", 1),
			"firebreak.yaml:8: teams.platform.secondary: a team cannot be its own secondary"},
		{"secondaries in a cycle", r(valid, `    sms: ["+15555550100"]`, "    sms: [\"+15555550100\"]\n    secondary: b\n  b: {secondary: c}\n  c: {secondary: platform}", 1),
			"firebreak.yaml:9: teams.b.secondary: secondaries go round in a cycle (b → c → platform → b): a team cannot be its own secondary, even through others"},
		{"second document", valid + "---\nversion: 1\n",
			"firebreak.yaml:21: a second YAML document starts here: the configuration is one document (remove the ---)"},
		{"empty second document", valid + "---\n",
			"firebreak.yaml:21: a second YAML document starts here: the configuration is one document (remove the ---)"},
		{"nothing", "", "firebreak.yaml: empty file: it holds no configuration"},
		{"only comments", "# teams: later\n\n", "firebreak.yaml: empty file: it holds no configuration"},
		{"only a document marker", "---\n", "firebreak.yaml: empty file: it holds no configuration"},
		{"string for a list", r(valid, "[email, sms]", "email", 1),
			`firebreak.yaml:17: severities.sev1.channels: want a list, got "email"`},
		{"list for a duration", r(valid, "acknowledge_within: 5m", "acknowledge_within: [5m]", 1),
			"firebreak.yaml:17: severities.sev1.acknowledge_within: want a duration like 5m or 4h, got a list"},
		{"bad duration", r(valid, "acknowledge_within: 15m", "acknowledge_within: soon", 1),
			`firebreak.yaml:18: severities.sev2.acknowledge_within: "soon" is not a duration like 5m or 4h`},
		{"string for a boolean", r(valid, "    runbook: fix\n", "    runbook: fix\n    incident: maybe\n", 1),
			`firebreak.yaml:15: taxonomy[0].incident: want true or false, got "maybe"`},
		{"long string for a number", r(valid, "version: 1", "version: one-point-oh", 1),
			`firebreak.yaml:1: version: want a whole number, got "one-poi..."`},
		{"not a mapping", "- version: 1\n", `firebreak.yaml:1: want a mapping, got a list`},
		{"a key twice", r(valid, "  team: platform\n", "  team: platform\n  team: security\n", 1),
			"firebreak.yaml:4: defaults.team: defined twice (first at line 3)"},
		{"every problem at once", strings.NewReplacer("version: 1", "version: one", "runbooks/fix.asl.json", "runbooks/nope.asl.json",
			`    sms: ["+15555550100"]`, "    sms: [\"+15555550100\"]\n    secondary: platform", "acknowledge_within: 1h", "acknowledge_within: soon").Replace(valid),
			"firebreak.yaml:1: version: want a whole number, got \"one\"\n" +
				"firebreak.yaml:8: teams.platform.secondary: a team cannot be its own secondary\n" +
				"firebreak.yaml:10: runbooks.fix.definition: runbooks/nope.asl.json does not exist\n" +
				"firebreak.yaml:20: severities.sev3.acknowledge_within: \"soon\" is not a duration like 5m or 4h"},
		{"unknown keys and bad durations with the rest", strings.NewReplacer("  team: platform\n", "  teem: platform\n  reopen_within: soon\n",
			"runbook: fix", "runbook: nope", "    sms: [\"+15555550100\"]\n", "    sms: [\"+15555550100\"]\n    pager: yes\n").Replace(valid),
			"firebreak.yaml:3: defaults.teem: unknown key\n" +
				"firebreak.yaml:3: defaults.team: missing: the owner of events nothing else assigns\n" +
				"firebreak.yaml:4: defaults.reopen_within: \"soon\" is not a duration like 5m or 4h\n" +
				"firebreak.yaml:9: teams.platform.pager: unknown key\n" +
				"firebreak.yaml:16: taxonomy[0].runbook: \"nope\" is not a runbook defined under runbooks:"},
		// An override that did not decode is not checked further.
		{"a bad override and the rest", valid + "overrides:\n  - {schedule: s, contact: c, start: tomorrow, end: [x], who: me}\ncolour: blue\n",
			"firebreak.yaml:22: overrides[0].start: \"tomorrow\" is not a time like 2026-12-24T09:00:00+01:00 (RFC 3339)\n" +
				"firebreak.yaml:22: overrides[0].end: want a time like 2026-12-24T09:00:00+01:00 (RFC 3339), got a list\n" +
				"firebreak.yaml:22: overrides[0].who: unknown key\n" +
				"firebreak.yaml:23: colour: unknown key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parse("firebreak.yaml", tt.yaml)
			if err == nil {
				t.Fatalf("Parse(%s) = nil error; want\n%s", tt.name, tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("Parse(%s) error:\n%v\nwant\n%s", tt.name, err, tt.want)
			}
		})
	}
}
