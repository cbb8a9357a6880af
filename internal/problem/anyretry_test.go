package problem_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/problem"
	"github.com/firebreak-ops/firebreak/internal/store"
	"github.com/firebreak-ops/firebreak/internal/store/dynamotest"
)

func TestMain(m *testing.M) { dynamotest.Main(m) }

// TestResolutionCompleteAfterAnyFailedWrite fails each write of a person's resolution
// of a recurring problem in turn, before it lands and after; the person tries again
// after an error (a retry that finds it resolved is told so): the problem, its timeline
// and its fingerprint's recurrence end as without the failure, so the fingerprint's
// next recurrence opens a new problem.
func TestResolutionCompleteAfterAnyFailedWrite(t *testing.T) {
	db := dynamotest.SharedForTest(t).Client()
	ctx := context.Background()
	const fp = "ops.alarm|123456789012|eu-west-1|db"
	run := func(t *testing.T, fail *dynamotest.FailNthWrite) string {
		t.Helper()
		table := dynamotest.NewTable(t, db)
		clock := t0
		now := func() time.Time { return clock }
		w := store.NewDynamo(db, table, now) // intake and dispatch
		tr := &problem.Tracker{Store: w, Rule: func(string) problem.Rule { return problem.Rule{Incidents: 3, Within: 24 * time.Hour, Reopens: 3} }}
		for i := range 3 {
			at := t0.Add(time.Duration(i) * time.Hour)
			inc := incident.Incident{ID: fmt.Sprintf("FB-P-%d", i+1), Seq: i + 1, Fingerprint: fp, Class: "ops.alarm", Severity: incident.Sev3, Team: "platform",
				Status: incident.Resolved, OpenedAt: at, StateAt: at}
			if _, _, err := w.Open(ctx, inc, incident.Entry{}); err != nil {
				t.Fatal(err)
			}
			if _, err := tr.Recur(ctx, inc, time.Time{}); err != nil {
				t.Fatal(err)
			}
		}
		id := problem.RecurringID(fp, 1)
		clock = t0.Add(5 * time.Hour)
		fail.DynamoDB = db
		svc := &problem.Service{Store: store.NewDynamo(fail, table, now), Now: now}
		for try := 0; ; try++ { // the person tries again after an error
			_, err := svc.SetStatus(ctx, id, problem.Resolved, "alice", "fixed the pool")
			if err == nil || (try > 0 && errors.Is(err, problem.ErrTransition)) {
				break
			}
			if try == 3 {
				t.Fatalf("SetStatus(resolved) still fails after %d tries: %v", try+1, err)
			}
		}
		p, err := w.GetProblem(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		tl, err := w.ProblemTimeline(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, e := range tl {
			keys = append(keys, fmt.Sprintf("%s %s=%s", e.At.Sub(t0), e.Kind, e.Key))
		}
		rec, err := w.Recur(ctx, fp, func(*problem.Recurrence) bool { return false })
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("%s %s resolved %s: %v; fingerprint held by %q since %s", p.ID, p.Status, p.ResolvedAt.Sub(t0), keys, rec.Open, rec.Since.Sub(t0))
	}
	want := run(t, &dynamotest.FailNthWrite{})
	dynamotest.EachWriteFailed(t, want, 3, run)
}
