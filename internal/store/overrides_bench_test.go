package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/oncall"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// BenchmarkOverridesHistory: asking who is on call reads the overrides still to end, not
// those that ended before: 10,000 past overrides cost what 10 do (compare the two).
func BenchmarkOverridesHistory(b *testing.B) {
	ctx := context.Background()
	for _, past := range []int{10, 10_000} {
		b.Run(fmt.Sprintf("past=%d", past), func(b *testing.B) {
			st := store.NewMemory(now)
			for i := range past {
				end := now().Add(-time.Duration(i+1) * time.Hour)
				if _, err := st.PutOverride(ctx, oncall.Override{Schedule: "primary", Contact: "bob", Start: end.Add(-time.Hour), End: end}); err != nil {
					b.Fatal(err)
				}
			}
			if _, err := st.PutOverride(ctx, oncall.Override{Schedule: "primary", Contact: "alice", Start: now(), End: now().Add(time.Hour)}); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for b.Loop() {
				got, err := st.Overrides(ctx, "primary", now(), now().Add(time.Minute))
				if err != nil || len(got) != 1 {
					b.Fatalf("Overrides = %d, %v; want alice's", len(got), err)
				}
			}
		})
	}
}
