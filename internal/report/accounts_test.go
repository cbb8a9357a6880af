package report_test

import (
	"context"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/report"
)

// By client and environment: incidents of unlisted accounts are grouped as such, and each
// incident is judged by its business tier's objectives (config.PolicyFor).
func TestBuildByClient(t *testing.T) {
	cfg := &config.Config{
		Severities: map[string]*config.SeverityPolicy{"sev1": {AcknowledgeWithin: config.Duration{Duration: 30 * time.Minute}}},
		Tiers:      map[string]*config.BusinessTier{"gold": {Objectives: &config.TierObjectives{AcknowledgeWithin: &config.Duration{Duration: 5 * time.Minute}}}},
	}
	inc := func(id, client, env, tier string) incident.Incident {
		return incident.Incident{ID: id, Fingerprint: id, Class: "ops.alarm", Severity: incident.Sev1, Team: "web", OpenedAt: t0,
			Status: incident.Acknowledged, AcknowledgedAt: t0.Add(10 * time.Minute), Client: client, Environment: env, Tier: tier}
	}
	incs := []incident.Incident{
		inc("a", "acme", "production", "gold"), // acknowledged in 10m: gold's 5m breached
		inc("b", "acme", "staging", ""),        // sev1's 30m met
		inc("c", "globex", "production", ""),
		inc("d", "", "", ""), // an account the directory does not list
	}
	tests := []struct {
		by   string
		want map[string][3]int // key → incidents, met, breaches
	}{
		{report.ByClient, map[string][3]int{"acme": {2, 1, 1}, "globex": {1, 1, 0}, report.Unlisted: {1, 1, 0}}},
		{report.ByEnvironment, map[string][3]int{"production": {2, 1, 1}, "staging": {1, 1, 0}, report.Unlisted: {1, 1, 0}}},
	}
	for _, tt := range tests {
		t.Run(tt.by, func(t *testing.T) {
			r, err := report.Build(context.Background(), report.Input{Since: t0, Until: t0.Add(time.Hour), By: tt.by, Incidents: incs, Config: cfg})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string][3]int{}
			for _, g := range r.Groups {
				got[g.Key] = [3]int{g.Incidents, g.Met, g.Breaches}
			}
			if len(got) != len(tt.want) {
				t.Errorf("Build(by %s) groups = %v; want %v", tt.by, got, tt.want)
			}
			for k, w := range tt.want {
				if got[k] != w {
					t.Errorf("Build(by %s) group %q = %v (incidents, met, breaches); want %v", tt.by, k, got[k], w)
				}
			}
		})
	}
	if _, err := report.ParseBy("tier"); err == nil {
		t.Errorf("ParseBy(tier) = nil; want an error listing the dimensions")
	}
}
