package config

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/strictyaml"
)

// Communication is the communication plan (docs/communication.md): the audiences told
// about incidents besides the responders (stakeholders, executives, customers, …), each
// with its own SNS topic and subscriptions, and per severity which audiences hear of an
// incident and how often each must be given an update.
type Communication struct {
	// Audiences by name (lower-case letters, digits and dashes).
	Audiences map[string]*Audience `yaml:"audiences"`
	// Severities maps a severity to the audiences told of its incidents and each
	// audience's update cadence, e.g. sev1: {stakeholders: {every: 30m}}.
	Severities map[string]map[string]*Cadence `yaml:"severities"`

	// AudienceNames is the audiences' names, sorted (derived).
	AudienceNames []string `yaml:"-"`
}

// Audience is a group of people who follow incidents without working them.
type Audience struct {
	Name  string   `yaml:"name"`  // display name, e.g. Business stakeholders
	Email []string `yaml:"email"` // e-mail subscriptions of the audience's topic
	SMS   []string `yaml:"sms"`   // E.164 phone numbers
}

// Cadence is how often an audience must be given an update on an incident of a
// severity: an update is due Every after the last one posted to it (or after the first
// notice); the incident's commander is reminded then, and the update is recorded as
// missed when Grace more passes without one (default: Grace is Every).
type Cadence struct {
	Every Duration  `yaml:"every"`
	Grace *Duration `yaml:"grace"`
}

// GraceOrDefault is how long after an update is due it is recorded as missed.
func (c *Cadence) GraceOrDefault() time.Duration {
	if c.Grace != nil {
		return c.Grace.Duration
	}
	return c.Every.Duration
}

// AudiencePrefix names an audience's topic among the notifier's targets
// ("audience:stakeholders"), as ContactPrefix names a person's.
const AudiencePrefix = "audience:"

// AudienceTarget is the notifier target of an audience's topic.
func AudienceTarget(name string) string { return AudiencePrefix + name }

// AudienceCadence is one audience of a severity's plan.
type AudienceCadence struct {
	Audience string
	Cadence  *Cadence
}

// AudiencesFor lists the audiences told of incidents of sev, by name, with their
// cadence (nil: none; no communication section: none).
func (c *Config) AudiencesFor(sev incident.Severity) []AudienceCadence {
	if c.Communication == nil {
		return nil
	}
	plan := c.Communication.Severities[string(sev)]
	names := make([]string, 0, len(plan))
	for name, cad := range plan {
		if cad != nil {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	out := make([]AudienceCadence, 0, len(names))
	for _, name := range names {
		out = append(out, AudienceCadence{Audience: name, Cadence: plan[name]})
	}
	return out
}

// Audience returns the named audience (nil: none is configured).
func (c *Config) Audience(name string) *Audience {
	if c.Communication == nil {
		return nil
	}
	return c.Communication.Audiences[name]
}

// validateCommunication checks the communication section: audience names and contacts,
// and that every severity's plan names known severities and audiences with a cadence.
func (c *Config) validateCommunication(doc *strictyaml.Doc) strictyaml.Errors {
	cm := c.Communication
	if cm == nil {
		return nil
	}
	p := problems{doc: doc}
	cm.AudienceNames = nil
	for name, a := range cm.Audiences {
		key := "communication.audiences." + name
		if !idRe().MatchString(name) {
			p.add(key, "audience name %q must be lower-case letters, digits and dashes (at most 32, starting with a letter)", name)
		}
		if a == nil {
			p.add(key, "empty audience: give it a name and e-mail or sms subscriptions")
			continue
		}
		checkContacts(&p, key, a.Email, a.SMS)
		cm.AudienceNames = append(cm.AudienceNames, name)
	}
	sort.Strings(cm.AudienceNames)
	for sev, plan := range cm.Severities {
		key := "communication.severities." + sev
		s, err := incident.ParseSeverity(sev)
		switch {
		case err != nil:
			p.add(key, "%v", err)
			continue
		case s == incident.Info:
			p.add(key, "info incidents are recorded, never announced: plan sev1..sev4 only")
			continue
		}
		for name, cad := range plan {
			akey := key + "." + name
			if cm.Audiences[name] == nil {
				p.add(akey, "%q is not an audience (communication.audiences: %s)", name, strings.Join(cm.AudienceNames, ", "))
			}
			if cad == nil {
				p.add(akey, "missing cadence: want {every: 30m}")
				continue
			}
			if cad.Every.Duration < time.Minute {
				p.add(akey+".every", "must be at least 1m: how often the audience is given an update, e.g. 30m")
			}
			if cad.Grace != nil && cad.Grace.Duration <= 0 {
				p.add(akey+".grace", "must be more than 0s (leave it out for the default: one cadence step)")
			}
		}
	}
	return p.errs
}

// Describe is the cadence as messages write it: "every 30m (missed after 1h)".
func (c *Cadence) Describe() string {
	return fmt.Sprintf("every %s (missed after %s)", Short(c.Every.Duration), Short(c.Every.Duration+c.GraceOrDefault()))
}
