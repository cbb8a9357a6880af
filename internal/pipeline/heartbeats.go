package pipeline

import (
	"context"

	"github.com/firebreak-ops/firebreak/internal/escalate"
	"github.com/firebreak-ops/firebreak/internal/intake"
)

// Heartbeats in the local pipeline: intake records beats (intake.Beats) and the clock
// (AdvanceTo) runs the heartbeat clock at each heartbeat's due time (nextDue).
func (l *Local) wireHeartbeats() error {
	beats, err := intake.NewBeats(l.Store, l.Config)
	if err != nil {
		return err
	}
	l.Intake.Beats = beats
	l.Heartbeats = &escalate.Heartbeats{Store: l.Store, Config: l.Config, Now: l.Clock.Now, Log: l.Escalator.Log}
	return nil
}

// tickHeartbeats runs the heartbeat clock and adds up what it did.
func (l *Local) tickHeartbeats(ctx context.Context) error {
	rep, err := l.Heartbeats.Tick(ctx)
	l.Heartbeat.Due += rep.Due
	l.Heartbeat.Missed += rep.Missed
	l.Heartbeat.Resumed += rep.Resumed
	return err
}
