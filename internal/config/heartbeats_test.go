package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/incident"
)

func TestHeartbeats(t *testing.T) {
	c, err := parse("f.yaml", valid+`heartbeats:
  - name: nightly-backup
    match: {"source": ["app.backup"], "detail-type": ["Backup Succeeded"]}
    interval: 24h
    grace: 2h
    severity: sev2
  - name: billing-feed
    match: {"source": ["app.billing"]}
    interval: 1h
    severity: sev3
    team: platform
`)
	if err != nil {
		t.Fatal(err)
	}
	h := c.Heartbeat("nightly-backup")
	if h == nil || h.Silence() != 26*time.Hour || h.Sev != incident.Sev2 || h.Team != "platform" || len(h.Pattern) == 0 {
		t.Fatalf("Heartbeat(nightly-backup) = %+v; want silence 26h, sev2, team platform (default), a compiled pattern", h)
	}
	if b := c.Heartbeat("billing-feed"); b == nil || b.Silence() != time.Hour {
		t.Errorf("Heartbeat(billing-feed) = %+v; want silence 1h (no grace)", b)
	}
	if c.Heartbeat("nope") != nil {
		t.Errorf("Heartbeat(nope) != nil")
	}

	one := func(fields string) string {
		return valid + "heartbeats:\n  - name: hb\n" + fields
	}
	tests := []struct{ name, yaml, want string }{
		{"no match", one("    interval: 1h\n    severity: sev2\n"), "heartbeats[0].match: missing"},
		{"bad pattern", one("    match: {\"source\": \"app\"}\n    interval: 1h\n    severity: sev2\n"), "heartbeats[0].match:"},
		{"no interval", one("    match: {\"source\": [\"a\"]}\n    severity: sev2\n"), "heartbeats[0].interval: must be more than 0s"},
		{"negative grace", one("    match: {\"source\": [\"a\"]}\n    interval: 1h\n    grace: -1m\n    severity: sev2\n"), "heartbeats[0].grace:"},
		{"info", one("    match: {\"source\": [\"a\"]}\n    interval: 1h\n    severity: info\n"), "heartbeats[0].severity: info never pages"},
		{"bad severity", one("    match: {\"source\": [\"a\"]}\n    interval: 1h\n    severity: high\n"), "heartbeats[0].severity:"},
		{"unknown team", one("    match: {\"source\": [\"a\"]}\n    interval: 1h\n    severity: sev2\n    team: ghost\n"), `heartbeats[0].team: "ghost" is not a team`},
		{"bad name", valid + "heartbeats:\n  - name: Bad Name\n    match: {\"source\": [\"a\"]}\n    interval: 1h\n    severity: sev2\n", `heartbeats[0].name: "Bad Name"`},
		{"duplicate", valid + "heartbeats:\n  - {name: a, match: {\"source\": [\"a\"]}, interval: 1h, severity: sev2}\n  - {name: a, match: {\"source\": [\"b\"]}, interval: 1h, severity: sev2}\n", `heartbeats[1].name: "a" is already the name of heartbeats[0]`},
		{"unknown key", one("    match: {\"source\": [\"a\"]}\n    interval: 1h\n    severity: sev2\n    intervall: 2h\n"), "intervall"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parse("f.yaml", tt.yaml)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse(%s) error = %v; want one mentioning %q", tt.name, err, tt.want)
			}
		})
	}
	_, err = parse("f.yaml", one("    interval: 1h\n    severity: sev2\n"))
	if err == nil || !strings.Contains(err.Error(), "f.yaml:") {
		t.Errorf("Parse error = %v; want it to name the file and line", err)
	}
}
