package review

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/firebreak-ops/firebreak/internal/action"
	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/incident"
)

// Record is what a review document is generated from: the review, its incident with its
// timeline, the actions filed, and the objectives of the incident's severity.
type Record struct {
	Review   Review
	Incident incident.Incident
	Timeline []incident.Entry
	Actions  []action.Action
	Policy   *config.SeverityPolicy // nil: the severity has no objectives
}

// Document is the structured review (the CLI's --json); Markdown renders it.
type Document struct {
	Review   Review            `json:"review"`
	Incident incident.Incident `json:"incident"`
	Response Response          `json:"response"`
	Timeline []incident.Entry  `json:"timeline"`
	Runbook  []Phase           `json:"runbook,omitempty"`
	// Gap is the runbook gap the record shows ("" none): an action is suggested for it.
	Gap     string          `json:"runbook_gap,omitempty"`
	Actions []action.Action `json:"actions"`
}

// Measure is one response time against its objective.
type Measure struct {
	// Took is how long it took from the opening (0 and Reached false: it never did).
	Took    time.Duration `json:"took_ns"`
	Reached bool          `json:"reached"`
	// Objective is the severity's objective (0: none).
	Objective time.Duration `json:"objective_ns,omitempty"`
	Breached  bool          `json:"breached"`
}

// Response is detection and response: how soon the incident was acknowledged,
// mitigated and resolved, against the objectives, and the breaches the escalator recorded.
type Response struct {
	Acknowledge Measure          `json:"acknowledge"`
	Mitigate    Measure          `json:"mitigate"`
	Resolve     Measure          `json:"resolve"`
	Breaches    []incident.Entry `json:"breaches,omitempty"`
}

// Phase is one recorded step of the incident's runbook.
type Phase struct {
	At     time.Time `json:"at"`
	Phase  string    `json:"phase"`
	Status string    `json:"status"`
	Detail string    `json:"detail"`
}

// Build makes the document of a record.
func Build(rec Record) Document {
	d := Document{Review: rec.Review, Incident: rec.Incident, Timeline: rec.Timeline, Actions: rec.Actions,
		Response: MeasureResponse(rec.Incident, rec.Timeline, rec.Policy)}
	if d.Actions == nil {
		d.Actions = []action.Action{}
	}
	for _, e := range rec.Timeline {
		if strings.HasPrefix(e.Kind, "runbook-") {
			d.Runbook = append(d.Runbook, Phase{At: e.At, Phase: phaseOf(e), Status: first(e.Data["status"], strings.TrimPrefix(e.Kind, "runbook-")), Detail: e.Detail})
		}
	}
	d.Gap = RunbookGap(rec.Incident, rec.Timeline)
	return d
}

func phaseOf(e incident.Entry) string {
	if p := e.Data["phase"]; p != "" {
		return p
	}
	return strings.TrimPrefix(e.Kind, "runbook-")
}

// MeasureResponse works out the response times from the timeline: the first
// acknowledgement, the first mitigation and the resolution, each from the opening.
func MeasureResponse(inc incident.Incident, tl []incident.Entry, policy *config.SeverityPolicy) Response {
	var r Response
	firstAt := map[string]time.Time{}
	for _, e := range tl {
		if _, ok := firstAt[e.Kind]; !ok {
			firstAt[e.Kind] = e.At
		}
		if e.Kind == "objective-breached" {
			r.Breaches = append(r.Breaches, e)
		}
	}
	measure := func(kind string, objective time.Duration) Measure {
		m := Measure{Objective: objective}
		if at, ok := firstAt[kind]; ok {
			m.Took, m.Reached = at.Sub(inc.OpenedAt), true
		}
		m.Breached = objective > 0 && (!m.Reached || m.Took > objective)
		return m
	}
	var ack, res time.Duration
	if policy != nil {
		ack, res = policy.AcknowledgeWithin.Duration, policy.ResolveWithin.Duration
	}
	r.Acknowledge = measure("acknowledged", ack)
	r.Mitigate = measure(incident.KindMitigated, 0)
	r.Resolve = measure("resolved", res)
	if !inc.ResolvedAt.IsZero() && !r.Resolve.Reached { // resolved by a path that wrote no "resolved" entry
		r.Resolve.Took, r.Resolve.Reached = inc.ResolvedAt.Sub(inc.OpenedAt), true
		r.Resolve.Breached = res > 0 && r.Resolve.Took > res
	}
	return r
}

// RunbookGap says what runbook work the record shows is missing ("" nothing): the
// incident's runbook failed, or its class keeps coming back and has no runbook.
func RunbookGap(inc incident.Incident, tl []incident.Entry) string {
	for _, e := range tl {
		if e.Kind == "runbook-failed" || e.Kind == "runbook-not-started" || (strings.HasPrefix(e.Kind, "runbook-") && e.Data["status"] == "failed") {
			return fmt.Sprintf("Fix runbook %s: it failed during %s", first(inc.Runbook, e.Data["runbook"]), inc.ID)
		}
	}
	if inc.Runbook == "" && inc.Seq > 1 {
		return fmt.Sprintf("Write a runbook for %s: it recurred (incident %d of its fingerprint) with none", inc.Class, inc.Seq)
	}
	return ""
}

// Markdown renders the document. It is deterministic: the same record gives the same bytes.
func (d Document) Markdown() string {
	var b strings.Builder
	r, inc := d.Review, d.Incident
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("# Post-incident review: %s\n\n", oneLine(inc.Title))
	p("Incident %s · %s (%s) · owner %s · review %s, due %s", inc.ID, inc.Severity, inc.Severity.Label(), r.Owner, r.Status, stamp(r.Due))
	if r.Status == Complete {
		p(" · completed %s by %s", stamp(r.CompletedAt), r.CompletedBy)
	}
	p("\n\n## Summary\n\n")
	p("%s %s incident of class %s on %s (account %s, %s), opened %s", strings.ToUpper(inc.Severity.Label()[:1])+inc.Severity.Label()[1:],
		inc.Severity, inc.Class, first(inc.Resource, "an unnamed resource"), first(inc.Account, "unknown"), first(inc.Region, "no region"), stamp(inc.OpenedAt))
	if !inc.ResolvedAt.IsZero() {
		p(", resolved %s after %s", stamp(inc.ResolvedAt), short(inc.ResolvedAt.Sub(inc.OpenedAt)))
	}
	p(". %d event(s): %d trigger(s), %d recovery(ies).\n", inc.Events, inc.Count, inc.Recoveries)
	section(&b, "", r.Sections[SectionSummary], "")

	p("\n## Impact\n\n| | |\n|---|---|\n")
	p("| Class | %s |\n| Business impact | %s |\n| Accounts | %s |\n| Resources | %s |\n", cell(inc.Class), cell(first(inc.Impact, "not recorded")), cell(inc.Account), cell(inc.Resource))

	p("\n## Detection and response\n\n| Measure | Took | Objective | Result |\n|---|---|---|---|\n")
	for _, m := range []struct {
		name string
		m    Measure
	}{{"Time to acknowledge", d.Response.Acknowledge}, {"Time to mitigate", d.Response.Mitigate}, {"Time to resolve", d.Response.Resolve}} {
		took, obj, res := "not reached", "none", "—"
		if m.m.Reached {
			took = short(m.m.Took)
		}
		if m.m.Objective > 0 {
			obj, res = "within "+short(m.m.Objective), "met"
			if m.m.Breached {
				res = "**breached**"
			}
		}
		p("| %s | %s | %s | %s |\n", m.name, took, obj, res)
	}
	if len(d.Response.Breaches) == 0 {
		p("\nNo objective breach was recorded.\n")
	} else {
		p("\nBreaches recorded:\n\n")
		for _, e := range d.Response.Breaches {
			p("- %s: %s\n", stamp(e.At), oneLine(e.Detail))
		}
	}

	p("\n## Timeline\n\n| When (UTC) | Who | What |\n|---|---|---|\n")
	for _, e := range d.Timeline {
		p("| %s | %s | %s |\n", stamp(e.At), cell(e.Actor), cell(first(e.Detail, e.Kind)))
	}

	p("\n## Runbook\n\n")
	switch {
	case inc.Runbook == "" && len(d.Runbook) == 0:
		p("No runbook is mapped to class %s.\n", inc.Class)
	case len(d.Runbook) == 0:
		p("Runbook %s recorded no phases.\n", inc.Runbook)
	default:
		p("Runbook %s:\n\n| When (UTC) | Phase | Result | Detail |\n|---|---|---|---|\n", first(inc.Runbook, "(unnamed)"))
		for _, ph := range d.Runbook {
			p("| %s | %s | %s | %s |\n", stamp(ph.At), cell(ph.Phase), cell(ph.Status), cell(ph.Detail))
		}
	}
	if d.Gap != "" {
		p("\nRunbook gap: %s. An action is filed for it.\n", d.Gap)
	}

	p("\n## Contributing factors\n")
	section(&b, "\n", r.Sections[SectionFactors], fmt.Sprintf("_Not written yet: `firebreak incidents review %s edit --section %s --file F`._", r.ID, SectionFactors))
	p("\n## Lessons\n")
	section(&b, "\n", r.Sections[SectionLessons], fmt.Sprintf("_Not written yet: `firebreak incidents review %s edit --section %s --file F`._", r.ID, SectionLessons))

	p("\n## Actions\n\n")
	if len(d.Actions) == 0 {
		if r.NoActions {
			p("None: the review was completed saying no action is needed.\n")
		} else {
			p("None filed yet: `firebreak actions add --review %s --title T --owner TEAM --due DATE`.\n", r.ID)
		}
	} else {
		acts := append([]action.Action(nil), d.Actions...)
		sort.SliceStable(acts, func(i, j int) bool { return acts[i].Due.Before(acts[j].Due) })
		p("| Action | Title | Owner | Due | Status |\n|---|---|---|---|---|\n")
		for _, a := range acts {
			status := string(a.Status)
			switch {
			case a.Status == action.WontDo:
				status += ": " + a.Reason
			case a.Late():
				status += " (late)"
			}
			p("| %s | %s | %s | %s | %s |\n", a.ID, cell(a.Title), cell(a.Owner), stamp(a.Due), cell(status))
		}
	}
	return b.String()
}

// section writes a section people write, or the hint when it is empty.
func section(b *strings.Builder, lead, text, hint string) {
	switch {
	case text != "":
		fmt.Fprintf(b, "%s%s\n", first(lead, "\n"), text)
	case hint != "":
		fmt.Fprintf(b, "%s%s\n", lead, hint)
	}
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04")
}

func short(d time.Duration) string { return config.Short(d.Round(time.Second)) }

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// cell makes text safe in a Markdown table cell.
func cell(s string) string {
	s = oneLine(s)
	if s == "" {
		return "—"
	}
	return strings.ReplaceAll(s, "|", `\|`)
}

func first(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
