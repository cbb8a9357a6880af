package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/problem"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// TestMemorySpilledProblemTimelines: problems whose timelines pass what a spilling
// store keeps in memory (entries written out in chunks, some of them earlier than
// entries already written, redelivered entries among them, through every method that
// adds entries) read back exactly as an all-in-memory store keeps them.
func TestMemorySpilledProblemTimelines(t *testing.T) {
	ctx := context.Background()
	plain, spilled := store.NewMemory(now), spillingKeep(t, 1)
	t0 := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	rng := rand.New(rand.NewPCG(3, 9))
	ids := []string{"PB-1", "PB-2", "PB-3"}
	for _, st := range []*store.Memory{plain, spilled} {
		for _, id := range ids {
			if _, _, err := st.CreateProblem(ctx, problem.Problem{ID: id, Status: problem.Open, Fingerprint: "fp-" + id, OpenedAt: t0},
				problem.Entry{Problem: id, At: t0, Kind: incident.KindOpened, Key: "opened"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	for step := range 2000 {
		id := ids[rng.IntN(len(ids))]
		at := t0.Add(time.Duration(step)*time.Second - time.Duration(rng.IntN(3))*time.Hour) // some earlier than entries written out
		e := problem.Entry{Problem: id, At: at, Kind: incident.KindNote, Actor: "firebreak", Detail: fmt.Sprint("entry ", step),
			Key: fmt.Sprint("k", rng.IntN(1500)), Data: []map[string]string{nil, {}, {"incident": fmt.Sprint("FB-", step)}}[rng.IntN(3)]}
		for _, st := range []*store.Memory{plain, spilled} {
			var err error
			if step%10 == 0 {
				_, err = st.UpdateProblem(ctx, id, func(*problem.Problem) error { return nil }, e)
			} else {
				err = st.AddProblemEntries(ctx, e, e) // the second is the same entry: kept once
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		if step%97 == 0 || step == 1999 {
			for _, id := range ids {
				want, err := plain.ProblemTimeline(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				got, err := spilled.ProblemTimeline(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("step %d: ProblemTimeline(%s) spilled = %d entries; want %d, the same", step, id, len(got), len(want))
				}
			}
		}
	}
	if got, err := spilled.ProblemTimeline(ctx, "PB-1"); err != nil || len(got) < 600 {
		t.Fatalf("ProblemTimeline(PB-1) = %d entries, %v; want more than 600: the test does not pass what is kept in memory", len(got), err)
	}
}
