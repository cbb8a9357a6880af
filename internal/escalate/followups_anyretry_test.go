package escalate_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/action"
	"github.com/firebreak-ops/firebreak/internal/awstest"
	"github.com/firebreak-ops/firebreak/internal/escalate"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/notify"
	"github.com/firebreak-ops/firebreak/internal/review"
	"github.com/firebreak-ops/firebreak/internal/store"
	"github.com/firebreak-ops/firebreak/internal/store/dynamotest"
)

// TestFollowupsCompleteAfterAnyFailedWrite fails each write of the follow-up clocks in
// turn, before it lands and after; a failed tick is retried by the next, a minute
// later. A review due at 5d is reminded at 4d, 5d and 12d; an action of its incident due
// at 2d at 1d, 2d and 9d: the reminders sent, the timeline, the claims and the next
// reminder of each end as without the failure, nothing sent twice.
func TestFollowupsCompleteAfterAnyFailedWrite(t *testing.T) {
	srv := dynamotest.SharedForTest(t)
	db := srv.Client()
	ctx := context.Background()
	c := cfg(t)
	day := 24 * time.Hour
	const id = "FB-F-1"
	run := func(t *testing.T, fail *dynamotest.FailNthWrite) (string, []string) {
		t.Helper()
		table := dynamotest.NewTable(t, db)
		clock := t0
		now := func() time.Time { return clock }
		w := store.NewDynamo(db, table, now) // intake, dispatch and the responders
		inc := incident.Incident{ID: id, Seq: 1, Fingerprint: "fp-f", Class: "x", Title: "down", Severity: incident.Sev1, Team: "web",
			Status: incident.Resolved, OpenedAt: t0, StateAt: t0, ResolvedAt: t0}
		if _, _, err := w.Open(ctx, inc, incident.Entry{}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := (&review.Service{Store: w, Config: c, Now: now}).Resolved(ctx, inc, t0); err != nil {
			t.Fatal(err)
		}
		as := &action.Service{Store: w, Lister: w, Timeline: w, Schedule: review.Schedule(c), Now: now}
		a, _, err := as.Add(ctx, action.Action{Title: "Add a canary", Owner: "backup", Due: t0.Add(2 * day), LinkKind: action.LinkIncident, Link: id}, "sam")
		if err != nil {
			t.Fatal(err)
		}
		fail.DynamoDB = db
		sns := awstest.New()
		defer sns.Close()
		f := &escalate.Followups{Store: store.NewDynamo(fail, table, now), Config: c, Now: now, Lease: time.Minute,
			Sender: notify.New(sns.SNS(), map[string]string{"web": "arn:aws:sns:eu-west-1:1:web", "backup": "arn:aws:sns:eu-west-1:1:backup"})}
		for _, at := range []time.Duration{day, 2 * day, 4 * day, 5 * day, 9 * day, 12 * day} {
			clock = t0.Add(at)
			for try := 0; ; try++ { // the schedule ticks every minute
				_, err := f.Tick(ctx)
				if err == nil {
					break
				}
				if try == 4 {
					t.Fatalf("the tick at %s still fails %d minutes later: %v", at, try, err)
				}
				clock = clock.Add(time.Minute)
			}
		}
		r, err := w.GetReview(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		got, err := w.GetAction(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		var sent []string
		for _, p := range sns.Of("Publish") {
			topic := p.Form.Get("TopicArn")
			sent = append(sent, topic[strings.LastIndex(topic, ":")+1:]+"/"+attr(p, "kind"))
		}
		return fmt.Sprintf("review next %s, action next %s\n%s\n%s", r.NextRemind.Sub(t0), got.NextRemind.Sub(t0),
			tickState(t, ctx, db, table, w, []string{id}), tickState(t, ctx, db, table, w, []string{a.ID})), sent
	}
	want, wantSent := run(t, &dynamotest.FailNthWrite{})
	if len(wantSent) != 6 || strings.Count(want, string(incident.KindReviewReminded)+"=") != 3 || strings.Count(want, string(incident.KindActionReminded)+"=") != 3 {
		t.Fatalf("without failures: sent %v\n%s\nwant 3 review and 3 action reminders, each on the timeline", wantSent, want)
	}
	dynamotest.EachWriteFailedAgainst(t, 10, func(t *testing.T, fail *dynamotest.FailNthWrite) (string, string) {
		got, sent := run(t, fail)
		return fmt.Sprintf("%s\nsent %v", got, sent), fmt.Sprintf("%s\nsent %v", want, wantSent)
	})
}
