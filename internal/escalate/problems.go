package escalate

import (
	"context"
	"time"

	"github.com/firebreak-ops/firebreak/internal/problem"
)

// MetricOpenProblems is the gauge of problems not yet resolved, emitted every tick for the
// dashboard: problems come and go slowly, and "how many causes are still open" is a
// state, not a count of events, so it is read rather than summed.
const MetricOpenProblems = "OpenProblems"

// ProblemLister is what the open-problems gauge reads: the problems of the unresolved
// statuses, one query of the list index each (no scan; bounded by the open problems).
type ProblemLister interface {
	ListProblems(ctx context.Context, f problem.Filter) ([]problem.Problem, error)
}

// gaugeProblems emits how many problems are open now; nothing when the escalator has no
// problem store or no metrics. A failed read is logged: the gauge misses one minute.
func (e *Escalator) gaugeProblems(ctx context.Context, now time.Time) {
	if e.Problems == nil || e.Metrics == nil {
		return
	}
	open, err := e.Problems.ListProblems(ctx, problem.Filter{Status: problem.Unresolved})
	if err != nil {
		e.log().WarnContext(ctx, "open problems not counted", "error", err)
		return
	}
	if err := e.Metrics.Emit(now, nil, map[string]int{MetricOpenProblems: len(open)}); err != nil {
		e.log().WarnContext(ctx, "metrics not written", "error", err)
	}
}
