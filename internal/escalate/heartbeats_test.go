package escalate_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/escalate"
	"github.com/firebreak-ops/firebreak/internal/heartbeat"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/store"
	"github.com/firebreak-ops/firebreak/internal/store/dynamotest"
)

const heartbeatYAML = cfgYAML + `heartbeats:
  - {name: backup, match: {"source": ["app.backup"]}, interval: 1h, grace: 10m, severity: sev2, team: backup}
`

type heartbeatStore interface {
	escalate.HeartbeatStore
	Get(ctx context.Context, id string) (incident.Incident, error)
	Timeline(ctx context.Context, id string) ([]incident.Entry, error)
}

func TestHeartbeatsMissedAndResumed(t *testing.T) {
	stores := map[string]func(t *testing.T, now func() time.Time) heartbeatStore{
		"memory":   func(t *testing.T, now func() time.Time) heartbeatStore { return store.NewMemory(now) },
		"dynamodb": func(t *testing.T, now func() time.Time) heartbeatStore { return dynamotest.Store(t, now) },
	}
	for name, newStore := range stores {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			c, err := config.Parse("c.yaml", []byte(heartbeatYAML))
			if err != nil {
				t.Fatal(err)
			}
			hb := c.Heartbeat("backup")
			var mu sync.Mutex
			now := t0
			clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
			st := newStore(t, clock)
			clk := &escalate.Heartbeats{Store: st, Config: c, Now: clock}
			beat := func(at time.Time, id string) {
				t.Helper()
				cur, err := st.Heartbeat(ctx, hb.Name)
				if err != nil && cur.Name != "" {
					t.Fatal(err)
				}
				next, _ := heartbeat.Beat(cur, hb, at, id)
				if ok, err := st.PutHeartbeat(ctx, next); err != nil || !ok {
					t.Fatalf("PutHeartbeat(beat %s) = %v, %v", id, ok, err)
				}
			}
			tick := func(at time.Time) escalate.HeartbeatReport {
				t.Helper()
				mu.Lock()
				now = at
				mu.Unlock()
				rep, err := clk.Tick(ctx)
				if err != nil {
					t.Fatalf("Tick(%s) = %v", at.Sub(t0), err)
				}
				return rep
			}
			kinds := func(id string) string {
				tl, err := st.Timeline(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				var out []string
				for _, e := range tl {
					out = append(out, string(e.Kind)+"@"+e.At.Sub(t0).String())
				}
				return strings.Join(out, " ")
			}

			beat(t0, "e0")
			if rep := tick(min(69)); rep.Due != 0 || rep.Missed != 0 {
				t.Errorf("Tick(1h9m) = %+v; want nothing due before interval + grace", rep)
			}
			// Two schedules fire at once, late: one incident, stamped when it was missed.
			var wg sync.WaitGroup
			reps := make([]escalate.HeartbeatReport, 2)
			mu.Lock()
			now = min(95)
			mu.Unlock()
			for i := range reps {
				wg.Add(1)
				go func() {
					defer wg.Done()
					reps[i], _ = clk.Tick(ctx)
				}()
			}
			wg.Wait()
			if reps[0].Missed+reps[1].Missed != 1 {
				t.Fatalf("two concurrent ticks missed %d and %d; want exactly one incident", reps[0].Missed, reps[1].Missed)
			}
			id := heartbeat.Incident("backup", 1)
			inc, err := st.Get(ctx, id)
			if err != nil {
				t.Fatalf("Get(%s) = %v; want the heartbeat.missed incident", id, err)
			}
			if inc.Class != config.HeartbeatClass || inc.Severity != incident.Sev2 || inc.Team != "backup" || inc.Status != incident.Open || !inc.OpenedAt.Equal(min(70)) {
				t.Errorf("incident = %s %s %s %s opened %s; want heartbeat.missed sev2 backup open, opened at 1h10m",
					inc.Class, inc.Severity, inc.Team, inc.Status, inc.OpenedAt.Sub(t0))
			}
			// Entries of one instant are in key order.
			if got, want := kinds(id), "heartbeat-missed@1h10m0s opened@1h10m0s"; got != want {
				t.Errorf("timeline = %q; want %q", got, want)
			}
			if tl, _ := st.Timeline(ctx, id); len(tl) < 2 || !strings.Contains(tl[0].Detail, "the last came 2026-11-02 09:00 UTC") ||
				!strings.Contains(tl[1].Detail, "since 2026-11-02 09:00 UTC") {
				t.Errorf("missed entry = %+v; want it to say when the last beat came", tl)
			}
			if rep := tick(min(300)); rep.Due != 0 {
				t.Errorf("Tick(5h) while missed = %+v; want nothing due: one incident per miss", rep)
			}
			s, _ := st.Heartbeat(ctx, "backup")
			if got := s.StatusAt(min(300)); got != heartbeat.Missing {
				t.Errorf("StatusAt(5h) = %s; want %s", got, heartbeat.Missing)
			}

			beat(min(301), "e1") // the job runs again
			if rep := tick(min(302)); rep.Resumed != 1 || rep.Missed != 0 {
				t.Errorf("Tick(5h2m) after a beat = %+v; want the incident mitigated", rep)
			}
			if inc, _ := st.Get(ctx, id); inc.Status != incident.Mitigated || !inc.StateAt.Equal(min(301)) {
				t.Errorf("incident after the beat: %s at %s; want mitigated at the beat (5h1m)", inc.Status, inc.StateAt.Sub(t0))
			}
			if got, want := kinds(id), "heartbeat-missed@1h10m0s opened@1h10m0s heartbeat-resumed@5h1m0s mitigated@5h1m0s"; got != want {
				t.Errorf("timeline = %q; want %q", got, want)
			}
			if tl, _ := st.Timeline(ctx, id); len(incident.Causality(tl, nil)) > 0 {
				t.Errorf("Causality(timeline of %s) = %v; want none", id, incident.Causality(tl, nil))
			}
			s, _ = st.Heartbeat(ctx, "backup")
			if s.Missed != "" || !s.Check.Equal(min(371)) || s.StatusAt(min(302)) != heartbeat.Beating {
				t.Errorf("state after the beat = %+v; want beating, due again at 6h11m", s)
			}
			if rep := tick(min(371)); rep.Missed != 1 {
				t.Errorf("Tick(6h11m) = %+v; want the second miss", rep)
			}
			if _, err := st.Get(ctx, heartbeat.Incident("backup", 2)); err != nil {
				t.Errorf("second miss: %v; want its own incident", err)
			}
		})
	}
}
