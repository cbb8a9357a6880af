package config_test

import (
	"testing"

	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/silence"
)

// InhibitSource decides which incidents the DynamoDB store indexes as inhibit sources:
// a class any rule's source could select, by its class pattern alone.
func TestInhibitSource(t *testing.T) {
	rules := func(classes ...string) *config.Config {
		c := &config.Config{}
		for _, class := range classes {
			c.Inhibit = append(c.Inhibit, config.InhibitRule{Name: "r", Source: silence.Matchers{Class: class, Team: "db"}})
		}
		return c
	}
	tests := []struct {
		cfg   *config.Config
		class string
		want  bool
	}{
		{rules(), "health.issue", false},
		{rules("health.issue"), "health.issue", true},
		{rules("health.issue"), "health.issues", false},
		{rules("health.issue"), "ops.alarm", false},
		{rules("ops.*"), "ops.alarm-prod", true},
		{rules("health.issue", "security.*"), "security.guardduty", true},
		{rules(""), "anything.at-all", true}, // a source of any class: every incident may inhibit
	}
	for _, tt := range tests {
		if got := tt.cfg.InhibitSource(tt.class); got != tt.want {
			t.Errorf("InhibitSource(%q) with source classes %v = %v; want %v", tt.class, tt.cfg.Inhibit, got, tt.want)
		}
	}
}
