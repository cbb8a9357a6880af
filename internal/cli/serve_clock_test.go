package cli

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/event/eventtest"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/intake"
	"github.com/firebreak-ops/firebreak/internal/lifecycle"
	"github.com/firebreak-ops/firebreak/internal/pipeline"
)

const clockConfig = `version: 1
defaults: {team: web, auto_resolve_after: 30m}
teams:
  web: {email: [web@example.com]}
severities:
  sev1:
    channels: [email]
    update_every: 30m
    escalation:
      - {after: 5m, notify: [owner]}
  sev2: {channels: [email]}
  sev3: {channels: [email]}
  sev4: {channels: [email]}
taxonomy:
  - class: web.down
    match: {"source": ["aws.cloudwatch"]}
    severity: sev1
`

// wallClock is a settable stand-in for the wall clock.
type wallClock struct {
	mu sync.Mutex
	t  time.Time
}

func (w *wallClock) now() time.Time  { w.mu.Lock(); defer w.mu.Unlock(); return w.t }
func (w *wallClock) set(t time.Time) { w.mu.Lock(); defer w.mu.Unlock(); w.t = t }

// TestServeClocksRunInWallTime: with nobody touching the API, serve's clocks escalate an
// unacknowledged incident, remind its owner once it is acknowledged, and resolve it once
// it has been mitigated and quiet, as the wall clock passes; they stop when the context
// ends. The ticker and the wall clock are the test's.
func TestServeClocksRunInWallTime(t *testing.T) {
	t0 := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	cfg, err := config.Parse("clock.yaml", []byte(clockConfig))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	l, err := pipeline.New(pipeline.Options{Config: cfg, Start: t0})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := l.Ingest(ctx, []intake.Message{{ID: "a", Body: eventtest.Alarm(t, "a", "web-x", "ALARM", t0), ReceivedAt: t0}})
	if err != nil || len(rep.Outcomes) != 1 || rep.Outcomes[0].Kind != intake.Opened {
		t.Fatalf("Ingest() = %v, %v; want an incident opened", rep.Outcomes, err)
	}
	id := rep.Outcomes[0].Incident

	wall := &wallClock{t: t0.Add(time.Hour)} // serve starts an hour after the replay's clock
	steps, err := newLiveSteps(ctx, l, wall.now)
	if err != nil {
		t.Fatal(err)
	}
	tick := make(chan time.Time)
	done := make(chan struct{})
	go func() {
		defer close(done)
		steps.run(ctx, tick, slog.New(slog.DiscardHandler))
	}()
	// at moves the wall clock to d past serve's start and lets one tick run to the end
	// (the second send is taken only once the first tick's work is done).
	at := func(d time.Duration) {
		wall.set(t0.Add(time.Hour + d))
		tick <- time.Time{}
		tick <- time.Time{}
	}
	counts := func() (r struct {
		escalations, reminders, resolved int
		status                           incident.Status
	}) {
		t.Helper()
		if err := l.Do(ctx, func(ctx context.Context) error {
			r.escalations, r.reminders, r.resolved = l.Escalation.Escalations, l.Escalation.Reminders, l.Escalation.AutoResolved
			inc, err := l.Store.Get(ctx, id)
			r.status = inc.Status
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return r
	}
	person := func(to incident.Status) {
		t.Helper()
		if err := steps.Do(ctx, func(ctx context.Context) error {
			_, err := l.Lifecycle.Transition(ctx, lifecycle.Request{Incident: id, By: "sam"}, to, "")
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}

	at(4 * time.Minute)
	if c := counts(); c.escalations != 0 {
		t.Errorf("after 4m: %d escalations; want 0 (the tier is at 5m)", c.escalations)
	}
	at(6 * time.Minute)
	if c := counts(); c.escalations != 1 || c.status != incident.Open {
		t.Errorf("after 6m: %d escalations, %s; want 1, open", c.escalations, c.status)
	}
	person(incident.Acknowledged) // at 6m
	at(35 * time.Minute)
	if c := counts(); c.reminders != 0 {
		t.Errorf("after 35m: %d reminders; want 0 (due 30m after the acknowledgement, at 36m)", c.reminders)
	}
	at(37 * time.Minute)
	if c := counts(); c.reminders != 1 {
		t.Errorf("after 37m: %d reminders; want 1", c.reminders)
	}
	wall.set(t0.Add(time.Hour + 40*time.Minute))
	person(incident.Mitigated) // at 40m
	at(69 * time.Minute)
	if c := counts(); c.resolved != 0 || c.status != incident.Mitigated {
		t.Errorf("after 69m: %d auto-resolved, %s; want 0, mitigated (quiet for 30m at 70m)", c.resolved, c.status)
	}
	at(71 * time.Minute)
	if c := counts(); c.resolved != 1 || c.status != incident.Resolved {
		t.Errorf("after 71m: %d auto-resolved, %s; want 1, resolved", c.resolved, c.status)
	}
	cancel()
	<-done // the clock loop ends with the context
}

// TestLongClockRunStopsWithTheContext: Ctrl-C (the context ending) stops replay and serve
// in the middle of a clock run over two centuries long.
func TestLongClockRunStopsWithTheContext(t *testing.T) {
	sample := "../../events/samples/cloudwatch/alarm-state-alarm.json"
	for _, args := range [][]string{
		{"replay", "--until", "2000000h", sample},
		{"serve", "--addr", "127.0.0.1:0", "--until", "2000000h", sample},
	} {
		t.Run(args[0], func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			var out, errs strings.Builder
			code := Run(ctx, args, Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errs, Getenv: func(string) string { return "" }})
			if code != 1 || !strings.Contains(errs.String(), "context canceled") {
				t.Errorf("firebreak %s with the context ended: exit %d, stderr %q; want exit 1 saying the context was canceled", strings.Join(args, " "), code, errs.String())
			}
		})
	}
}
