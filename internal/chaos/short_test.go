package chaos_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak"
	catalog "github.com/firebreak-ops/firebreak/events"
	"github.com/firebreak-ops/firebreak/internal/chaos"
	"github.com/firebreak-ops/firebreak/internal/store/dynamotest"
)

func samples(t *testing.T) [][]byte {
	t.Helper()
	list, err := catalog.Samples()
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for _, s := range list {
		b, err := catalog.ReadSample(s.File)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// TestSamplesConcurrentlyShort is the short chaos run of `make test`: the catalog's
// samples, each delivered three times, up to two minutes apart, to four concurrent
// intake workers, with no faults, end exactly as one in-order delivery of each does:
// the same incidents, timelines, notices and runbook executions. Order and concurrency
// change nothing. (The runs under faults are `make chaos`.)
func TestSamplesConcurrentlyShort(t *testing.T) {
	cfg, err := firebreak.Config()
	if err != nil {
		t.Fatal(err)
	}
	srv := dynamotest.SharedForTest(t)
	evs := samples(t)
	ctx := context.Background()
	ref, err := chaos.Run{Config: cfg, Events: evs, Workers: 1, Dynalite: srv.Endpoint}.Do(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ref.State.Incidents) == 0 || len(ref.State.Notifications) == 0 {
		t.Fatalf("the in-order run opened %d incidents and sent %d notices; want some of each", len(ref.State.Incidents), len(ref.State.Notifications))
	}
	if ref.DLQ != 0 || ref.StreamLost != 0 {
		t.Errorf("in-order run: messages to the DLQ: %d, stream records given up: %d; want none", ref.DLQ, ref.StreamLost)
	}
	got, err := chaos.Run{Config: cfg, Events: evs, Deliveries: 3, Shuffle: 7, Jitter: 2 * time.Minute, Workers: 4,
		Dynalite: srv.Endpoint}.Do(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got.DLQ != 0 || got.StreamLost != 0 {
		t.Errorf("concurrent run: messages to the DLQ: %d, stream records given up: %d; want none", got.DLQ, got.StreamLost)
	}
	if d := chaos.Diff(ref.State, got.State); len(d) > 0 {
		t.Errorf("concurrent run, 3 deliveries (%d redelivered), differs from one in-order delivery:\n%s", got.Redelivered, strings.Join(d, "\n"))
	}
}
