package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// RunMitigatedAt: an incident keeps when its impact ended (the response metrics' time to
// mitigate): the last recovery, or its resolution when it had none; re-opening clears it.
func RunMitigatedAt(t *testing.T, f Factory) {
	ctx := context.Background()
	change := func(t *testing.T, st store.Store, id string, to incident.Status, at time.Time) {
		t.Helper()
		ok, err := st.Change(ctx, store.Change{Incident: id, Status: to, At: at,
			Entry: incident.Entry{At: at, Kind: incident.TransitionKind(to), Actor: "test", Key: string(to) + at.Format(time.RFC3339)}})
		if err != nil || !ok {
			t.Fatalf("Change(%s → %s) = %v, %v; want applied", id, to, ok, err)
		}
	}
	tests := []struct {
		name  string
		steps []incident.Status
		want  time.Duration // since t0; -1: unset
	}{
		{"recovered then resolved", []incident.Status{incident.Mitigated, incident.Resolved}, 1 * time.Minute},
		{"resolved by hand", []incident.Status{incident.Acknowledged, incident.Resolved}, 2 * time.Minute},
		{"re-opened", []incident.Status{incident.Mitigated, incident.Resolved, incident.Open}, -1},
		{"re-opened and recovered", []incident.Status{incident.Mitigated, incident.Open, incident.Mitigated}, 3 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := f(t)
			inc := newIncident("ops.alarm|123456789012|eu-west-1|mitigated", 1)
			if _, _, err := st.Open(ctx, inc, openedEntry(inc)); err != nil {
				t.Fatal(err)
			}
			for i, s := range tt.steps {
				change(t, st, inc.ID, s, t0.Add(time.Duration(i+1)*time.Minute))
			}
			got, err := st.Get(ctx, inc.ID)
			if err != nil {
				t.Fatal(err)
			}
			want := time.Time{}
			if tt.want >= 0 {
				want = t0.Add(tt.want)
			}
			if !got.MitigatedAt.Equal(want) {
				t.Errorf("after %v: MitigatedAt = %s; want %s", tt.steps, got.MitigatedAt, want)
			}
		})
	}
}
