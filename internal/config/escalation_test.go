package config_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/firebreak-ops/firebreak/internal/config"
)

func TestEscalationRepeatHasAMaximum(t *testing.T) {
	policy := func(repeat int) string {
		return strings.Replace(valid, "  sev1: {channels: [email, sms], acknowledge_within: 5m, update_every: 30m, resolve_within: 4h}\n",
			"  sev1:\n    channels: [email]\n    escalation:\n      - {after: 5m, notify: [owner]}\n      - {after: 10m, notify: [owner]}\n"+
				fmt.Sprintf("      - {after: 15m, notify: [owner], every: 1m, repeat: %d}\n", repeat), 1)
	}
	tests := []struct {
		name   string
		repeat int
		want   string // "" for no error
	}{
		{"the maximum", config.MaxEscalationRepeat, ""},
		{"one over", config.MaxEscalationRepeat + 1,
			fmt.Sprintf("firebreak.yaml:22: severities.sev1.escalation[2].repeat: %d is over the maximum of %d", config.MaxEscalationRepeat+1, config.MaxEscalationRepeat)},
		{"huge", 1_000_000_000, "severities.sev1.escalation[2].repeat: 1000000000 is over the maximum"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parse("firebreak.yaml", policy(tt.repeat))
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("Parse(repeat %d) = %v; want no error", tt.repeat, err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("Parse(repeat %d) = %v; want an error containing %q", tt.repeat, err, tt.want)
			}
		})
	}
}
