package dispatch

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/incident"
)

var h0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

func entryAt(d time.Duration, kind incident.Kind, data ...string) incident.Entry {
	e := incident.Entry{At: h0.Add(d), Kind: kind, Key: fmt.Sprintf("%s:%s", kind, d)}
	if len(data) > 0 {
		e.Data = map[string]string{}
		for i := 0; i+1 < len(data); i += 2 {
			e.Data[data[i]] = data[i+1]
		}
	}
	return e
}

// TestHistoryAsOf: the state at a moment and the changes it takes in, read from the
// timeline by event time, whatever order the entries were written in, with the
// incident's fields standing in for a last change whose entry is not written yet.
func TestHistoryAsOf(t *testing.T) {
	opened := incident.Incident{ID: "FB-1", Status: incident.Open, Severity: incident.Sev3, Team: "web", OpenedAt: h0, StateAt: h0}
	with := func(f func(*incident.Incident)) incident.Incident { inc := opened; f(&inc); return inc }
	tests := []struct {
		name  string
		inc   incident.Incident
		tl    []incident.Entry
		at    time.Duration
		state string
		keys  string
		steps string
	}{
		{"nothing changed", opened, nil, 2 * time.Minute, "open sev3 web", "", ""},
		{"recovered within", with(func(i *incident.Incident) { i.Status, i.StateAt = incident.Mitigated, h0.Add(time.Minute) }),
			[]incident.Entry{entryAt(time.Minute, incident.KindMitigated)}, 2 * time.Minute,
			"mitigated sev3 web", "mitigated@2026-11-02T09:01:00Z", "mitigated@2026-11-02T09:01:00Z"},
		{"recovered after", with(func(i *incident.Incident) { i.Status, i.StateAt = incident.Mitigated, h0.Add(3*time.Minute) }),
			[]incident.Entry{entryAt(3*time.Minute, incident.KindMitigated)}, 2 * time.Minute,
			"open sev3 web", "", "mitigated@2026-11-02T09:03:00Z"},
		{"recovered at the end: after it", with(func(i *incident.Incident) { i.Status, i.StateAt = incident.Mitigated, h0.Add(2*time.Minute) }),
			[]incident.Entry{entryAt(2*time.Minute, incident.KindMitigated)}, 2 * time.Minute,
			"open sev3 web", "", "mitigated@2026-11-02T09:02:00Z"},
		{"recovered a nanosecond before the end", with(func(i *incident.Incident) { i.Status, i.StateAt = incident.Mitigated, h0.Add(2*time.Minute-1) }),
			[]incident.Entry{entryAt(2*time.Minute-1, incident.KindMitigated)}, 2 * time.Minute,
			"mitigated sev3 web", "mitigated@2026-11-02T09:01:59.999999Z", "mitigated@2026-11-02T09:01:59.999999Z"},
		{"flap across the end, written in reverse", with(func(i *incident.Incident) { i.StateAt = h0.Add(130 * time.Second) }),
			[]incident.Entry{entryAt(130*time.Second, incident.KindRetriggered), entryAt(110*time.Second, incident.KindMitigated)}, 2 * time.Minute,
			"mitigated sev3 web", "mitigated@2026-11-02T09:01:50Z", "mitigated@2026-11-02T09:01:50Z retriggered@2026-11-02T09:02:10Z"},
		{"acknowledged, then open again: tells nothing", with(func(i *incident.Incident) { i.StateAt = h0.Add(90 * time.Second) }),
			[]incident.Entry{entryAt(time.Minute, incident.KindAcknowledged), entryAt(90*time.Second, incident.KindReopened)}, 2 * time.Minute,
			"open sev3 web", "", ""},
		{"raised after the end: the page says the severity before it",
			with(func(i *incident.Incident) { i.Severity, i.SeverityAt = incident.Sev1, h0.Add(3*time.Minute) }),
			[]incident.Entry{entryAt(3*time.Minute, incident.KindSeverityRaised, "from", "sev3", "to", "sev1")}, 2 * time.Minute,
			"open sev3 web", "", "severity-raised@2026-11-02T09:03:00Z"},
		{"raised twice, the second after the end",
			with(func(i *incident.Incident) { i.Severity, i.SeverityAt = incident.Sev1, h0.Add(3*time.Minute) }),
			[]incident.Entry{entryAt(time.Minute, incident.KindSeverityRaised, "from", "sev3", "to", "sev2"),
				entryAt(3*time.Minute, incident.KindSeverityChanged, "from", "sev2", "to", "sev1")}, 2 * time.Minute,
			"open sev2 web", "severity-raised@2026-11-02T09:01:00Z", "severity-raised@2026-11-02T09:01:00Z severity-raised@2026-11-02T09:03:00Z"},
		{"lowered within: a change that tells nobody",
			with(func(i *incident.Incident) { i.Severity, i.SeverityAt = incident.Sev4, h0.Add(time.Minute) }),
			[]incident.Entry{entryAt(time.Minute, incident.KindSeverityChanged, "from", "sev3", "to", "sev4")}, 2 * time.Minute,
			"open sev4 web", "", ""},
		{"a group raise retried without its from: the severity after it",
			with(func(i *incident.Incident) { i.Severity, i.SeverityAt = incident.Sev2, h0.Add(3*time.Minute) }),
			[]incident.Entry{entryAt(3*time.Minute, incident.KindSeverityRaised, "to", "sev2")}, 2 * time.Minute,
			"open sev2 web", "", ""},
		{"handed over after the end",
			with(func(i *incident.Incident) { i.Team, i.LastUpdateAt = "db", h0.Add(3*time.Minute) }),
			[]incident.Entry{entryAt(3*time.Minute, incident.KindOwnerChanged, "from", "web", "to", "db")}, 2 * time.Minute,
			"open sev3 web", "", "owner-changed@2026-11-02T09:03:00Z"},
		{"recovery not on the timeline yet: the incident's fields",
			with(func(i *incident.Incident) { i.Status, i.StateAt = incident.Mitigated, h0.Add(150*time.Second) }),
			nil, 2 * time.Minute, "open sev3 web", "", "mitigated@2026-11-02T09:02:30Z"},
		{"a later entry written: the fields of an older record stand for nothing",
			with(func(i *incident.Incident) { i.Status, i.StateAt = incident.Mitigated, h0.Add(150*time.Second) }),
			[]incident.Entry{entryAt(150*time.Second, incident.KindMitigated), entryAt(170*time.Second, incident.KindRetriggered)}, 2 * time.Minute,
			"open sev3 web", "", "mitigated@2026-11-02T09:02:30Z retriggered@2026-11-02T09:02:50Z"},
		{"a runbook's mitigation stamped a nanosecond after it",
			with(func(i *incident.Incident) { i.Status, i.StateAt = incident.Mitigated, h0.Add(3*time.Minute) }),
			[]incident.Entry{entryAt(3*time.Minute+1, incident.KindMitigated)}, 2 * time.Minute,
			"open sev3 web", "", "mitigated@2026-11-02T09:03:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := historyOf(tt.inc, tt.tl)
			s, keys := h.asOf(h0.Add(tt.at))
			if got := fmt.Sprintf("%s %s %s", s.Status, s.Severity, s.Team); got != tt.state {
				t.Errorf("asOf(+%s) = %s; want %s", tt.at, got, tt.state)
			}
			if got := strings.Join(keys, " "); got != tt.keys {
				t.Errorf("asOf(+%s) takes in %q; want %q", tt.at, got, tt.keys)
			}
			var steps []string
			for _, st := range h.steps {
				if tells(st.Change) {
					steps = append(steps, st.Key)
				}
			}
			if got := strings.Join(steps, " "); got != tt.steps {
				t.Errorf("historyOf told changes = %q; want %q", got, tt.steps)
			}
		})
	}
}
