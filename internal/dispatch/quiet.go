package dispatch

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/silence"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// QuietStore is what silences, inhibition and grouping need of the store.
type QuietStore interface {
	List(ctx context.Context, f store.Filter) ([]incident.Incident, error)
	Silences(ctx context.Context) ([]silence.Silence, error)
	Change(ctx context.Context, c store.Change) (bool, error)
	Timeline(ctx context.Context, id string) ([]incident.Entry, error)
}

var activeStatuses = []incident.Status{incident.Open, incident.Acknowledged, incident.Mitigated}

// Quiet is why a new incident does not page.
type Quiet struct {
	Reason incident.Kind // KindSilenced, KindInhibited, KindGrouped
	By     string        // the silence id or the parent incident
	Detail string
}

// quiet decides whether a newly opened incident pages: a silence keeps it quiet (and
// stops its runbook); an inhibiting or grouping parent takes its page. The decision is
// recorded on the incident (and the parent's timeline) once.
func (d *Dispatcher) quiet(ctx context.Context, inc incident.Incident, at time.Time) (*Quiet, error) {
	if inc.SilencedBy != "" {
		return &Quiet{Reason: incident.KindSilenced, By: inc.SilencedBy}, nil
	}
	if inc.Parent != "" {
		return &Quiet{Reason: incident.Kind(inc.ParentReason), By: inc.Parent}, nil
	}
	silences := append([]silence.Silence(nil), d.Config.Silences...)
	stored, err := d.Quiet.Silences(ctx)
	if err != nil {
		return nil, err
	}
	silences = append(silences, stored...)
	if s, ok := silence.Find(silences, inc, inc.Tags, at); ok {
		q := &Quiet{Reason: incident.KindSilenced, By: s.ID, Detail: fmt.Sprintf("Silenced by %s (%s): recorded, nobody paged, no runbook.", s.ID, s.Comment)}
		_, err := d.Quiet.Change(ctx, store.Change{Incident: inc.ID, SilencedBy: s.ID, At: at,
			Entry: incident.Entry{Incident: inc.ID, At: at.Add(1), Kind: incident.KindSilenced, Actor: "firebreak", Key: "quiet:" + inc.ID,
				Detail: q.Detail, Data: map[string]string{"silence": s.ID}}})
		return q, err
	}
	// Only candidates are fetched, never every active incident: inhibition looks at the
	// more severe active incidents, and only when a rule targets this one; grouping at
	// the active incidents opened within its window.
	var rules []config.InhibitRule
	for _, r := range d.Config.Inhibit {
		if (silence.Silence{Matchers: r.Target}).Matches(inc, inc.Tags) {
			rules = append(rules, r)
		}
	}
	if more := moreSevere(inc.Severity); len(rules) > 0 && len(more) > 0 {
		f := store.Filter{Status: activeStatuses, Severities: more}
		if len(rules) == 1 {
			narrow(&f, rules[0].Equal, inc)
		}
		sources, err := d.Quiet.List(ctx, f)
		if err != nil {
			return nil, err
		}
		sortOpened(sources)
		for _, r := range rules {
			for _, src := range sources {
				if src.ID == inc.ID || src.Parent != "" || src.Severity.Rank() >= inc.Severity.Rank() ||
					src.OpenedAt.After(inc.OpenedAt) || // a source that opened later (in event time) was not active when inc opened
					!(silence.Silence{Matchers: r.Source}).Matches(src, src.Tags) || !same(r.Equal, src, inc) {
					continue
				}
				q := &Quiet{Reason: incident.KindInhibited, By: src.ID, Detail: fmt.Sprintf("Inhibited by %s (%s, rule %s): attached to it, not paged.", src.ID, src.Severity, r.Name)}
				return q, d.attach(ctx, inc, src, q, at)
			}
		}
	}
	if g := d.Config.Grouping; g != nil {
		f := store.Filter{Status: activeStatuses, OpenedSince: inc.OpenedAt.Add(-g.Window.Duration)}
		narrow(&f, g.By, inc)
		near, err := d.Quiet.List(ctx, f)
		if err != nil {
			return nil, err
		}
		sortOpened(near)
		for _, parent := range near {
			if parent.ID == inc.ID || parent.Parent != "" || parent.OpenedAt.After(inc.OpenedAt) ||
				inc.OpenedAt.Sub(parent.OpenedAt) > g.Window.Duration || !same(g.By, parent, inc) {
				continue
			}
			q := &Quiet{Reason: incident.KindGrouped, By: parent.ID, Detail: fmt.Sprintf("Grouped under %s (same %s within %s): one page for the group.",
				parent.ID, strings.Join(g.By, ", "), g.Window.Duration)}
			if err := d.attach(ctx, inc, parent, q, at); err != nil {
				return nil, err
			}
			if inc.Severity.Rank() < parent.Severity.Rank() { // the group is as severe as its worst member
				_, err := d.Quiet.Change(ctx, store.Change{Incident: parent.ID, Severity: inc.Severity, RaiseOnly: true, At: at.Add(2),
					Entry: incident.Entry{At: at.Add(2), Kind: incident.KindSeverityRaised, Actor: "firebreak", Key: "group-raise:" + inc.ID,
						Data:   map[string]string{"child": inc.ID, "from": string(parent.Severity), "to": string(inc.Severity)},
						Detail: fmt.Sprintf("Severity raised %s → %s: %s joined the group.", parent.Severity, inc.Severity, inc.ID)}})
				if err != nil {
					return nil, err
				}
			}
			return q, nil
		}
	}
	return nil, nil
}

// narrow makes f ask only for incidents that share inc's account, region and team when
// fields requires them to.
func narrow(f *store.Filter, fields []string, inc incident.Incident) {
	for _, name := range fields {
		switch name {
		case "account":
			f.Account = inc.Account
		case "region":
			f.Region = inc.Region
		case "team":
			f.Team = inc.Team
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

// sortOpened orders incidents by opening, oldest first (ties by id): the first match wins.
func sortOpened(incs []incident.Incident) {
	sort.Slice(incs, func(i, j int) bool {
		if !incs[i].OpenedAt.Equal(incs[j].OpenedAt) {
			return incs[i].OpenedAt.Before(incs[j].OpenedAt)
		}
		return incs[i].ID < incs[j].ID
	})
}

func (d *Dispatcher) attach(ctx context.Context, child, parent incident.Incident, q *Quiet, at time.Time) error {
	if _, err := d.Quiet.Change(ctx, store.Change{Incident: child.ID, Parent: parent.ID, ParentReason: string(q.Reason), At: at,
		Entry: incident.Entry{Incident: child.ID, At: at.Add(1), Kind: q.Reason, Actor: "firebreak", Key: "quiet:" + child.ID,
			Detail: q.Detail, Data: map[string]string{"parent": parent.ID}}}); err != nil {
		return err
	}
	return d.Store.AddEntries(ctx, incident.Entry{Incident: parent.ID, At: at.Add(1), Kind: incident.ChildKind(q.Reason), Actor: "firebreak",
		Key: "child:" + child.ID, Detail: fmt.Sprintf("%s %s: %s (%s)", child.ID, q.Reason, child.Title, child.Severity),
		Data: map[string]string{"child": child.ID}})
}

// same reports whether two incidents agree on every field.
func same(fields []string, a, b incident.Incident) bool {
	for _, f := range fields {
		if Field(a, f) != Field(b, f) {
			return false
		}
	}
	return true
}

// Field is an incident's value for a grouping or inhibition field.
func Field(inc incident.Incident, f string) string {
	switch f {
	case "account":
		return inc.Account
	case "region":
		return inc.Region
	case "team":
		return inc.Team
	case "class":
		return inc.Class
	case "resource":
		return inc.Resource
	case "source":
		return inc.Source
	case "actor":
		return inc.Actor
	case "resource_prefix":
		if i := strings.LastIndexAny(inc.Resource, "/:"); i > 0 {
			return inc.Resource[:i]
		}
		return inc.Resource
	}
	if name, ok := strings.CutPrefix(f, "attr:"); ok {
		return inc.Attrs[name]
	}
	return ""
}

// paged reports whether anyone was told about the incident.
func (d *Dispatcher) paged(ctx context.Context, id string) (bool, error) {
	tl, err := d.Quiet.Timeline(ctx, id)
	if err != nil {
		return false, err
	}
	for _, e := range tl {
		if e.Kind == incident.KindNotified {
			return true, nil
		}
	}
	return false, nil
}
