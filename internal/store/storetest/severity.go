package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// runSeverityAt: a change of severity records when it happened (the escalator never
// acts on a severity's policy before then); other changes keep it.
func runSeverityAt(t *testing.T, f Factory) {
	ctx := context.Background()
	t.Run("SeverityAtFollowsSeverityChanges", func(t *testing.T) {
		st := f(t)
		inc := newIncident("ops.alarm|123456789012|eu-west-1|sev-at", 1)
		if _, _, err := st.Open(ctx, inc, openedEntry(inc)); err != nil {
			t.Fatal(err)
		}
		steps := []struct {
			c    store.Change
			want time.Time
		}{
			{store.Change{Incident: inc.ID, Severity: incident.Sev1, RaiseOnly: true, At: t0.Add(3 * time.Minute),
				Entry: incident.Entry{At: t0.Add(3 * time.Minute), Kind: incident.KindSeverityRaised, Key: "sev:raise"}}, t0.Add(3 * time.Minute)},
			{store.Change{Incident: inc.ID, Status: incident.Acknowledged, At: t0.Add(5 * time.Minute),
				Entry: incident.Entry{At: t0.Add(5 * time.Minute), Kind: incident.KindAcknowledged, Key: "ack"}}, t0.Add(3 * time.Minute)},
		}
		for _, s := range steps {
			if ok, err := st.Change(ctx, s.c); err != nil || !ok {
				t.Fatalf("Change(%s) = %v, %v; want applied", s.c.Entry.Key, ok, err)
			}
			got, err := st.Get(ctx, inc.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !got.SeverityAt.Equal(s.want) {
				t.Errorf("after %s: SeverityAt = %v; want %v", s.c.Entry.Key, got.SeverityAt, s.want)
			}
		}
	})
}
