package escalate_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/awstest"
	"github.com/firebreak-ops/firebreak/internal/escalate"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/notify"
	"github.com/firebreak-ops/firebreak/internal/store"
	"github.com/firebreak-ops/firebreak/internal/store/dynamotest"
)

// meetingSender holds its first send until a second one is under way (or, so that a
// tick working on one incident at a time cannot hang the test, a minute has passed).
type meetingSender struct {
	escalate.Sender
	once, met sync.Once
	second    chan struct{}
	mu        sync.Mutex
	calls     int
	together  bool
}

func (m *meetingSender) Send(ctx context.Context, team string, n notify.Notice) (string, error) {
	m.mu.Lock()
	m.calls++
	first := m.calls == 1
	m.mu.Unlock()
	if first {
		select {
		case <-m.second:
			m.mu.Lock()
			m.together = true
			m.mu.Unlock()
		case <-time.After(time.Minute):
		}
	} else {
		m.met.Do(func() { close(m.second) })
	}
	return m.Sender.Send(ctx, team, n)
}

// TestTickWorksOnDueIncidentsAtOnce: thirty incidents fall due together; the tick works
// on several at once (Workers), and each one's steps are still done exactly once, as
// one after another does them.
func TestTickWorksOnDueIncidentsAtOnce(t *testing.T) {
	for _, workers := range []int{1, escalate.DueWorkers} {
		t.Run(fmt.Sprintf("workers=%d", workers), func(t *testing.T) {
			clock := t0
			now := func() time.Time { return clock }
			st := dynamotest.Store(t, now)
			sns := awstest.New()
			defer sns.Close()
			ctx := context.Background()
			const n = 30
			for i := range n {
				inc := incident.Incident{ID: fmt.Sprintf("FB-W%02d-1", i), Seq: 1, Fingerprint: fmt.Sprintf("fp-%d", i), Class: "x", Title: "down",
					Severity: incident.Sev1, Team: "web", Status: incident.Open, OpenedAt: t0, StateAt: t0}
				if _, _, err := st.Open(ctx, inc, incident.Entry{}); err != nil {
					t.Fatal(err)
				}
			}
			sender := &meetingSender{second: make(chan struct{}),
				Sender: notify.New(sns.SNS(), map[string]string{"web": "arn:aws:sns:eu-west-1:1:web", "backup": "arn:aws:sns:eu-west-1:1:backup", "boss": "arn:aws:sns:eu-west-1:1:boss"})}
			if workers == 1 {
				sender.met.Do(func() { close(sender.second) }) // one at a time never meets
			}
			e := &escalate.Escalator{Store: st, Config: cfg(t), Now: now, Lease: time.Minute, Workers: workers, Sender: sender}
			var total escalate.Report
			for _, m := range []int{0, 5, 16, 31} {
				clock = min(m)
				rep, err := e.Tick(ctx)
				if err != nil {
					t.Fatal(err)
				}
				total.Escalations += rep.Escalations
				total.Breaches += rep.Breaches
			}
			if total.Escalations != 3*n || total.Breaches != n {
				t.Errorf("ticks did %d escalations, %d breaches; want %d (5m, 15m, 30m of each) and %d", total.Escalations, total.Breaches, 3*n, n)
			}
			topics := map[string]int{}
			for _, p := range sns.Of("Publish") {
				topics[p.Form.Get("TopicArn")[len("arn:aws:sns:eu-west-1:1:"):]]++
			}
			if want := map[string]int{"web": n, "backup": n, "boss": 2 * n}; fmt.Sprint(topics) != fmt.Sprint(want) {
				t.Errorf("published %v; want %v (each incident's tiers once)", topics, want)
			}
			for i := range n {
				got, err := st.Get(ctx, fmt.Sprintf("FB-W%02d-1", i))
				if err != nil {
					t.Fatal(err)
				}
				if !got.DueAt.Equal(min(45)) {
					t.Errorf("%s: DueAt = %v; want the next step at 45m", got.ID, got.DueAt.Sub(t0))
				}
			}
			if workers > 1 && !sender.together {
				t.Errorf("with %d workers no two notices were under way at once", workers)
			}
		})
	}
}

// TestTickSetsDueAgainWhereItFails: the write that schedules an incident's next look
// fails once, before or after it lands; the tick makes it again at once (its repeat sets
// the same values under the same condition), so the tick succeeds and the incident is
// due at its next step, not again at once.
func TestTickSetsDueAgainWhereItFails(t *testing.T) {
	for _, after := range []bool{false, true} {
		t.Run(fmt.Sprintf("after=%v", after), func(t *testing.T) {
			srv := dynamotest.SharedForTest(t)
			db := srv.Client()
			table := dynamotest.NewTable(t, db)
			now := func() time.Time { return t0 }
			ctx := context.Background()
			w := store.NewDynamo(db, table, now)
			if err := opensSev1("FB-D-1")(ctx, w, t0); err != nil {
				t.Fatal(err)
			}
			f := &dynamotest.FailNthWrite{DynamoDB: db, N: 1, After: after}
			sns := awstest.New()
			defer sns.Close()
			e := &escalate.Escalator{Store: store.NewDynamo(f, table, now), Config: cfg(t), Now: now, Lease: time.Minute,
				Sender: notify.New(sns.SNS(), map[string]string{"web": "arn:aws:sns:eu-west-1:1:web"})}
			if _, err := e.Tick(ctx); err != nil {
				t.Fatalf("Tick with the due write failing once: %v; want it made again in place", err)
			}
			if f.Failed() != "UpdateItem" {
				t.Fatalf("the tick's first write failed was %q; want the due write (UpdateItem)", f.Failed())
			}
			got, err := w.Get(ctx, "FB-D-1")
			if err != nil {
				t.Fatal(err)
			}
			if !got.DueAt.Equal(min(5)) {
				t.Errorf("DueAt = %v; want the first escalation at 5m", got.DueAt.Sub(t0))
			}
		})
	}
}
