package pipeline_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/event/eventtest"
	"github.com/firebreak-ops/firebreak/internal/intake"
	"github.com/firebreak-ops/firebreak/internal/pipeline"
)

func scenarioPipeline(t *testing.T, edit func(*config.Config)) *pipeline.Local {
	t.Helper()
	cfg, err := config.Parse("scenario.yaml", []byte(scenarioConfig))
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(cfg)
	}
	l, err := pipeline.New(pipeline.Options{Config: cfg, Start: t0})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Ingest(context.Background(), []intake.Message{{ID: "a", Body: eventtest.Alarm(t, "a", "web-x", "ALARM", t0), ReceivedAt: t0}}); err != nil {
		t.Fatal(err)
	}
	return l
}

// TestLargeRepeatCostsWhatIsDue: a tier repeating (far) more often than config allows
// runs the clocks for years without planning every future notice: each notice is one
// step, and the run ends with the clock where it was asked to be.
func TestLargeRepeatCostsWhatIsDue(t *testing.T) {
	l := scenarioPipeline(t, func(c *config.Config) {
		tier := &c.Severities["sev1"].Escalation[2]
		tier.Repeat, tier.Every = 1<<40, config.Duration{Duration: 24 * time.Hour}
	})
	until := t0.Add(10 * 365 * 24 * time.Hour)
	if err := l.AdvanceTo(context.Background(), until); err != nil {
		t.Fatal(err)
	}
	// Tiers 1 and 2, then tier 3 at 20m and every day after it for ten years.
	want := 2 + 1 + int(until.Sub(t0.Add(20*time.Minute))/(24*time.Hour))
	if l.Escalation.Escalations != want {
		t.Errorf("escalations = %d over ten years; want %d (one per tier step due)", l.Escalation.Escalations, want)
	}
	if !l.Clock.Now().Equal(until) {
		t.Errorf("clock = %v; want %v", l.Clock.Now(), until)
	}
}

// TestAdvanceToStopsWhenTheContextEnds: Ctrl-C during a long clock run stops it.
func TestAdvanceToStopsWhenTheContextEnds(t *testing.T) {
	l := scenarioPipeline(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := l.AdvanceTo(ctx, t0.Add(1_000_000*time.Hour))
	if !errors.Is(err, context.Canceled) {
		t.Errorf("AdvanceTo(ended context) = %v; want context.Canceled", err)
	}
	if l.Escalation.Escalations != 0 {
		t.Errorf("escalations = %d after the context ended; want 0", l.Escalation.Escalations)
	}
}
