package replay

import (
	"context"
	"slices"
	"sort"
	"strings"

	"github.com/firebreak-ops/firebreak/internal/incident"
)

// Response is what Firebreak did about one incident in a replay.
type Response struct {
	ID       string   `json:"id"`
	Class    string   `json:"class"`
	Title    string   `json:"title"`
	Severity string   `json:"severity"`
	Owner    string   `json:"owner"`
	Told     []string `json:"told"`    // teams notified, in order of first notice
	Runbook  string   `json:"runbook"` // "name: result" per run, "name: not run", or ""
}

// IncidentDiff is one incident that a config change would open, no longer open, or
// handle differently. Incidents are matched by the event that opened them.
type IncidentDiff struct {
	Event  string    `json:"event"`  // id of the event that opened it
	Change string    `json:"change"` // opened | not opened | changed
	Fields []string  `json:"fields"` // what differs when changed: severity, owner, told, runbook
	Old    *Response `json:"old,omitempty"`
	New    *Response `json:"new,omitempty"`
}

// DiffTotals sum up a diff.
type DiffTotals struct {
	Opened    int `json:"opened"`     // incidents only the new config opens
	NotOpened int `json:"not_opened"` // incidents only the old config opens
	Changed   int `json:"changed"`
	Unchanged int `json:"unchanged"`
}

// Diff is what replaying the same events under a new config changes.
type Diff struct {
	Totals    DiffTotals     `json:"totals"`
	Old       Summary        `json:"old"`
	New       Summary        `json:"new"`
	Incidents []IncidentDiff `json:"incidents"`
}

// Response is what was done about inc in the replay res. The first response asked for
// reads back what the replay noted (notes.go), which may fail.
func (res *Result) Response(inc incident.Incident) (Response, error) {
	if err := res.responses(); err != nil {
		return Response{}, err
	}
	rb := strings.Join(res.runs[inc.ID], "; ")
	if rb == "" && inc.Runbook != "" {
		rb = inc.Runbook + ": not run"
	}
	t := res.notes.told[inc.ID]
	if t == nil {
		t = []string{}
	}
	return Response{ID: inc.ID, Class: inc.Class, Title: inc.Title, Severity: string(inc.Severity), Owner: inc.Team, Told: t, Runbook: rb}, nil
}

// Responses returns what was done about each incident of a replay, by incident id.
func Responses(ctx context.Context, res *Result) (map[string]Response, error) {
	out := map[string]Response{}
	err := res.EachIncident(ctx, func(inc incident.Incident) error {
		r, err := res.Response(inc)
		out[inc.ID] = r
		return err
	})
	return out, err
}

// Compare matches the incidents of two replays of the same events by the event that
// opened them and says, incident by incident, what the new one does differently.
func Compare(ctx context.Context, old, new *Result) (Diff, error) {
	d := Diff{Old: old.Summary, New: new.Summary, Incidents: []IncidentDiff{}}
	or, err := Responses(ctx, old)
	if err != nil {
		return d, err
	}
	nr, err := Responses(ctx, new)
	if err != nil {
		return d, err
	}
	byEvent := func(res *Result, rs map[string]Response) (map[string]Response, error) {
		opened, err := res.OpenedBy()
		if err != nil {
			return nil, err
		}
		m := make(map[string]Response, len(rs))
		for id, ev := range opened {
			if r, ok := rs[id]; ok {
				m[ev] = r
			}
		}
		return m, nil
	}
	oe, err := byEvent(old, or)
	if err != nil {
		return d, err
	}
	ne, err := byEvent(new, nr)
	if err != nil {
		return d, err
	}
	var evs []string
	for ev := range oe {
		evs = append(evs, ev)
	}
	for ev := range ne {
		if _, ok := oe[ev]; !ok {
			evs = append(evs, ev)
		}
	}
	sort.Strings(evs)
	for _, ev := range evs {
		o, inOld := oe[ev]
		n, inNew := ne[ev]
		switch {
		case !inOld:
			d.Totals.Opened++
			d.Incidents = append(d.Incidents, IncidentDiff{Event: ev, Change: "opened", Fields: []string{}, New: &n})
		case !inNew:
			d.Totals.NotOpened++
			d.Incidents = append(d.Incidents, IncidentDiff{Event: ev, Change: "not opened", Fields: []string{}, Old: &o})
		default:
			f := []string{}
			if o.Severity != n.Severity {
				f = append(f, "severity")
			}
			if o.Owner != n.Owner {
				f = append(f, "owner")
			}
			if !slices.Equal(o.Told, n.Told) {
				f = append(f, "told")
			}
			if o.Runbook != n.Runbook {
				f = append(f, "runbook")
			}
			if len(f) == 0 {
				d.Totals.Unchanged++
				continue
			}
			d.Totals.Changed++
			d.Incidents = append(d.Incidents, IncidentDiff{Event: ev, Change: "changed", Fields: f, Old: &o, New: &n})
		}
	}
	return d, nil
}
