package response_test

import (
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/response"
)

func TestMeasure(t *testing.T) {
	t0 := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	policy := &config.SeverityPolicy{AcknowledgeWithin: config.Duration{Duration: 5 * time.Minute}, ResolveWithin: config.Duration{Duration: time.Hour}}
	at := func(m int) time.Time {
		if m < 0 {
			return time.Time{}
		}
		return t0.Add(time.Duration(m) * time.Minute)
	}
	tests := []struct {
		name          string
		ack, mit, res int // minutes after opening; -1: not reached
		now           int
		wantAck       response.Outcome
		wantRes       response.Outcome
		wantTTM       time.Duration
	}{
		{"within both", 2, 10, 30, 30, response.Met, response.Met, 10 * time.Minute},
		{"late acknowledgement", 7, 10, 30, 30, response.Breached, response.Met, 10 * time.Minute},
		{"resolved unacknowledged within the ack objective", -1, 3, 4, 4, response.Met, response.Met, 3 * time.Minute},
		{"still open, past both", -1, -1, -1, 90, response.Breached, response.Breached, 0},
		{"still open, within both", -1, -1, -1, 3, response.None, response.None, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inc := incident.Incident{OpenedAt: t0, AcknowledgedAt: at(tt.ack), MitigatedAt: at(tt.mit), ResolvedAt: at(tt.res)}
			m := response.Measure(inc, policy, at(tt.now))
			if m.Acknowledge != tt.wantAck || m.Resolve != tt.wantRes || m.TTM != tt.wantTTM || m.HasTTM != (tt.mit >= 0) {
				t.Errorf("Measure() = %+v; want acknowledge %q, resolve %q, time to mitigate %s", m, tt.wantAck, tt.wantRes, tt.wantTTM)
			}
		})
	}
	if m := response.Measure(incident.Incident{OpenedAt: t0, ResolvedAt: at(10)}, nil, at(10)); m.Breaches() != 0 || !m.HasTTR || m.TTR != 10*time.Minute {
		t.Errorf("Measure(no policy) = %+v; want no objectives, resolved in 10m", m)
	}
}
