package intake_test

import (
	"context"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/event/eventtest"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/intake"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// pausingStore holds the first KeepLoose call until the test lets it go: one worker
// stops right after it decided its events are loose, before it keeps them.
type pausingStore struct {
	fullStore
	reached chan struct{} // closed when KeepLoose is called
	release chan struct{} // closed to let it go on
}

func (s *pausingStore) KeepLoose(ctx context.Context, fp string, evs []store.Loose) error {
	select {
	case <-s.reached:
	default:
		close(s.reached)
		<-s.release
	}
	return s.fullStore.KeepLoose(ctx, fp, evs)
}

// TestLooseRaceWithOpener interleaves two workers at exactly the bad point: worker A
// finds no incident that takes its recovery and is about to keep it loose; worker B
// opens (or opens earlier) the incident and looks for loose events before A kept it.
// Afterwards A's message is retried, and its redelivery gives the incident its
// recovery: the outcome is the one of any sequential order.
func TestLooseRaceWithOpener(t *testing.T) {
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	alarm := func(id, state string, m int) intake.Message {
		return msg("m-"+id, eventtest.Alarm(t, id, "prod-race", state, at(m)))
	}
	tests := []struct {
		name   string
		before []intake.Message // processed first, alone
		a, b   intake.Message   // a pauses before keeping loose; b runs meanwhile
		want   expected
	}{
		{"recovery with nothing open, while its trigger opens", nil, alarm("ok", "OK", 10), alarm("alarm", "ALARM", 5),
			expected{incident.Mitigated, at(5), 1, 1}},
		{"recovery before the opening, while an earlier trigger opens it earlier", []intake.Message{alarm("a2", "ALARM", 20)},
			alarm("ok", "OK", 10), alarm("a1", "ALARM", 5), expected{incident.Open, at(5), 2, 1}},
	}
	for name, newStore := range stores {
		t.Run(name, func(t *testing.T) {
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					ctx := context.Background()
					base := newStore(t)
					c := classifier(t)
					if len(tt.before) > 0 {
						if rep, err := intake.New(base, c, now, nil).Process(ctx, tt.before); err != nil || len(rep.Retry) > 0 {
							t.Fatalf("Process(before) = retry %v, err %v", rep.Retry, err)
						}
					}
					st := &pausingStore{fullStore: base, reached: make(chan struct{}), release: make(chan struct{})}
					workerA, workerB := intake.New(st, c, now, nil), intake.New(st, c, now, nil)
					type result struct {
						rep intake.Report
						err error
					}
					done := make(chan result)
					go func() {
						rep, err := workerA.Process(ctx, []intake.Message{tt.a})
						done <- result{rep, err}
					}()
					<-st.reached
					if rep, err := workerB.Process(ctx, []intake.Message{tt.b}); err != nil || len(rep.Retry) > 0 {
						t.Fatalf("worker B: Process() = retry %v, err %v", rep.Retry, err)
					}
					close(st.release)
					a := <-done
					if a.err != nil {
						t.Fatalf("worker A: Process() error %v", a.err)
					}
					if len(a.rep.Retry) != 1 || a.rep.Retry[0] != tt.a.ID || len(a.rep.Outcomes) != 0 {
						t.Fatalf("worker A: Process() = retry %v, outcomes %v; want retry [%s] and no outcomes", a.rep.Retry, a.rep.Outcomes, tt.a.ID)
					}
					rep, err := workerA.Process(ctx, []intake.Message{tt.a}) // the redelivery
					if err != nil || len(rep.Retry) > 0 {
						t.Fatalf("redelivery: Process() = retry %v, err %v", rep.Retry, err)
					}
					if g := got(t, base)["prod-race"]; g != tt.want {
						t.Errorf("incident = %s opened %s count %d recoveries %d; want %s opened %s count %d recoveries %d",
							g.status, g.opened.Sub(t0), g.count, g.recoveries, tt.want.status, tt.want.opened.Sub(t0), tt.want.count, tt.want.recoveries)
					}
				})
			}
		})
	}
}
