package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/config"
)

func TestProblemRules(t *testing.T) {
	withRules := strings.Replace(strings.Replace(valid, "  team: platform\n", "  team: platform\n  problem: {within: 48h, reopens: 5}\n", 1),
		"    runbook: fix\n", "    runbook: fix\n    problem: {incidents: 2}\n", 1)
	cfg, err := parse("firebreak.yaml", withRules)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		class string
		want  config.ResolvedProblemRule
	}{
		{"ops.alarm", config.ResolvedProblemRule{Incidents: 2, Within: 48 * time.Hour, Reopens: 5}},
		{"unknown.class", config.ResolvedProblemRule{Incidents: 3, Within: 48 * time.Hour, Reopens: 5}},
	}
	for _, tt := range tests {
		if got := cfg.ProblemRuleFor(tt.class); got != tt.want {
			t.Errorf("ProblemRuleFor(%q) = %+v; want %+v", tt.class, got, tt.want)
		}
	}
	plain, err := parse("firebreak.yaml", valid)
	if err != nil {
		t.Fatal(err)
	}
	if got := plain.ProblemRuleFor("ops.alarm"); got != config.DefaultProblemRule {
		t.Errorf("ProblemRuleFor(no rules) = %+v; want the default %+v", got, config.DefaultProblemRule)
	}
	bad := []struct{ rule, want string }{
		{"{incidents: 99}", "taxonomy[0].problem.incidents"},
		{"{incidents: 1}", "at least 2"},
		{"{reopens: -1}", "taxonomy[0].problem.reopens"},
		{"{within: -1h}", "taxonomy[0].problem.within"},
		{"{colour: red}", "colour"},
	}
	for _, tt := range bad {
		yaml := strings.Replace(valid, "    runbook: fix\n", "    runbook: fix\n    problem: "+tt.rule+"\n", 1)
		if _, err := parse("firebreak.yaml", yaml); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("parse(problem: %s) = %v; want an error naming %q", tt.rule, err, tt.want)
		}
	}
}
