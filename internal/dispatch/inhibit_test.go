package dispatch_test

import (
	"testing"

	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/dispatch"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/silence"
)

// The inhibition query asks the store only for the classes the rules' sources select.
func TestInhibitorCandidatesClassPrefix(t *testing.T) {
	rule := func(class string) config.InhibitRule {
		return config.InhibitRule{Name: class, Source: silence.Matchers{Class: class}, Target: silence.Matchers{Team: "web"}}
	}
	tests := []struct {
		name  string
		rules []config.InhibitRule
		want  string
	}{
		{"exact class", []config.InhibitRule{rule("health.issue")}, "health.issue"},
		{"wildcard", []config.InhibitRule{rule("ops.region-*")}, "ops.region-"},
		{"question mark", []config.InhibitRule{rule("health.issu?")}, "health.issu"},
		{"character class", []config.InhibitRule{rule("health.[ie]ssue")}, "health."},
		{"escape", []config.InhibitRule{rule(`health\.issue`)}, "health"},
		{"any class", []config.InhibitRule{rule("")}, ""},
		{"two rules share a prefix", []config.InhibitRule{rule("health.issue"), rule("health.scheduled")}, "health."},
		{"two rules share nothing", []config.InhibitRule{rule("health.issue"), rule("ops.*")}, ""},
		{"a rule for any class", []config.InhibitRule{rule("health.issue"), rule("")}, ""},
	}
	inc := incident.Incident{ID: "FB-T", Team: "web", Severity: incident.Sev3}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := dispatch.Inhibitor{Rules: tt.rules}
			f, ok := in.Candidates(inc, in.Targeting(inc))
			if !ok || f.ClassPrefix != tt.want {
				t.Errorf("Candidates(%s).ClassPrefix = %q (ok %v); want %q", tt.name, f.ClassPrefix, ok, tt.want)
			}
		})
	}
}
