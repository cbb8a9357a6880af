package config

import (
	"sort"
	"time"
)

// MaxGroupingWait bounds grouping.wait: every page is held up to this long (plus the
// escalator's tick), so a longer wait would hold pages longer than any objective allows.
const MaxGroupingWait = 5 * time.Minute

// checkGroupingWait checks grouping.wait: not negative, at most MaxGroupingWait, and
// shorter than every escalation tier's after and acknowledge objective, so that no
// clock step of an incident is due while its opening is still held (the escalator
// decides a held opening before it runs the incident's clocks).
func (c *Config) checkGroupingWait(p *problems) {
	w := c.Grouping.Wait.Duration
	switch {
	case w < 0:
		p.add("grouping.wait", "must not be negative")
		return
	case w == 0:
		return
	case w > MaxGroupingWait:
		p.add("grouping.wait", "%s is over %s: every page is held this long", Short(w), Short(MaxGroupingWait))
		return
	}
	names := make([]string, 0, len(c.Severities))
	for name := range c.Severities {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		s := c.Severities[name]
		if s == nil {
			continue
		}
		if a := s.AcknowledgeWithin.Duration; a > 0 && a <= w {
			p.add("grouping.wait", "%s is not shorter than severities.%s.acknowledge_within (%s): the objective would be missed while the page is held", Short(w), name, Short(a))
		}
		for i, t := range s.Escalation {
			if t.After.Duration <= w {
				p.add("grouping.wait", "%s is not shorter than severities.%s.escalation[%d].after (%s): the tier would be told before the page", Short(w), name, i, Short(t.After.Duration))
			}
		}
	}
}
