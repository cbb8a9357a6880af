package dispatch_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/awstest"
	"github.com/firebreak-ops/firebreak/internal/dispatch"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/notify"
	"github.com/firebreak-ops/firebreak/internal/runbook"
	"github.com/firebreak-ops/firebreak/internal/store"
	"github.com/firebreak-ops/firebreak/internal/store/dynamotest"
)

// TestChangeDispatchedWhenReadsFailOnce: every other read dispatch makes fails the
// first time it is made. A record retried whole got two reads further per delivery (an
// opening makes about fifteen); dispatch (as the Lambda is built: CallsAgain, and the
// tracker's own) makes a failed call again where it is, so each record is dispatched at
// its first delivery, with the notices and runbook start of a run without failures. (A
// call of several requests — List: a query per status, then the counters — is made
// again whole: it must get its requests through in one of its tries.)
func TestChangeDispatchedWhenReadsFailOnce(t *testing.T) {
	srv := dynamotest.SharedForTest(t)
	db := srv.Client()
	ctx := context.Background()
	at := func(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }
	c := cfg(t)
	steps := []streamStep{
		opens("FB-R-1", "fp-r", 1, incident.Sev3, at(0)),
		changes("FB-R-1", incident.Resolved, "", at(5), incident.KindResolved),
		changes("FB-R-1", incident.Open, "", at(8), incident.KindReopened),
		opens("FB-R-2", "fp-r", 2, incident.Sev3, at(10)),
		opens("FB-R-3", "fp-r", 3, incident.Sev3, at(20)),
		opens("FB-A-1", "fp-a", 1, incident.Sev2, at(30)),
		changes("FB-A-1", incident.Mitigated, "", at(35), incident.KindMitigated),
	}
	run := func(t *testing.T, failing bool) []string {
		table := dynamotest.NewTable(t, db)
		now := func() time.Time { return at(60) }
		w := store.NewDynamo(db, table, now) // the writer: intake, a responder
		f := &dynamotest.FailFirstReads{DynamoDB: db, Every: 2}
		st := store.NewDynamo(f, table, now)
		aws := awstest.New()
		defer aws.Close()
		sender := notify.New(aws.SNS(), map[string]string{"security": securityTopic, "platform": platformTopic})
		calls := dispatch.CallsAgain(st)
		d := &dispatch.Dispatcher{Store: calls, Quiet: calls, Sender: sender, Config: c, Now: now, Lease: time.Minute,
			Runbooks: &runbook.StepFunctions{Client: aws.SFN(), StateMachines: map[string]string{"alarm-diagnostics": stateMachine}}}
		d.Problems = dispatch.NewTracker(st, sender, c, nil, nil)
		for i, step := range steps {
			rec, err := step(ctx, w)
			if err != nil {
				t.Fatalf("step %d: %v", i, err)
			}
			if failing {
				f.Arm() // every request of this record is new
			}
			if err := d.Handle(ctx, rec); err != nil {
				t.Fatalf("step %d (%s of %s), reads failing once: %v; want it dispatched at its first delivery", i, dispatch.Classify(rec), rec.New.ID, err)
			}
		}
		if failing && f.Failed() < len(steps) {
			t.Fatalf("%d reads failed; want one of every two of every record's", f.Failed())
		}
		return sent(aws)
	}
	want := run(t, false)
	if len(want) < 5 {
		t.Fatalf("without failures: sent %v; want the pages, the problem and a runbook start", want)
	}
	if got := run(t, true); !slices.Equal(got, want) {
		t.Errorf("reads failing once: sent %v; want %v", got, want)
	}
}
