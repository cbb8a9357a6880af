package store

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// TestDueIndexKeepsOrder: random inserts and removes, enough to split and empty
// chunks, leave the due index holding what a sorted slice holds, in the same order.
func TestDueIndexKeepsOrder(t *testing.T) {
	t0 := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name       string
		keys, ops  int
		spreadSecs int
	}{
		{"few keys", 10, 200, 60},
		{"many keys, many ties", 5000, 20000, 30},
		{"many keys, spread", 5000, 20000, 86400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, uint64(tc.keys)))
			var x dueIndex
			var want []dueKey
			present := map[dueKey]bool{}
			for op := range tc.ops {
				if len(want) > 0 && (op%3 == 2 || len(want) >= tc.keys) {
					k := want[rng.IntN(len(want))]
					x.remove(k)
					i, _ := slices.BinarySearchFunc(want, k, cmpDue)
					want = slices.Delete(want, i, i+1)
					delete(present, k)
					continue
				}
				k := newDueKey(t0.Add(time.Duration(rng.IntN(tc.spreadSecs))*time.Second), fmt.Sprintf("INC-%d", rng.IntN(tc.keys*4)))
				if present[k] {
					continue
				}
				present[k] = true
				x.insert(k)
				i, _ := slices.BinarySearchFunc(want, k, cmpDue)
				want = slices.Insert(want, i, k)
			}
			x.remove(newDueKey(t0.Add(-time.Hour), "absent")) // removing what is not there changes nothing
			var got []dueKey
			x.each(func(k dueKey) bool { got = append(got, k); return true })
			if !slices.Equal(got, want) {
				t.Errorf("due index holds %d keys (first %v); want %d (first %v)", len(got), got[:min(3, len(got))], len(want), want[:min(3, len(want))])
			}
			if x.len() != len(want) {
				t.Errorf("len() = %d; want %d", x.len(), len(want))
			}
			for _, c := range x.chunks {
				if len(c) == 0 || len(c) > 2*dueChunk {
					t.Errorf("a chunk holds %d keys; want 1 to %d", len(c), 2*dueChunk)
				}
			}
		})
	}
}

func cmpDue(a, b dueKey) int {
	switch {
	case a.less(b):
		return -1
	case b.less(a):
		return 1
	}
	return 0
}
