package infra

import (
	"context"
	"time"

	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/problem"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// The problem methods of store.Dynamo, for TestStoreCalls.
func init() {
	t := time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)
	p := problem.Problem{ID: "PRB-1", Status: problem.Open, OpenedAt: t}
	e := problem.Entry{Problem: "PRB-1", At: t, Kind: incident.KindProblemNote, Key: "k"}
	for name, call := range map[string]func(context.Context, *store.Dynamo){
		"Recur": func(ctx context.Context, d *store.Dynamo) {
			d.Recur(ctx, "fp", func(r *problem.Recurrence) bool { return r.Add(problem.Occurrence{Incident: "FB-X-1", At: t}) })
		},
		"CreateProblem":   func(ctx context.Context, d *store.Dynamo) { d.CreateProblem(ctx, p, e) },
		"GetProblem":      func(ctx context.Context, d *store.Dynamo) { d.GetProblem(ctx, "PRB-1") },
		"ListProblems":    func(ctx context.Context, d *store.Dynamo) { d.ListProblems(ctx, problem.Filter{}) },
		"LinkIncident":    func(ctx context.Context, d *store.Dynamo) { d.LinkIncident(ctx, "PRB-1", "FB-X-1", t) },
		"ProblemTimeline": func(ctx context.Context, d *store.Dynamo) { d.ProblemTimeline(ctx, "PRB-1") },
		"UpdateProblem": func(ctx context.Context, d *store.Dynamo) {
			d.UpdateProblem(ctx, "PRB-1", func(p *problem.Problem) error { p.RootCause = "x"; return nil }, e)
		},
		"AddProblemEntries": func(ctx context.Context, d *store.Dynamo) { d.AddProblemEntries(ctx, e) },
	} {
		storeMethodCalls[name] = call
	}
}
