package report_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/report"
)

var t0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

func TestSummarise(t *testing.T) {
	var ds []time.Duration
	for i := 1; i <= 10; i++ {
		ds = append(ds, time.Duration(i)*time.Minute)
	}
	got := report.Summarise(ds)
	if got.N != 10 || got.Mean != 330 || got.P50 != 300 || got.P90 != 540 {
		t.Errorf("Summarise(1..10 min) = %+v; want n 10, mean 330 s, p50 300 s, p90 540 s", got)
	}
	if got := report.Summarise(nil); got != (report.Durations{}) {
		t.Errorf("Summarise(nil) = %+v; want zero", got)
	}
}

type section struct{}

func (section) Section(context.Context, time.Time, time.Time) (string, any, error) {
	return "actions", map[string]int{"done_on_time": 2}, nil
}

type failing struct{}

func (failing) Section(context.Context, time.Time, time.Time) (string, any, error) {
	return "reviews", nil, errors.New("store down")
}

func TestBuild(t *testing.T) {
	cfg := &config.Config{Severities: map[string]*config.SeverityPolicy{
		"sev1": {AcknowledgeWithin: config.Duration{Duration: 5 * time.Minute}, ResolveWithin: config.Duration{Duration: time.Hour}},
	}}
	inc := func(id, fp string, sev incident.Severity, team string, ack, mit, res time.Duration) incident.Incident {
		i := incident.Incident{ID: id, Fingerprint: fp, Class: "ops.alarm", Severity: sev, Team: team, Account: "1", OpenedAt: t0, Status: incident.Open, Events: 2}
		at := func(d time.Duration) time.Time {
			if d < 0 {
				return time.Time{}
			}
			return t0.Add(d)
		}
		i.AcknowledgedAt, i.MitigatedAt, i.ResolvedAt = at(ack), at(mit), at(res)
		if res >= 0 {
			i.Status = incident.Resolved
		}
		return i
	}
	incs := []incident.Incident{
		inc("a", "fp1", incident.Sev1, "web", 2*time.Minute, 10*time.Minute, 20*time.Minute), // both met
		inc("b", "fp1", incident.Sev1, "web", 10*time.Minute, 30*time.Minute, 2*time.Hour),   // both breached
		inc("c", "fp2", incident.Sev2, "data", -1, -1, -1),                                   // no objectives, active
		inc("d", "fp1", incident.Sev1, "data", -1, -1, -1),                                   // active 3h: both breached
	}
	r, err := report.Build(context.Background(), report.Input{Since: t0, Until: t0.Add(3 * time.Hour), By: "severity", Incidents: incs,
		Config: cfg, Contributors: []report.Contributor{section{}}})
	if err != nil {
		t.Fatal(err)
	}
	// The same incidents walked one at a time (Each, as a replay folds them), some given
	// as a list and the rest walked, make the same report.
	walked, err := report.Build(context.Background(), report.Input{Since: t0, Until: t0.Add(3 * time.Hour), By: "severity", Incidents: incs[:1],
		Each: func(yield func(incident.Incident) error) error {
			for _, inc := range incs[1:] {
				if err := yield(inc); err != nil {
					return err
				}
			}
			return nil
		}, Config: cfg, Contributors: []report.Contributor{section{}}})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(walked, r) {
		t.Errorf("Build with Each = %+v; want as with the list: %+v", walked, r)
	}
	walkErr := errors.New("store unavailable")
	if _, err := report.Build(context.Background(), report.Input{By: "severity", Each: func(func(incident.Incident) error) error { return walkErr }}); !errors.Is(err, walkErr) {
		t.Errorf("Build with a failing walk: err = %v; want the walk's error", err)
	}
	if r.Total.Incidents != 4 || r.Total.Active != 2 || r.Total.Breaches != 4 || r.Total.Met != 2 {
		t.Errorf("Total = %+v; want 4 incidents, 2 active, 4 breaches, 2 met", r.Total)
	}
	if len(r.Groups) != 2 || r.Groups[0].Key != "sev1" || r.Groups[0].MTTM.Mean != 1200 || r.Groups[0].MTTR.N != 2 {
		t.Errorf("Groups = %+v; want sev1 first with mean time to mitigate 1200 s over 2", r.Groups)
	}
	if len(r.Noisiest) != 2 || r.Noisiest[0].Fingerprint != "fp1" || r.Noisiest[0].Incidents != 3 {
		t.Errorf("Noisiest = %+v; want fp1 (3 incidents) first", r.Noisiest)
	}
	if len(r.NoRunbook) != 1 || r.NoRunbook[0] != "ops.alarm" {
		t.Errorf("NoRunbook = %v; want [ops.alarm]", r.NoRunbook)
	}
	if r.Sections["actions"] == nil {
		t.Errorf("Sections = %v; want the contributor's actions section", r.Sections)
	}
	times := report.BySeverityTimes(r)
	if v := times["sev1"].MTTMSeconds; v == nil || *v != 1200 {
		t.Errorf("BySeverityTimes(sev1).mttm = %v; want 1200", v)
	}
	if v := times["sev2"]; v.MTTMSeconds != nil || v.MTTRSeconds != nil {
		t.Errorf("BySeverityTimes(sev2) = %+v; want nothing (none mitigated)", v)
	}
	if _, err := report.Build(context.Background(), report.Input{By: "colour"}); err == nil {
		t.Errorf("Build(by colour) = nil error; want one naming the dimensions")
	}
	if _, err := report.Build(context.Background(), report.Input{Contributors: []report.Contributor{failing{}}}); err == nil {
		t.Errorf("Build(failing contributor) = nil error; want its error")
	}
	byTeam, err := report.Build(context.Background(), report.Input{Until: t0, By: "team", Incidents: incs})
	if err != nil || len(byTeam.Groups) != 2 || byTeam.Groups[0].Key != "data" {
		t.Errorf("Build(by team) groups = %+v, %v; want data, web", byTeam.Groups, err)
	}
}
