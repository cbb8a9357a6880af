package config_test

import (
	"strings"
	"testing"
	"time"
)

// TestGroupingWait: grouping.wait is optional (0s: decided when seen), and is refused,
// naming the file, line, key and the clock it collides with, when it is not a duration,
// over the maximum, or not shorter than an objective or escalation tier it would outlast.
func TestGroupingWait(t *testing.T) {
	severities := `severities:
  sev1: {channels: [email], acknowledge_within: 5m, escalation: [{after: 10m, notify: [owner]}]}
  sev2: {channels: [email], escalation: [{after: 3m, notify: [owner]}]}
  sev3: {channels: [email]}
  sev4: {channels: []}
`
	base := strings.Replace(valid, valid[strings.Index(valid, "severities:"):], severities, 1)
	tests := []struct {
		wait string
		want time.Duration
		err  string // "" for none
	}{
		{"", 0, ""},
		{"wait: 0s", 0, ""},
		{"wait: 2m", 2 * time.Minute, ""},
		{"wait: -1m", 0, `c.yaml:24: grouping.wait: "-1m" is not a duration`},
		{"wait: 6m", 0, "grouping.wait: 6m is over 5m"},
		{"wait: 5m", 0, "c.yaml:24: grouping.wait: 5m is not shorter than severities.sev1.acknowledge_within (5m)"},
		{"wait: 3m", 0, "c.yaml:24: grouping.wait: 3m is not shorter than severities.sev2.escalation[0].after (3m)"},
	}
	for _, tt := range tests {
		t.Run(tt.wait, func(t *testing.T) {
			yaml := base + "grouping:\n  window: 15m\n  by: [account]\n"
			if tt.wait != "" {
				yaml += "  " + tt.wait + "\n"
			}
			cfg, err := parse("c.yaml", yaml)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("Parse(grouping %s) = %v; want an error containing %q", tt.wait, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(grouping %s) = %v", tt.wait, err)
			}
			if got := cfg.Grouping.Wait.Duration; got != tt.want {
				t.Errorf("Parse(grouping %s).Grouping.Wait = %s; want %s", tt.wait, got, tt.want)
			}
		})
	}
}
