//go:build chaos

package chaos_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak"
	"github.com/firebreak-ops/firebreak/internal/chaos"
	"github.com/firebreak-ops/firebreak/internal/store/dynamotest"
)

// These runs need `-tags chaos` (make chaos): the runs without SDK retries do not pass yet
// (issue #15; docs/tests.md "## Chaos"). The fault-free concurrent run also runs in
// `make test` (TestSamplesConcurrentlyShort, short_test.go).

// TestSamplesUnderFaults is the short chaos run: the catalog's samples, each delivered
// three times in a shuffled order to four concurrent intake workers, with 10% of AWS
// calls failing (every kind of fault), with SDK retries and without, end exactly as one
// fault-free delivery of each does: the same incidents, timelines, notices and runbook
// executions; nothing lost, nothing done twice.
func TestSamplesUnderFaults(t *testing.T) {
	cfg, err := firebreak.Config()
	if err != nil {
		t.Fatal(err)
	}
	srv := dynamotest.SharedForTest(t)
	evs := samples(t)
	ctx := context.Background()
	ref, err := chaos.Reference(ctx, cfg, evs, srv.Endpoint, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(ref.State.Incidents) == 0 || len(ref.State.Notifications) == 0 {
		t.Fatalf("the fault-free run opened %d incidents and sent %d notices; want some of each", len(ref.State.Incidents), len(ref.State.Notifications))
	}
	for _, tc := range []struct {
		name    string
		retries bool
		seed    uint64
		rate    float64
	}{{"no faults, shuffled, 3 deliveries", true, 7, 0}, {"10% faults, SDK retries", true, 7, 0.1}, {"10% faults, no SDK retries", false, 8, 0.1}} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := chaos.Run{Config: cfg, Events: evs, Deliveries: 3, Shuffle: tc.seed, Jitter: 2 * time.Minute, Workers: 4,
				Faults: chaos.Options{Rate: tc.rate, Seed: tc.seed}, SDKRetries: tc.retries, Dynalite: srv.Endpoint}.Do(ctx)
			if err != nil {
				t.Fatal(err)
			}
			faults := 0
			for _, n := range got.Faults {
				faults += n
			}
			if faults == 0 && tc.rate > 0 {
				t.Fatalf("no faults injected at 10%%")
			}
			if got.DLQ != 0 || got.StreamLost != 0 {
				t.Errorf("messages to the DLQ: %d, stream records given up: %d; want none", got.DLQ, got.StreamLost)
			}
			if lost, dup, _ := chaos.Lost(ref.State, got.State, got.AmbiguousPublishes); lost+dup > 0 {
				d := chaos.Diff(ref.State, got.State)
				t.Errorf("final state differs from the fault-free run: %d lost, %d duplicated beyond %d publishes whose client timed out (%d faults %v, %d redelivered):\n%s",
					lost, dup, got.AmbiguousPublishes, faults, got.Faults, got.Redelivered, strings.Join(d, "\n"))
			}
		})
	}
}
