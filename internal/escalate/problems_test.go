package escalate_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/escalate"
	"github.com/firebreak-ops/firebreak/internal/metrics"
	"github.com/firebreak-ops/firebreak/internal/problem"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// TestOpenProblemsGauge: every tick emits how many problems are not resolved (open,
// investigating, known error), for the dashboard.
func TestOpenProblemsGauge(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)
	st := store.NewMemory(func() time.Time { return now })
	for i, status := range []problem.Status{problem.Open, problem.KnownError, problem.Resolved, problem.Investigating} {
		p := problem.Problem{ID: "PRB-" + string(rune('A'+i)), Title: "p", Team: "platform", Status: status, OpenedAt: now.Add(-time.Hour)}
		if _, _, err := st.CreateProblem(ctx, p, problem.Entry{Problem: p.ID, At: p.OpenedAt, Key: "opened"}); err != nil {
			t.Fatal(err)
		}
	}
	var out bytes.Buffer
	e := &escalate.Escalator{Store: st, Config: cfg(t), Now: func() time.Time { return now }, Metrics: metrics.New(&out), Problems: st}
	if _, err := e.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	got := -1
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) == nil {
			if v, ok := m[escalate.MetricOpenProblems].(float64); ok {
				got = int(v)
			}
		}
	}
	if got != 3 {
		t.Errorf("OpenProblems gauge = %d; want 3 (open, known error, investigating; not the resolved one)\n%s", got, out.String())
	}
}
