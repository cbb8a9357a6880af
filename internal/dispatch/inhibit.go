package dispatch

import (
	"strconv"
	"strings"

	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// Inhibitor applies the inhibit rules, as Alertmanager's inhibitor does: while a more
// severe active incident matching a rule's Source is active, a new incident matching its
// Target that shares the rule's Equal fields attaches to it instead of paging.
type Inhibitor struct {
	Rules []config.InhibitRule
}

// Targeting lists the rules whose Target selects inc: only they can inhibit it.
func (in Inhibitor) Targeting(inc incident.Incident) []config.InhibitRule {
	var out []config.InhibitRule
	for _, r := range in.Rules {
		if r.Target.Match(inc) {
			out = append(out, r)
		}
	}
	return out
}

// Candidates is the query for the incidents that may inhibit inc under rules: the active
// ones more severe than it of the rules' source classes (sharing the rule's account,
// region and team when one rule applies). ok is false when none can: no rule applies or nothing outranks inc.
func (in Inhibitor) Candidates(inc incident.Incident, rules []config.InhibitRule) (f store.Filter, ok bool) {
	more := moreSevere(inc.Severity)
	if len(rules) == 0 || len(more) == 0 {
		return store.Filter{}, false
	}
	f = store.Filter{Status: incident.ActiveStatuses, Severities: more, ClassPrefix: sourcePrefix(rules), Sources: true}
	if len(rules) == 1 {
		narrow(&f, rules[0].Equal, inc)
	}
	return f, true
}

// sourcePrefix is what the class of every incident the rules' sources select begins
// with: the longest common prefix of their class patterns up to each one's first
// wildcard ("" when a rule's source selects any class). The store is asked for those
// classes only: the GuardDuty findings a day leaves open are never walked to find the
// health issue that inhibits an alarm.
func sourcePrefix(rules []config.InhibitRule) string {
	var prefix string
	for i, r := range rules {
		p := r.Source.Class
		if j := strings.IndexAny(p, `*?[\`); j >= 0 {
			p = p[:j]
		}
		if i == 0 {
			prefix = p
			continue
		}
		n := 0
		for n < len(prefix) && n < len(p) && prefix[n] == p[n] {
			n++
		}
		prefix = prefix[:n]
	}
	return prefix
}

// Source is the incident among sources (oldest first) that inhibits inc, and the rule
// by which it does.
func (in Inhibitor) Source(inc incident.Incident, rules []config.InhibitRule, sources []incident.Incident) (incident.Incident, config.InhibitRule, bool) {
	for _, r := range rules {
		for _, src := range sources {
			if src.ID == inc.ID || src.Parent != "" || src.Severity.Rank() >= inc.Severity.Rank() ||
				src.OpenedAt.After(inc.OpenedAt) || // a source that opened later (in event time) was not active when inc opened
				!r.Source.Match(src) || Key(r.Equal, src) != Key(r.Equal, inc) {
				continue
			}
			return src, r, true
		}
	}
	return incident.Incident{}, config.InhibitRule{}, false
}

// Key is the incidents' values of fields, in order: incidents with equal keys agree on
// every field (the group key of grouping, the equal fields of inhibition).
func Key(fields []string, inc incident.Incident) string {
	var b strings.Builder
	for i, f := range fields {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(f)
		b.WriteByte('=')
		b.WriteString(strconv.Quote(inc.Field(f)))
	}
	return b.String()
}

// narrow makes f ask only for incidents that share inc's account, region, team, client
// and environment when
// fields requires them to.
func narrow(f *store.Filter, fields []string, inc incident.Incident) {
	for _, name := range fields {
		switch name {
		case incident.FieldAccount:
			f.Account = inc.Account
		case incident.FieldRegion:
			f.Region = inc.Region
		case incident.FieldTeam:
			f.Team = inc.Team
		case incident.FieldClient: // "" (unlisted) asks for any: Key tells them apart
			f.Client = inc.Client
		case incident.FieldEnvironment:
			f.Environment = inc.Environment
		}
	}
}

// moreSevere lists the severities that outrank s.
func moreSevere(s incident.Severity) []incident.Severity {
	var out []incident.Severity
	for _, v := range incident.Severities {
		if v.Rank() < s.Rank() {
			out = append(out, v)
		}
	}
	return out
}
