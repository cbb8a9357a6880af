package config

import (
	"fmt"
	"time"
)

// ProblemRule says when a recurring fingerprint becomes a problem: Incidents incidents
// of one fingerprint within Within, or one incident re-opened Reopens times. Zero
// fields take the defaults' (defaults.problem), then DefaultProblemRule's.
type ProblemRule struct {
	Incidents int       `yaml:"incidents"`
	Within    *Duration `yaml:"within"`
	Reopens   int       `yaml:"reopens"`
}

// MaxProblemCount bounds Incidents and Reopens: the recurrence item of a fingerprint
// keeps at most this many recent occurrences (package problem).
const MaxProblemCount = 32

// DefaultProblemRule: 3 incidents of one fingerprint in 7 days, or one incident
// re-opened 3 times.
var DefaultProblemRule = ResolvedProblemRule{Incidents: 3, Within: 7 * 24 * time.Hour, Reopens: 3}

// ResolvedProblemRule is a ProblemRule with every default applied.
type ResolvedProblemRule struct {
	Incidents int
	Within    time.Duration
	Reopens   int
}

// ProblemRuleFor is the rule of the class (a taxonomy class name; unknown: the defaults).
func (c *Config) ProblemRuleFor(class string) ResolvedProblemRule {
	r := DefaultProblemRule
	apply := func(p *ProblemRule) {
		if p == nil {
			return
		}
		if p.Incidents > 0 {
			r.Incidents = p.Incidents
		}
		if p.Within != nil && p.Within.Duration > 0 {
			r.Within = p.Within.Duration
		}
		if p.Reopens > 0 {
			r.Reopens = p.Reopens
		}
	}
	apply(c.Defaults.Problem)
	for _, cl := range c.Taxonomy {
		if cl != nil && cl.Class == class {
			apply(cl.Problem)
			break
		}
	}
	if c.Fallback != nil && c.Fallback.Class == class {
		apply(c.Fallback.Problem)
	}
	return r
}

// validateProblemRule checks one problem rule at key.
func validateProblemRule(key string, p *ProblemRule, bad func(key, format string, args ...any)) {
	if p == nil {
		return
	}
	for _, f := range []struct {
		name string
		v    int
	}{{"incidents", p.Incidents}, {"reopens", p.Reopens}} {
		if f.v < 0 || f.v > MaxProblemCount {
			bad(key+"."+f.name, "%d is out of range: 1 to %d (0 or absent: the default)", f.v, MaxProblemCount)
		}
	}
	if p.Within != nil && p.Within.Duration < 0 {
		bad(key+".within", "%s is negative", p.Within.Duration)
	}
	if p.Incidents == 1 {
		bad(key+".incidents", "1 would make every incident a problem; at least 2")
	}
}

// validateProblems checks the problem rules of the defaults and of every class.
func (c *Config) validateProblems(bad func(key, format string, args ...any)) {
	validateProblemRule("defaults.problem", c.Defaults.Problem, bad)
	for i, cl := range c.Taxonomy {
		if cl != nil {
			validateProblemRule(fmt.Sprintf("taxonomy[%d].problem", i), cl.Problem, bad)
		}
	}
	if c.Fallback != nil {
		validateProblemRule("fallback.problem", c.Fallback.Problem, bad)
	}
}
