package store

import (
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/incident"
)

// TestEntryLessIsTheSortKeysOrder: timeline entries compare as their DynamoDB sort keys
// (time to the nanosecond, then key) do, whatever the times' zones and years.
func TestEntryLessIsTheSortKeysOrder(t *testing.T) {
	t0 := time.Date(2026, 11, 2, 12, 0, 0, 5, time.UTC)
	paris := time.FixedZone("CET", 3600)
	times := []time.Time{{}, t0, t0.Add(1), t0.Add(-1), t0.In(paris), t0.Add(time.Second), time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC)}
	keys := []string{"", "a", "b", "a#b", "opened"}
	var es []incident.Entry
	for _, at := range times {
		for _, k := range keys {
			es = append(es, incident.Entry{At: at, Key: k})
		}
	}
	for _, a := range es {
		for _, b := range es {
			if got, want := entryLess(a, b), entrySortKey(a) < entrySortKey(b); got != want {
				t.Errorf("entryLess(%s %q, %s %q) = %v; want %v", a.At, a.Key, b.At, b.Key, got, want)
			}
		}
	}
}
