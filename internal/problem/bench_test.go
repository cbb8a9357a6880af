package problem_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/problem"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// BenchmarkRecurHistory: the cost of counting an incident toward its fingerprint's
// problem does not grow with the fingerprint's history (the recurrence item keeps at most
// MaxOccurrences). Compare history=10 with history=2000: the ratio should stay near 1.
func BenchmarkRecurHistory(b *testing.B) {
	for _, history := range []int{10, 2000} {
		b.Run(fmt.Sprintf("history=%d", history), func(b *testing.B) {
			ctx := context.Background()
			fp := "ops.alarm|123456789012|eu-west-1|flappy"
			st := store.NewMemory(func() time.Time { return t0 })
			tr := &problem.Tracker{Store: st, Once: store.Once{Claims: st},
				Rule: func(string) problem.Rule { return problem.Rule{Incidents: 3, Within: 7 * day, Reopens: 3} }}
			seq := 0
			next := func() incident.Incident {
				seq++
				inc := incident.Incident{ID: incident.ID(fp, seq), Seq: seq, Fingerprint: fp, Class: "ops.alarm", Title: "flappy",
					Team: "platform", Status: incident.Open, OpenedAt: t0.Add(time.Duration(seq) * time.Hour)}
				if _, _, err := st.Open(ctx, inc, incident.Entry{}); err != nil {
					b.Fatal(err)
				}
				return inc
			}
			for range history {
				if _, err := tr.Recur(ctx, next(), time.Time{}); err != nil {
					b.Fatal(err)
				}
			}
			incs := make([]incident.Incident, b.N)
			for i := range incs {
				incs[i] = next()
			}
			b.ResetTimer()
			for i := range b.N {
				if _, err := tr.Recur(ctx, incs[i], time.Time{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
