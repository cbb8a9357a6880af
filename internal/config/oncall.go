package config

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/firebreak-ops/firebreak/internal/oncall"
	"github.com/firebreak-ops/firebreak/internal/strictyaml"
)

// Escalation is a named escalation plan: who is paged, tier after tier, while nobody
// acknowledges. Tiers name teams, contact:<id> and schedule:<name> (whoever is on call
// when the tier fires). Imported from Incident Manager and Opsgenie; paging follows the
// severities' escalation tiers, which name the same targets.
type Escalation struct {
	Description string `yaml:"description"`
	Tiers       []Tier `yaml:"tiers"`
}

// Target prefixes of escalation plans.
const (
	ContactPrefix  = "contact:"
	SchedulePrefix = "schedule:"
)

// reservedSchedules are words of `firebreak oncall` that cannot name a schedule.
var reservedSchedules = []string{"shifts", "ics", "override", "overrides", "list", "remove", "help"}

// Contact returns the contact with that id, or nil.
func (c *Config) Contact(id string) *oncall.Contact {
	for _, ct := range c.Contacts {
		if ct != nil && ct.ID == id {
			return ct
		}
	}
	return nil
}

// ScheduleNames returns the schedules' names, sorted.
func (c *Config) ScheduleNames() []string {
	names := make([]string, 0, len(c.Schedules))
	for n := range c.Schedules {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// validateOncall checks contacts, schedules, overrides and escalation plans, and sets
// Warnings to the schedules' gaps.
func (c *Config) validateOncall(doc *strictyaml.Doc) strictyaml.Errors {
	var errs strictyaml.Errors
	bad := func(key, format string, args ...any) { errs = append(errs, doc.Errorf(key, format, args...)) }
	warn := func(key, format string, args ...any) {
		c.Warnings = append(c.Warnings, doc.Errorf(key, format, args...))
	}

	ids := map[string]int{}
	for i, ct := range c.Contacts {
		key := fmt.Sprintf("contacts[%d]", i)
		if ct == nil {
			bad(key, "empty contact")
			continue
		}
		if !idRe().MatchString(ct.ID) {
			bad(key+".id", "%q must be lower-case letters, digits and dashes (at most 32)", ct.ID)
		}
		if prev, dup := ids[ct.ID]; dup {
			bad(key+".id", "%q already names contacts[%d]", ct.ID, prev)
		}
		ids[ct.ID] = i
		for j, m := range ct.Email {
			if !mailRe().MatchString(m) {
				bad(fmt.Sprintf("%s.email[%d]", key, j), "%q is not an e-mail address", m)
			}
		}
		for j, p := range ct.SMS {
			if !phoneRe().MatchString(p) {
				bad(fmt.Sprintf("%s.sms[%d]", key, j), "%q is not an E.164 phone number like +15555550100", p)
			}
		}
		if ct.TimeZone != "" {
			if _, err := time.LoadLocation(ct.TimeZone); err != nil || ct.TimeZone == "Local" {
				bad(key+".time_zone", "%q is not an IANA time zone like Europe/Berlin", ct.TimeZone)
			}
		}
		if len(ct.Email) == 0 && len(ct.SMS) == 0 {
			warn(key, "contact %q has no email or sms: a page cannot reach them", ct.ID)
		}
	}
	isContact := func(id string) bool { _, ok := ids[id]; return ok }

	for _, name := range c.ScheduleNames() {
		s := c.Schedules[name]
		key := "schedules." + name
		if !idRe().MatchString(name) {
			bad(key, "schedule name %q must be lower-case letters, digits and dashes", name)
		}
		if slices.Contains(reservedSchedules, name) {
			bad(key, "%q is a word of `firebreak oncall` (%s) and cannot name a schedule", name, strings.Join(reservedSchedules, ", "))
		}
		if s == nil {
			bad(key, "empty schedule")
			continue
		}
		if s.Team != "" && c.Teams[s.Team] == nil {
			bad(key+".team", "%q is not a team (teams: %s)", s.Team, strings.Join(c.TeamNames, ", "))
		}
		for _, p := range s.Compile(isContact) {
			bad(key+"."+p.Path, "%s", p.Msg)
		}
	}

	oids := map[string]int{}
	for i, o := range c.Overrides {
		key := fmt.Sprintf("overrides[%d]", i)
		if o.ID != "" {
			if prev, dup := oids[o.ID]; dup {
				bad(key+".id", "%q already names overrides[%d]", o.ID, prev)
			}
			oids[o.ID] = i
		}
		s := c.Schedules[o.Schedule]
		switch {
		case o.Schedule == "":
			bad(key+".schedule", "missing: the schedule the contact takes over")
		case s == nil:
			bad(key+".schedule", "%q is not a schedule (schedules: %s)", o.Schedule, strings.Join(c.ScheduleNames(), ", "))
		case o.Layer != "" && s.LayerNamed(o.Layer) == nil:
			bad(key+".layer", "%q is not a named layer of schedule %s", o.Layer, o.Schedule)
		}
		if !isContact(o.Contact) {
			bad(key+".contact", "%q is not a contact", o.Contact)
		}
		switch {
		case o.Start.IsZero():
			bad(key+".start", "missing: when the override begins (RFC 3339, e.g. 2026-12-24T09:00:00+01:00)")
		case o.End.IsZero():
			bad(key+".end", "missing: when the override ends")
		case !o.End.After(o.Start):
			bad(key+".end", "%s is not after start %s", o.End.Format(time.RFC3339), o.Start.Format(time.RFC3339))
		}
	}

	for name, e := range c.Escalations {
		key := "escalations." + name
		if !idRe().MatchString(name) {
			bad(key, "escalation name %q must be lower-case letters, digits and dashes", name)
		}
		if e == nil || len(e.Tiers) == 0 {
			bad(key+".tiers", "at least one tier is required")
			continue
		}
		for i, tier := range e.Tiers {
			tk := fmt.Sprintf("%s.tiers[%d]", key, i)
			if len(tier.Notify) == 0 {
				bad(tk+".notify", "missing: teams, contact:<id> or schedule:<name>")
			}
			for j, who := range tier.Notify {
				if msg := c.checkTarget(who, isContact); msg != "" {
					bad(fmt.Sprintf("%s.notify[%d]", tk, j), "%s", msg)
				}
			}
			if tier.Repeat < 0 || (tier.Repeat > 0 && tier.Every.Duration <= 0) {
				bad(tk+".every", "repeat %d needs every > 0", tier.Repeat)
			}
			if i > 0 && tier.After.Duration < e.Tiers[i-1].After.Duration {
				bad(tk+".after", "%s is before the previous tier's %s", tier.After.Duration, e.Tiers[i-1].After.Duration)
			}
		}
	}
	errs = append(errs, c.validateTeamOnCall(doc)...)
	if len(errs) > 0 {
		return errs
	}

	// Gaps: over one cycle of each schedule from its first start, overrides applied.
	for _, name := range c.ScheduleNames() {
		s := c.Schedules[name]
		from := s.Start()
		at, gap, err := oncall.FirstGap(name, s, c.Overrides, from, from.Add(s.Cycle()))
		switch {
		case err != nil:
			bad("schedules."+name, "%v", err)
		case gap:
			warn("schedules."+name, "nobody is on call from %s (the first gap; paging falls through to the team)", at.UTC().Format(time.RFC3339))
		}
	}
	return errs
}

// checkTarget returns what is wrong with an escalation target, or "".
func (c *Config) checkTarget(who string, isContact func(string) bool) string {
	switch {
	case strings.HasPrefix(who, ContactPrefix):
		if id := strings.TrimPrefix(who, ContactPrefix); !isContact(id) {
			return fmt.Sprintf("%q is not a contact", id)
		}
	case strings.HasPrefix(who, SchedulePrefix):
		if n := strings.TrimPrefix(who, SchedulePrefix); c.Schedules[n] == nil {
			return fmt.Sprintf("%q is not a schedule (schedules: %s)", n, strings.Join(c.ScheduleNames(), ", "))
		}
	case c.Teams[who] == nil:
		return fmt.Sprintf("%q is not a team, contact:<id> or schedule:<name> (teams: %s)", who, strings.Join(c.TeamNames, ", "))
	}
	return ""
}
