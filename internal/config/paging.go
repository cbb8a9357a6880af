package config

import (
	"fmt"
	"strings"

	"github.com/firebreak-ops/firebreak/internal/strictyaml"
)

// isContact reports whether id names a contact.
func (c *Config) isContact(id string) bool { return c.Contact(id) != nil }

// validateTeamOnCall checks the teams' oncall targets: each is schedule:<name> or
// contact:<id> (a team pages people, not other teams), named once.
func (c *Config) validateTeamOnCall(doc *strictyaml.Doc) strictyaml.Errors {
	var errs strictyaml.Errors
	for _, name := range c.TeamNames {
		t := c.Teams[name]
		if t == nil {
			continue
		}
		seen := map[string]bool{}
		for i, who := range t.OnCall {
			key := fmt.Sprintf("teams.%s.oncall[%d]", name, i)
			switch {
			case !strings.HasPrefix(who, SchedulePrefix) && !strings.HasPrefix(who, ContactPrefix):
				errs = append(errs, doc.Errorf(key, "%q is not schedule:<name> or contact:<id> (a team's oncall names people, not teams)", who))
			case seen[who]:
				errs = append(errs, doc.Errorf(key, "%q is named twice", who))
			default:
				if msg := c.checkTarget(who, c.isContact); msg != "" {
					errs = append(errs, doc.Errorf(key, "%s", msg))
				}
			}
			seen[who] = true
		}
	}
	return errs
}
