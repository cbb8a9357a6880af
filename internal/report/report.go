// Package report measures event handling over a period: incidents counted, times to
// acknowledge, mitigate and resolve (mean, p50, p90) against the objectives, breaches,
// problems opened and resolved, the noisiest fingerprints and the classes that recur with
// no runbook. `firebreak report` prints it (over the API or a local serve), replay
// summarises it, and the per-incident measures are the ones dispatch emits as metrics
// (package response): one definition.
//
// Sections other packages own (actions done on time, reviews overdue) join a report
// through Contributor, without this package knowing them.
package report

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/problem"
	"github.com/firebreak-ops/firebreak/internal/response"
)

// Dimensions a report can be broken down by.
const (
	BySeverity = "severity"
	ByTeam     = "team"
	ByClass    = "class"
	ByAccount  = "account"
	// ByClient and ByEnvironment group by what the account directory says of the
	// incident's account (internal/accounts); accounts it does not list are Unlisted.
	ByClient      = "client"
	ByEnvironment = "environment"
)

// Dimensions lists them.
var Dimensions = []string{BySeverity, ByTeam, ByClass, ByAccount, ByClient, ByEnvironment}

// Unlisted is the client and environment of incidents of accounts the directory does
// not list.
const Unlisted = "(unlisted)"

// ParseBy accepts a dimension name ("" : severity).
func ParseBy(s string) (string, error) {
	if s == "" {
		return BySeverity, nil
	}
	if slices.Contains(Dimensions, s) {
		return s, nil
	}
	return "", fmt.Errorf("--by %q is not one of %s", s, strings.Join(Dimensions, ", "))
}

// Durations summarises durations in seconds over the incidents that reached a state.
type Durations struct {
	N    int     `json:"n"`
	Mean float64 `json:"mean_seconds"`
	P50  float64 `json:"p50_seconds"`
	P90  float64 `json:"p90_seconds"`
}

// Summarise computes mean and nearest-rank percentiles of ds.
func Summarise(ds []time.Duration) Durations {
	if len(ds) == 0 {
		return Durations{}
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	var sum float64
	for _, d := range s {
		sum += d.Seconds()
	}
	rank := func(p float64) float64 {
		i := int(math.Ceil(p*float64(len(s)))) - 1
		return s[max(0, min(i, len(s)-1))].Seconds()
	}
	return Durations{N: len(s), Mean: sum / float64(len(s)), P50: rank(0.5), P90: rank(0.9)}
}

// Group is the measures of the incidents sharing one value of the dimension.
type Group struct {
	Key       string    `json:"key"`
	Incidents int       `json:"incidents"`
	Active    int       `json:"active"`
	MTTA      Durations `json:"mtta"`
	MTTM      Durations `json:"mttm"`
	MTTR      Durations `json:"mttr"`
	Met       int       `json:"objectives_met"`
	Breaches  int       `json:"breaches"`
}

// Fingerprint is one of the noisiest fingerprints: most incidents in the period.
type Fingerprint struct {
	Fingerprint string `json:"fingerprint"`
	Class       string `json:"class"`
	Incidents   int    `json:"incidents"`
	Events      int    `json:"events"`
}

// Report is the whole report.
type Report struct {
	Since            time.Time     `json:"since"`
	Until            time.Time     `json:"until"`
	By               string        `json:"by"`
	Total            Group         `json:"total"`
	Groups           []Group       `json:"groups"`
	ProblemsOpened   int           `json:"problems_opened"`
	ProblemsResolved int           `json:"problems_resolved"`
	ProblemsOpen     int           `json:"problems_open"`
	Noisiest         []Fingerprint `json:"noisiest_fingerprints"`
	// NoRunbook are classes with incidents in the period and no runbook configured.
	NoRunbook []string `json:"classes_without_runbook"`
	// Sections are the contributors' parts, by name (see Contributor).
	Sections map[string]any `json:"sections,omitempty"`
}

// Contributor adds a named section to a report: the extension point for measures other
// packages own (tracked actions done on time, reviews overdue). It is given the period.
type Contributor interface {
	Section(ctx context.Context, since, until time.Time) (name string, value any, err error)
}

// MaxNoisiest is how many fingerprints a report lists.
const MaxNoisiest = 10

// Input is what a report is built from: the incidents opened in the period, the
// problems opened or resolved in it, and how many problems are open now.
type Input struct {
	Since, Until time.Time
	By           string
	Incidents    []incident.Incident
	// Each, when set, walks further incidents one at a time, so that a report over
	// millions of them (a replay's) folds them as they come instead of holding a list.
	Each         func(yield func(incident.Incident) error) error
	Opened       []problem.Problem // problems opened in the period
	Resolved     []problem.Problem // problems resolved in the period
	OpenProblems int
	Config       *config.Config
	Contributors []Contributor
}

// Build builds the report. Measures are taken as of Until.
func Build(ctx context.Context, in Input) (Report, error) {
	by, err := ParseBy(in.By)
	if err != nil {
		return Report{}, err
	}
	r := Report{Since: in.Since, Until: in.Until, By: by, Groups: []Group{}, Noisiest: []Fingerprint{}, NoRunbook: []string{},
		ProblemsOpened: len(in.Opened), ProblemsResolved: len(in.Resolved), ProblemsOpen: in.OpenProblems}
	type acc struct {
		g             Group
		tta, ttm, ttr []time.Duration
	}
	groups := map[string]*acc{}
	total := &acc{g: Group{Key: "total"}}
	fps := map[string]*Fingerprint{}
	classes := map[string]bool{}
	add := func(inc incident.Incident) error {
		key := keyOf(inc, by)
		a := groups[key]
		if a == nil {
			a = &acc{g: Group{Key: key}}
			groups[key] = a
		}
		var policy *config.SeverityPolicy
		if in.Config != nil {
			policy = in.Config.PolicyFor(inc.Severity, inc.Tier)
		}
		m := response.Measure(inc, policy, in.Until)
		for _, x := range []*acc{a, total} {
			x.g.Incidents++
			if inc.Status.Active() {
				x.g.Active++
			}
			if m.HasTTA {
				x.tta = append(x.tta, m.TTA)
			}
			if m.HasTTM {
				x.ttm = append(x.ttm, m.TTM)
			}
			if m.HasTTR {
				x.ttr = append(x.ttr, m.TTR)
			}
			for _, o := range []response.Outcome{m.Acknowledge, m.Resolve} {
				if o == response.Met {
					x.g.Met++
				}
			}
			x.g.Breaches += m.Breaches()
		}
		f := fps[inc.Fingerprint]
		if f == nil {
			f = &Fingerprint{Fingerprint: inc.Fingerprint, Class: inc.Class}
			fps[inc.Fingerprint] = f
		}
		f.Incidents++
		f.Events += inc.Events
		if inc.Runbook == "" {
			classes[inc.Class] = true
		}
		return nil
	}
	for _, inc := range in.Incidents {
		_ = add(inc) // add fails nothing
	}
	if in.Each != nil {
		if err := in.Each(add); err != nil {
			return Report{}, err
		}
	}
	finish := func(a *acc) Group {
		a.g.MTTA, a.g.MTTM, a.g.MTTR = Summarise(a.tta), Summarise(a.ttm), Summarise(a.ttr)
		return a.g
	}
	r.Total = finish(total)
	for _, a := range groups {
		r.Groups = append(r.Groups, finish(a))
	}
	sort.Slice(r.Groups, func(i, j int) bool {
		if by == BySeverity {
			return incident.Severity(r.Groups[i].Key).Rank() < incident.Severity(r.Groups[j].Key).Rank()
		}
		return r.Groups[i].Key < r.Groups[j].Key
	})
	for _, f := range fps {
		r.Noisiest = append(r.Noisiest, *f)
	}
	sort.Slice(r.Noisiest, func(i, j int) bool {
		a, b := r.Noisiest[i], r.Noisiest[j]
		if a.Incidents != b.Incidents {
			return a.Incidents > b.Incidents
		}
		if a.Events != b.Events {
			return a.Events > b.Events
		}
		return a.Fingerprint < b.Fingerprint
	})
	r.Noisiest = r.Noisiest[:min(len(r.Noisiest), MaxNoisiest)]
	for c := range classes {
		r.NoRunbook = append(r.NoRunbook, c)
	}
	sort.Strings(r.NoRunbook)
	for _, c := range in.Contributors {
		name, v, err := c.Section(ctx, in.Since, in.Until)
		if err != nil {
			return Report{}, fmt.Errorf("report section %s: %w", name, err)
		}
		if r.Sections == nil {
			r.Sections = map[string]any{}
		}
		r.Sections[name] = v
	}
	return r, nil
}

func keyOf(inc incident.Incident, by string) string {
	switch by {
	case ByTeam:
		return inc.Team
	case ByClass:
		return inc.Class
	case ByAccount:
		return inc.Account
	case ByClient:
		return orUnlisted(inc.Client)
	case ByEnvironment:
		return orUnlisted(inc.Environment)
	}
	return string(inc.Severity)
}

func orUnlisted(s string) string {
	if s == "" {
		return Unlisted
	}
	return s
}

// SeverityTimes is replay's per-severity part of a report: mean seconds to mitigate and
// to resolve over the incidents that reached that state (absent when none did).
type SeverityTimes struct {
	MTTMSeconds *float64 `json:"mttm_seconds,omitempty"`
	MTTRSeconds *float64 `json:"mttr_seconds,omitempty"`
}

// BySeverityTimes is SeverityTimes for every severity that has incidents.
func BySeverityTimes(r Report) map[string]SeverityTimes {
	out := map[string]SeverityTimes{}
	if r.By != BySeverity {
		return out
	}
	for _, g := range r.Groups {
		var st SeverityTimes
		if g.MTTM.N > 0 {
			v := g.MTTM.Mean
			st.MTTMSeconds = &v
		}
		if g.MTTR.N > 0 {
			v := g.MTTR.Mean
			st.MTTRSeconds = &v
		}
		out[g.Key] = st
	}
	return out
}
