package config

import (
	"fmt"
	"sort"

	"github.com/firebreak-ops/firebreak/internal/strictyaml"
)

// MaxEscalationRepeat is the most further notices one escalation tier may send
// (severities.<sev>.escalation[i].repeat). Each is a page to people: a tier that needs
// more is a tier whose people are not answering, and the next tier should be told.
const MaxEscalationRepeat = 100

// validateEscalationRepeat checks every tier's repeat against MaxEscalationRepeat.
func (c *Config) validateEscalationRepeat(doc *strictyaml.Doc) strictyaml.Errors {
	var errs strictyaml.Errors
	names := make([]string, 0, len(c.Severities))
	for name := range c.Severities {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		p := c.Severities[name]
		if p == nil {
			continue
		}
		for i, tier := range p.Escalation {
			if tier.Repeat > MaxEscalationRepeat {
				key := fmt.Sprintf("severities.%s.escalation[%d].repeat", name, i)
				errs = append(errs, doc.Errorf(key, "%d is over the maximum of %d further notices per tier (add a tier instead)", tier.Repeat, MaxEscalationRepeat))
			}
		}
	}
	return errs
}
