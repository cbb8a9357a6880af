package dispatch_test

import (
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/dispatch"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/silence"
)

func TestGrouperParent(t *testing.T) {
	t0 := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	g := dispatch.Grouper{By: []string{"account", "region"}, Window: 10 * time.Minute}
	at := func(id, account string, m int) incident.Incident {
		return incident.Incident{ID: id, Account: account, Region: "eu-west-1", OpenedAt: t0.Add(time.Duration(m) * time.Minute)}
	}
	inc := at("FB-NEW", "111", 12)
	tests := []struct {
		name string
		near []incident.Incident
		want string // "" for none
	}{
		{"first of the group", []incident.Incident{at("FB-A", "111", 5), at("FB-B", "111", 8)}, "FB-A"},
		{"other key", []incident.Incident{at("FB-A", "222", 5)}, ""},
		{"outside the window", []incident.Incident{at("FB-A", "111", 1)}, ""},
		{"opened later", []incident.Incident{at("FB-A", "111", 13)}, ""},
		{"itself", []incident.Incident{inc}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, ok := g.Parent(inc, tt.near)
			if got := map[bool]string{true: p.ID}[ok]; got != tt.want {
				t.Errorf("Parent(%s) = %q; want %q", tt.name, got, tt.want)
			}
		})
	}
	if g.Key(at("x", "111", 0)) == g.Key(at("y", "1,11", 0)) {
		t.Errorf("Key() of different accounts is the same: %q", g.Key(at("x", "111", 0)))
	}
}

func TestInhibitorSource(t *testing.T) {
	t0 := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	in := dispatch.Inhibitor{Rules: []config.InhibitRule{{Name: "region-down", Source: silence.Matchers{Class: "ops.region-*"},
		Target: silence.Matchers{Team: "web"}, Equal: []string{"region"}}}}
	inc := incident.Incident{ID: "FB-T", Team: "web", Region: "eu-west-1", Severity: incident.Sev3, OpenedAt: t0.Add(time.Minute)}
	src := incident.Incident{ID: "FB-S", Class: "ops.region-outage", Region: "eu-west-1", Severity: incident.Sev1, OpenedAt: t0}
	rules := in.Targeting(inc)
	if len(rules) != 1 {
		t.Fatalf("Targeting() = %d rules; want 1", len(rules))
	}
	if _, ok := in.Candidates(inc, rules); !ok {
		t.Errorf("Candidates() ok = false; want a query for the more severe incidents")
	}
	if got, r, ok := in.Source(inc, rules, []incident.Incident{src}); !ok || got.ID != "FB-S" || r.Name != "region-down" {
		t.Errorf("Source() = %s, %s, %v; want FB-S by region-down", got.ID, r.Name, ok)
	}
	other := src
	other.Region = "us-east-1"
	if _, _, ok := in.Source(inc, rules, []incident.Incident{other}); ok {
		t.Errorf("Source(other region) ok = true; want false (the rule wants the same region)")
	}
	if rules := in.Targeting(incident.Incident{Team: "db"}); len(rules) != 0 {
		t.Errorf("Targeting(team db) = %d rules; want 0", len(rules))
	}
}
