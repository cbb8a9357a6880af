package incident_test

import (
	"strings"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/incident"
)

func TestCausality(t *testing.T) {
	t0 := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	events := map[string]time.Time{"e1": at(0), "e2": at(10)}
	eventTime := func(id string) (time.Time, bool) { t, ok := events[id]; return t, ok }
	opened := incident.Entry{Incident: "FB-1", At: at(0), Kind: incident.KindOpened, Key: "opened:e1", Data: map[string]string{"event_id": "e1", "severity": "sev3"}}
	raised := incident.Entry{Incident: "FB-1", At: at(10), Kind: incident.KindSeverityRaised, Key: "severity-raised:e2", Data: map[string]string{"event_id": "e2", "to": "sev1"}}
	entry := func(m int, kind incident.Kind, data map[string]string) incident.Entry {
		return incident.Entry{Incident: "FB-1", At: at(m), Kind: kind, Key: string(kind), Data: data}
	}
	tests := []struct {
		name string
		tl   []incident.Entry
		want string // "" for no error, else a part of the first error
	}{
		{"sound", []incident.Entry{opened, entry(0, incident.KindNotified, map[string]string{"change": "opened"}), entry(5, incident.KindObjectiveBreached, map[string]string{"severity": "sev3"}),
			raised, entry(10, incident.KindRunbookStarted, map[string]string{"execution": "x1"}), entry(11, incident.KindRunbookTriage, map[string]string{"execution": "x1"}),
			entry(15, incident.KindObjectiveBreached, map[string]string{"severity": "sev1"})}, ""},
		{"breach before the severity", []incident.Entry{opened, entry(5, incident.KindObjectiveBreached, map[string]string{"severity": "sev1"}), raised},
			"acts on the sev1 policy before the incident was sev1"},
		{"stamped other than its event", []incident.Entry{opened, entry(12, incident.KindMitigated, map[string]string{"event_id": "e2"})},
			"its event e2 happened at"},
		{"told before the change", []incident.Entry{opened, entry(3, incident.KindNotified, map[string]string{"change": "mitigated"}), entry(4, incident.KindMitigated, nil)},
			"tells of mitigated before any such change"},
		{"runbook phase before its start", []incident.Entry{opened, entry(1, incident.KindRunbookTriage, map[string]string{"execution": "x1"}), entry(2, incident.KindRunbookStarted, map[string]string{"execution": "x1"})},
			"before it started"},
		{"before the opening", []incident.Entry{entry(-1, incident.KindNote, nil), opened}, "before the incident opened"},
		{"out of order", []incident.Entry{opened, entry(5, incident.KindNote, nil), entry(4, incident.KindNote, nil)}, "out of order"},
		{"auto-resolved before a recovery", []incident.Entry{opened, {Incident: "FB-1", At: at(30), Kind: incident.KindResolved, Actor: "firebreak", Key: "r"}}, "before any recovery"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs := incident.Causality(tt.tl, eventTime)
			switch {
			case tt.want == "" && len(errs) > 0:
				t.Errorf("Causality(%s) = %v; want no error", tt.name, errs)
			case tt.want != "" && (len(errs) == 0 || !strings.Contains(errs[0].Error(), tt.want)):
				t.Errorf("Causality(%s) = %v; want an error containing %q", tt.name, errs, tt.want)
			}
		})
	}
}
