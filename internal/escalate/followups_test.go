package escalate_test

import (
	"context"
	"strings"
	"sync"
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

// TestFollowupsRemindOnce: the owners of a review and of a problem's action are
// reminded a day before, at and a week after the due time, each once, however the
// ticks fall: repeated, late, or two at once; against both stores, through the real
// SNS client.
func TestFollowupsRemindOnce(t *testing.T) {
	stores := map[string]func(t *testing.T, now func() time.Time) store.Store{
		"memory": func(t *testing.T, now func() time.Time) store.Store { return store.NewMemory(now) },
		"dynamo": func(t *testing.T, now func() time.Time) store.Store {
			db, table := dynamotest.ForTest(t)
			return store.NewDynamo(db, table, now)
		},
	}
	for name, mk := range stores {
		t.Run(name, func(t *testing.T) {
			var mu sync.Mutex
			clock := t0
			now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
			set := func(t time.Time) { mu.Lock(); defer mu.Unlock(); clock = t }
			st := mk(t, now)
			sns := awstest.New()
			defer sns.Close()
			ctx := context.Background()
			day := 24 * time.Hour
			inc := incident.Incident{ID: "FB-X-1", Seq: 1, Fingerprint: "fp", Class: "x", Title: "down", Severity: incident.Sev1, Team: "web",
				Status: incident.Resolved, OpenedAt: t0, StateAt: t0, ResolvedAt: t0}
			if _, _, err := st.Open(ctx, inc, incident.Entry{}); err != nil {
				t.Fatal(err)
			}
			c := cfg(t)
			rs := &review.Service{Store: st, Config: c, Now: now}
			if _, _, err := rs.Resolved(ctx, inc, t0); err != nil {
				t.Fatal(err)
			}
			as := &action.Service{Store: st, Lister: st, Timeline: st, Schedule: review.Schedule(c), Now: now}
			if _, _, err := as.Add(ctx, action.Action{Title: "Upgrade the firmware", Owner: "backup", Due: t0.Add(2 * day),
				LinkKind: action.LinkProblem, Link: "PB-1"}, "sam"); err != nil {
				t.Fatal(err)
			}
			f := &escalate.Followups{Store: st, Config: c, Now: now, Lease: time.Minute,
				Sender: notify.New(sns.SNS(), map[string]string{"web": "arn:aws:sns:eu-west-1:1:web", "backup": "arn:aws:sns:eu-west-1:1:backup"})}
			var total escalate.FollowupReport
			var tmu sync.Mutex
			tick := func() {
				rep, err := f.Tick(ctx)
				if err != nil {
					t.Error(err)
				}
				tmu.Lock()
				defer tmu.Unlock()
				total.ReviewReminders += rep.ReviewReminders
				total.ActionReminders += rep.ActionReminders
				total.ReviewsOverdue += rep.ReviewsOverdue
				total.ActionsOverdue += rep.ActionsOverdue
			}
			for _, at := range []time.Duration{0, day, day, 2 * day, 4*day + time.Hour, 5 * day, 9 * day, 12*day + time.Hour, 12*day + time.Hour} {
				set(t0.Add(at))
				var wg sync.WaitGroup
				for range 2 { // two ticks at once
					wg.Add(1)
					go func() { defer wg.Done(); tick() }()
				}
				wg.Wait()
			}
			// Review due at 5d: reminded at 4d (late tick: 4d1h), 5d, 12d. Action due at
			// 2d: 1d, 2d, 9d.
			if total.ReviewReminders != 3 || total.ActionReminders != 3 || total.ReviewsOverdue != 1 || total.ActionsOverdue != 1 {
				t.Errorf("ticks = %+v; want 3 review and 3 action reminders, 1 overdue each", total)
			}
			var topics []string
			for _, p := range sns.Of("Publish") {
				topics = append(topics, strings.TrimPrefix(p.Form.Get("TopicArn"), "arn:aws:sns:eu-west-1:1:"))
			}
			if strings.Join(topics, ",") != "backup,backup,web,web,backup,web" {
				t.Errorf("published to %v; want backup (1d), backup (2d), web (4d), web (5d), backup (9d), web (12d)", topics)
			}
			if due, err := st.ReviewsDue(ctx, t0.Add(18*day), 0); err != nil || len(due) != 0 {
				t.Errorf("ReviewsDue(18d) = %d, %v; want none before the next weekly reminder at 19d", len(due), err)
			}
			if due, err := st.ActionsDue(ctx, t0.Add(16*day), 1); err != nil || len(due) != 1 || !due[0].NextRemind.Equal(t0.Add(16*day)) {
				t.Errorf("ActionsDue(16d) = %+v, %v; want the action, next reminded at 16d", due, err)
			}
		})
	}
}
