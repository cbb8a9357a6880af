package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// TestMemoryEarliestDue: the earliest due time, read from the due index alone, is the
// due time of the first incident Due returns, as due times are set, moved and cleared,
// on incidents in memory and spilled; none when no incident is due at all.
func TestMemoryEarliestDue(t *testing.T) {
	ctx := context.Background()
	for _, keep := range []int{0, 2} {
		t.Run(fmt.Sprintf("keep=%d", keep), func(t *testing.T) {
			m := store.NewMemory(now)
			if keep > 0 {
				m = spillingKeep(t, keep)
			}
			t0 := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
			rng := rand.New(rand.NewPCG(5, uint64(keep)))
			var ids []string
			for step := range 300 {
				if step%3 == 0 {
					inc := incident.Incident{ID: fmt.Sprint("FB-", step), Fingerprint: fmt.Sprint("fp", step), Seq: 1, Status: incident.Open,
						Severity: incident.Sev2, OpenedAt: t0.Add(time.Duration(rng.IntN(1e6)) * time.Millisecond)}
					if _, _, err := m.Open(ctx, inc, incident.Entry{Incident: inc.ID, At: inc.OpenedAt, Kind: incident.KindOpened, Key: "opened"}); err != nil {
						t.Fatal(err)
					}
					ids = append(ids, inc.ID)
				} else {
					id := ids[rng.IntN(len(ids))]
					inc, err := m.Get(ctx, id)
					if err != nil {
						t.Fatal(err)
					}
					due := t0.Add(time.Duration(rng.IntN(1e9)) * time.Microsecond)
					if rng.IntN(2) == 0 {
						due = time.Time{} // never
					}
					if _, err := m.SetDue(ctx, id, due, inc.Version); err != nil {
						t.Fatal(err)
					}
				}
				first, err := m.Due(ctx, t0.Add(1e6*time.Hour), 1)
				if err != nil {
					t.Fatal(err)
				}
				got, ok := m.EarliestDue()
				switch {
				case len(first) == 0 && ok:
					t.Fatalf("step %d: EarliestDue() = %s, true; want none (Due lists none)", step, got)
				case len(first) > 0 && (!ok || !got.Equal(first[0].DueAt)):
					t.Fatalf("step %d: EarliestDue() = %s, %v; want %s, true (Due's first)", step, got, ok, first[0].DueAt)
				}
			}
		})
	}
}
