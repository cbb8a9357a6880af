// Package response measures how an incident was handled: time to acknowledge, to
// mitigate and to resolve, against its severity's objectives. Dispatch emits the
// measures as metrics when an incident is resolved; the report and replay aggregate
// them. One definition for all three.
package response

import (
	"time"

	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/incident"
)

// Objective outcome.
type Outcome string

// Outcomes of an objective.
const (
	None     Outcome = ""         // no objective, or not decided yet
	Met      Outcome = "met"      // done within the objective
	Breached Outcome = "breached" // not done within it
)

// Measures of one incident. A duration is set (Has…) only when the incident reached
// that state: acknowledged, mitigated (recovered, or resolved without a recovery),
// resolved.
type Measures struct {
	TTA, TTM, TTR          time.Duration
	HasTTA, HasTTM, HasTTR bool
	// Acknowledge and Resolve: the objectives of the severity's policy. Breached as soon
	// as the objective's time has passed at now without the state reached.
	Acknowledge, Resolve Outcome
}

// Breaches counts the breached objectives.
func (m Measures) Breaches() int {
	n := 0
	for _, o := range []Outcome{m.Acknowledge, m.Resolve} {
		if o == Breached {
			n++
		}
	}
	return n
}

// Measure measures inc as of now under its severity's policy (nil: no objectives).
// Durations count from the incident's opening (its latest re-opening's clocks are
// cleared when it re-opens; see incident.Incident).
func Measure(inc incident.Incident, policy *config.SeverityPolicy, now time.Time) Measures {
	var m Measures
	since := func(t time.Time) (time.Duration, bool) {
		if t.IsZero() || t.Before(inc.OpenedAt) {
			return 0, false
		}
		return t.Sub(inc.OpenedAt), true
	}
	m.TTA, m.HasTTA = since(inc.AcknowledgedAt)
	m.TTM, m.HasTTM = since(inc.MitigatedAt)
	m.TTR, m.HasTTR = since(inc.ResolvedAt)
	if policy == nil {
		return m
	}
	judge := func(within time.Duration, took time.Duration, reached bool) Outcome {
		switch {
		case within <= 0:
			return None
		case reached && took <= within:
			return Met
		case reached || now.Sub(inc.OpenedAt) > within:
			return Breached
		}
		return None
	}
	// Resolved (or mitigated) without an acknowledgement: nobody needed to take it; the
	// acknowledge objective counts as met if the resolution came within it.
	ackTook, acked := m.TTA, m.HasTTA
	if !acked && m.HasTTR {
		ackTook, acked = m.TTR, true
	}
	m.Acknowledge = judge(policy.AcknowledgeWithin.Duration, ackTook, acked)
	m.Resolve = judge(policy.ResolveWithin.Duration, m.TTR, m.HasTTR)
	return m
}
