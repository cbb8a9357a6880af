package replay

import (
	"container/heap"
	"math/rand/v2"
	"testing"
	"time"
)

// TestHolderOrder checks that the holder delivers what one heap of every input would:
// by event time, then reading order, for input in order, shuffled, and mostly in order.
func TestHolderOrder(t *testing.T) {
	t0 := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		late float64 // share of inputs that come out of place
		hold int
	}{
		{"in order", 0, 8},
		{"mostly in order", 0.1, 8},
		{"shuffled", 1, 8},
		{"shuffled, held 1", 1, 1},
		{"mostly in order, held 100", 0.2, 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, 2))
			var h holder
			var want byTime
			var got, wantOrder []int
			at := t0
			deliver := func() {
				got = append(got, h.pop().seq)
				wantOrder = append(wantOrder, heap.Pop(&want).(routed).seq)
			}
			for seq := range 2000 {
				at = at.Add(time.Duration(rng.IntN(3)) * time.Second) // ties too
				q := routed{seq: seq, time: at}
				if rng.Float64() < tt.late {
					q.time = at.Add(-time.Duration(rng.IntN(60)) * time.Second)
				}
				h.push(q)
				heap.Push(&want, q)
				if h.Len() != want.Len() {
					t.Fatalf("after %d inputs the holder holds %d; want %d", seq+1, h.Len(), want.Len())
				}
				if h.Len() > tt.hold {
					deliver()
				}
			}
			for h.Len() > 0 {
				deliver()
			}
			for i := range got {
				if got[i] != wantOrder[i] {
					t.Fatalf("delivery %d is input %d; want %d", i, got[i], wantOrder[i])
				}
			}
		})
	}
}
