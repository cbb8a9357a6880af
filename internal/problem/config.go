package problem

import "github.com/firebreak-ops/firebreak/internal/config"

// Rules returns the recurrence rule of each class as the configuration says
// (defaults.problem, a class's problem; see config.ProblemRule).
func Rules(c *config.Config) func(class string) Rule {
	return func(class string) Rule {
		r := c.ProblemRuleFor(class)
		return Rule{Incidents: r.Incidents, Within: r.Within, Reopens: r.Reopens}
	}
}
