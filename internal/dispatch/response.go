package dispatch

import (
	"context"
	"strconv"

	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/metrics"
	"github.com/firebreak-ops/firebreak/internal/response"
)

// Response metrics, emitted once per resolution (dimensions Severity and Team).
const (
	MetricTimeToAcknowledge = "TimeToAcknowledge" // ms
	MetricTimeToMitigate    = "TimeToMitigate"    // ms
	MetricTimeToResolve     = "TimeToResolve"     // ms
	MetricObjectivesMet     = "ObjectivesMet"     // count
	MetricObjectivesBreach  = "ObjectivesBreached"
)

// measure emits the response metrics of a resolved incident, exactly once per
// resolution (claimed like any other action of the change).
func (d *Dispatcher) measure(ctx context.Context, inc incident.Incident) error {
	if d.Metrics == nil {
		return nil
	}
	key := "metrics:v" + strconv.Itoa(inc.Version)
	_, err := d.once().Do(ctx, inc.ID, key, func(ctx context.Context) (string, error) {
		m := response.Measure(inc, d.Config.PolicyFor(inc.Severity, inc.Tier), inc.ResolvedAt)
		var vals []metrics.Value
		add := func(name string, has bool, d float64) {
			if has {
				vals = append(vals, metrics.Value{Name: name, Unit: metrics.Milliseconds, Value: d})
			}
		}
		add(MetricTimeToAcknowledge, m.HasTTA, float64(m.TTA.Milliseconds()))
		add(MetricTimeToMitigate, m.HasTTM, float64(m.TTM.Milliseconds()))
		add(MetricTimeToResolve, m.HasTTR, float64(m.TTR.Milliseconds()))
		met := 0
		for _, o := range []response.Outcome{m.Acknowledge, m.Resolve} {
			if o == response.Met {
				met++
			}
		}
		vals = append(vals, metrics.Value{Name: MetricObjectivesMet, Unit: metrics.Count, Value: float64(met)},
			metrics.Value{Name: MetricObjectivesBreach, Unit: metrics.Count, Value: float64(m.Breaches())})
		if err := d.Metrics.EmitValues(inc.ResolvedAt, map[string]string{"Severity": string(inc.Severity), "Team": inc.Team}, vals); err != nil {
			d.log().WarnContext(ctx, "response metrics not written", "incident", inc.ID, "error", err)
		}
		return "emitted", nil
	})
	return err
}
