package dispatch_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/metrics"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// TestResolutionEmitsResponseMetricsOnce: a resolution delivered twice emits the
// incident's response measures once, in milliseconds, by severity and team.
func TestResolutionEmitsResponseMetricsOnce(t *testing.T) {
	f := newFixture(t)
	var out bytes.Buffer
	f.d.Metrics = metrics.New(&out)
	inc := incident.Incident{ID: "FB-R-1", Seq: 1, Fingerprint: "fp", Class: "ops.alarm", Title: "cpu", Severity: incident.Sev2, Team: "platform",
		Status: incident.Open, OpenedAt: t0, StateAt: t0, Version: 1}
	if _, _, err := f.st.Open(context.Background(), inc, incident.Entry{}); err != nil {
		t.Fatal(err)
	}
	old := inc
	old.Status, old.AcknowledgedAt, old.MitigatedAt = incident.Mitigated, t0.Add(2*time.Minute), t0.Add(20*time.Minute)
	resolved := old
	resolved.Status, resolved.ResolvedAt, resolved.StateAt, resolved.Version = incident.Resolved, t0.Add(50*time.Minute), t0.Add(50*time.Minute), 4
	for range 2 {
		if err := f.d.Handle(context.Background(), store.StreamRecord{Old: &old, New: resolved}); err != nil {
			t.Fatal(err)
		}
	}
	var recs []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("EMF line %q: %v", line, err)
		}
		if _, ok := m["TimeToResolve"]; ok {
			recs = append(recs, m)
		}
	}
	if len(recs) != 1 {
		t.Fatalf("response records = %d; want 1 (a redelivered resolution emits nothing)\n%s", len(recs), out.String())
	}
	r := recs[0]
	if r["TimeToAcknowledge"] != 120000.0 || r["TimeToMitigate"] != 1200000.0 || r["TimeToResolve"] != 3000000.0 ||
		r["Severity"] != "sev2" || r["Team"] != "platform" {
		t.Errorf("response record = %v; want 120000/1200000/3000000 ms, sev2, platform", r)
	}
	if !strings.Contains(out.String(), `"Unit":"Milliseconds"`) {
		t.Errorf("EMF = %s; want durations in Milliseconds", out.String())
	}
}
