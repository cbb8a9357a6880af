package page_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/oncall"
	"github.com/firebreak-ops/firebreak/internal/page"
)

const cfgYAML = `version: 1
defaults: {team: web}
teams:
  web: {email: [web@example.com], oncall: ["schedule:primary"]}
  ops: {email: [ops@example.com], oncall: ["schedule:nights"]}
  db: {email: [db@example.com]}
  qa: {email: [qa@example.com], oncall: ["contact:alice"]}
contacts:
  - {id: alice, name: Alice Schmidt, email: [alice@example.com]}
  - {id: bob, email: [bob@example.com]}
schedules:
  primary:
    layers:
      - {members: [alice, bob], every: week, days: [mon], hand_off: "09:00", time_zone: Europe/Berlin, start: 2026-10-26}
  nights:
    team: db
    layers:
      - {members: [bob], every: week, time_zone: UTC, start: 2026-10-26, restrictions: [{days: [mon, tue, wed, thu, fri, sat, sun], from: "22:00", to: "06:00"}]}
severities:
  sev1: {channels: [email]}
  sev2: {channels: [email]}
  sev3: {channels: [email]}
  sev4: {channels: [email]}
taxonomy:
  - {class: web.down, match: {"source": ["aws.cloudwatch"]}, severity: sev1, team: web}
`

// Monday 2 November 2026, 10:00 Berlin (09:00 UTC): bob's week on primary, nobody on
// nights.
var mon10 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

type stored []oncall.Override

func (s stored) Overrides(_ context.Context, schedule string, from, to time.Time) ([]oncall.Override, error) {
	var out []oncall.Override
	for _, o := range s {
		if o.Schedule == schedule && o.End.After(from) && o.Start.Before(to) {
			out = append(out, o)
		}
	}
	return out, nil
}

func TestResolve(t *testing.T) {
	cfg, err := config.Parse("page.yaml", []byte(cfgYAML))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		targets   []string
		fallback  string
		overrides stored
		want      string // target(why) …
		gaps      string
	}{
		{"a team without oncall is its addresses", []string{"db"}, "db", nil, "db", ""},
		{"a team with oncall pages the person", []string{"web"}, "web", nil,
			"contact:bob(on call for primary until Mon 9 Nov 09:00 Europe/Berlin)", ""},
		{"a schedule", []string{"schedule:primary"}, "web", nil,
			"contact:bob(on call for primary until Mon 9 Nov 09:00 Europe/Berlin)", ""},
		{"a contact", []string{"contact:alice"}, "web", nil, "contact:alice(named in the escalation)", ""},
		{"a team's contact", []string{"qa"}, "qa", nil, "contact:alice(on call for team qa)", ""},
		{"each destination once", []string{"web", "schedule:primary", "contact:bob"}, "web", nil,
			"contact:bob(on call for primary until Mon 9 Nov 09:00 Europe/Berlin)", ""},
		{"a stored override", []string{"schedule:primary"}, "web",
			stored{{Schedule: "primary", Contact: "alice", Start: mon10.Add(-time.Hour), End: mon10.Add(time.Hour)}},
			"contact:alice(on call for primary until Mon 11:00 Europe/Berlin)", ""},
		{"nobody on call falls through to the schedule's team", []string{"ops"}, "ops", nil, "db", "nights→db"},
		{"a gap with the page's team", []string{"schedule:nights"}, "web", nil, "db", "nights→db"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &page.Resolver{Config: cfg, Overrides: tt.overrides}
			recips, gaps, err := r.Resolve(context.Background(), tt.targets, tt.fallback, mon10)
			if err != nil {
				t.Fatal(err)
			}
			var got, gotGaps []string
			for _, rc := range recips {
				s := rc.Target
				if rc.Paged.Why != "" {
					s += "(" + rc.Paged.Why + ")"
				}
				got = append(got, s)
			}
			for _, g := range gaps {
				gotGaps = append(gotGaps, g.Schedule+"→"+g.Team)
			}
			if strings.Join(got, " ") != tt.want || strings.Join(gotGaps, " ") != tt.gaps {
				t.Errorf("Resolve(%v) = %q, gaps %q; want %q, gaps %q", tt.targets, got, gotGaps, tt.want, tt.gaps)
			}
		})
	}
}

func TestWhoUnknownSchedule(t *testing.T) {
	cfg, err := config.Parse("page.yaml", []byte(cfgYAML))
	if err != nil {
		t.Fatal(err)
	}
	_, err = (&page.Resolver{Config: cfg}).Who(context.Background(), []string{"nope"}, mon10)
	if !errors.Is(err, page.ErrNoSchedule) || !strings.Contains(err.Error(), `"nope" is not a schedule (schedules: nights, primary)`) {
		t.Errorf("Who(nope) = %v; want ErrNoSchedule naming it and the schedules", err)
	}
}
