package config

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/pattern"
	"github.com/firebreak-ops/firebreak/internal/strictyaml"
)

// Heartbeat is a source that must keep speaking (package heartbeat): an event matching
// Match is a beat; no beat for Interval + Grace after the last one opens a
// heartbeat.missed incident of Severity for Team, and the next beat mitigates it.
type Heartbeat struct {
	Name string `yaml:"name"`
	// Match is an EventBridge pattern over the raw event, as a taxonomy class's match,
	// e.g. a nightly job's success event, or {"source": ["aws.backup"], "account": ["…"]}
	// for any event of a source in an account.
	Match    map[string]any `yaml:"match"`
	Interval Duration       `yaml:"interval"` // a beat is expected this often
	Grace    *Duration      `yaml:"grace"`    // and may be this late (default 0s)
	Severity string         `yaml:"severity"` // of the missed incident, sev1..sev4
	Team     string         `yaml:"team"`     // who owns the missed incident (default defaults.team)
	// Description says what the heartbeat stands for, on the incident (optional).
	Description string `yaml:"description"`

	// Compiled forms (derived).
	Pattern json.RawMessage   `yaml:"-"`
	Sev     incident.Severity `yaml:"-"`
}

// Silence is how long after a beat the next is missed: Interval + Grace.
func (h *Heartbeat) Silence() time.Duration {
	d := h.Interval.Duration
	if h.Grace != nil {
		d += h.Grace.Duration
	}
	return d
}

// HeartbeatClass is the class of the incidents a missed heartbeat opens.
const HeartbeatClass = "heartbeat.missed"

var heartbeatNameRe = lazyRegexp(`^[a-z0-9][a-z0-9._-]{0,62}$`)

// Heartbeat returns the heartbeat named name (nil: none).
func (c *Config) Heartbeat(name string) *Heartbeat {
	for _, h := range c.Heartbeats {
		if h != nil && h.Name == name {
			return h
		}
	}
	return nil
}

// validateHeartbeats checks the heartbeats section and compiles each pattern and severity.
func (c *Config) validateHeartbeats(doc *strictyaml.Doc) strictyaml.Errors {
	var errs strictyaml.Errors
	bad := func(key, format string, args ...any) { errs = append(errs, doc.Errorf(key, format, args...)) }
	seen := map[string]int{}
	for i, h := range c.Heartbeats {
		key := fmt.Sprintf("heartbeats[%d]", i)
		if h == nil {
			bad(key, "empty: a heartbeat needs name, match, interval and severity")
			continue
		}
		switch first, dup := seen[h.Name]; {
		case !heartbeatNameRe().MatchString(h.Name):
			bad(key+".name", "%q must be lower-case letters, digits, '.', '_' or '-' (at most 63)", h.Name)
		case dup:
			bad(key+".name", "%q is already the name of heartbeats[%d]", h.Name, first)
		default:
			seen[h.Name] = i
		}
		if len(h.Match) == 0 {
			bad(key+".match", "missing: an EventBridge pattern saying which events are beats")
		} else if pat, err := pattern.Validate(h.Match); err != nil {
			bad(key+".match", "%v", err)
		} else {
			h.Pattern = pat
		}
		if h.Interval.Duration <= 0 {
			bad(key+".interval", "must be more than 0s: how often a beat is expected, e.g. 1h")
		}
		sev, err := incident.ParseSeverity(h.Severity)
		switch {
		case err != nil:
			bad(key+".severity", "%v", err)
		case sev == incident.Info:
			bad(key+".severity", "info never pages: a missed heartbeat is sev1..sev4")
		}
		h.Sev = sev
		if h.Team == "" {
			h.Team = c.Defaults.Team
		}
		if c.Teams[h.Team] == nil {
			bad(key+".team", "%q is not a team (teams: %s)", h.Team, strings.Join(c.TeamNames, ", "))
		}
	}
	return errs
}
