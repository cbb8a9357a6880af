package chaos_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak"
	catalog "github.com/firebreak-ops/firebreak/events"
	"github.com/firebreak-ops/firebreak/internal/chaos"
	"github.com/firebreak-ops/firebreak/internal/config"
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

// waitForJitter is the runs' grouping.wait: at least the deliveries' jitter (2m), so an
// incident opened earlier but delivered later is in before either is decided.
const waitForJitter = 3 * time.Minute

// runConfig is the shipped configuration with the runs' grouping.wait.
func runConfig() (*config.Config, error) {
	cfg, err := firebreak.Config()
	if err != nil {
		return nil, err
	}
	cfg.Grouping.Wait = config.Duration{Duration: waitForJitter} // grouping decided in event time
	return cfg, nil
}

// reference is the in-order run of the samples (one worker, one delivery each, no
// faults) that the short runs compare with, run once for the test binary.
func reference(t *testing.T) *chaos.Result {
	t.Helper()
	refOnce.Do(func() {
		cfg, err := runConfig()
		if err != nil {
			refErr = err
			return
		}
		refResult, refErr = chaos.Reference(context.Background(), cfg, samples(t), dynamotest.SharedForTest(t).Endpoint, nil)
	})
	if refErr != nil {
		t.Fatal(refErr)
	}
	ref := refResult
	if len(ref.State.Incidents) == 0 || len(ref.State.Notifications) == 0 {
		t.Fatalf("the in-order run opened %d incidents and sent %d notices; want some of each", len(ref.State.Incidents), len(ref.State.Notifications))
	}
	if ref.DLQ != 0 || ref.StreamLost != 0 {
		t.Fatalf("in-order run: messages to the DLQ: %d, stream records given up: %d; want none", ref.DLQ, ref.StreamLost)
	}
	return ref
}

var (
	refOnce   sync.Once
	refResult *chaos.Result
	refErr    error
)

// TestSamplesConcurrentlyShort is the short chaos run of `make test`: the catalog's
// samples, each delivered three times, up to two minutes apart, to four concurrent
// intake workers, with no faults, end exactly as one in-order delivery of each does:
// the same incidents, timelines, notices and runbook executions. Order and concurrency
// change nothing. (The runs under faults are `make chaos`.)
func TestSamplesConcurrentlyShort(t *testing.T) {
	cfg, err := runConfig()
	if err != nil {
		t.Fatal(err)
	}
	srv := dynamotest.SharedForTest(t)
	ref := reference(t)
	got, err := chaos.Run{Config: cfg, Events: samples(t), Deliveries: 3, Shuffle: 7, Jitter: 2 * time.Minute, Workers: 4,
		Dynalite: srv.Endpoint}.Do(context.Background())
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

// TestSamplesUnderFaultsShort is the faulted run of `make test`: the samples delivered
// three times, shuffled, to four workers, with 10% of AWS calls failing (every kind of
// fault, the clients retrying as the SDK's standard retryer does), end exactly as one
// in-order delivery of each: the same incidents, timelines, notices and runbook
// executions. The one difference allowed is a notice published again because its
// client timed out while SNS took it (a standard topic cannot de-duplicate it), up to
// the number of such publishes.
func TestSamplesUnderFaultsShort(t *testing.T) {
	cfg, err := runConfig()
	if err != nil {
		t.Fatal(err)
	}
	srv := dynamotest.SharedForTest(t)
	ref := reference(t)
	got, err := chaos.Run{Config: cfg, Events: samples(t), Deliveries: 3, Shuffle: 7, Jitter: 2 * time.Minute, Workers: 4,
		Faults: chaos.Options{Rate: 0.1, Seed: 7}, SDKRetries: true, Dynalite: srv.Endpoint}.Do(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	faults := 0
	for _, n := range got.Faults {
		faults += n
	}
	if faults == 0 {
		t.Fatal("no faults injected at 10%")
	}
	if got.DLQ != 0 || got.StreamLost != 0 {
		t.Errorf("messages to the DLQ: %d, stream records given up: %d; want none", got.DLQ, got.StreamLost)
	}
	if lost, dup, _ := chaos.Lost(ref.State, got.State, got.AmbiguousPublishes); lost+dup > 0 {
		t.Errorf("10%% faults (%d: %v; %d redelivered): %d lost, %d duplicated beyond %d publishes whose client timed out; the run differs from one in-order delivery:\n%s",
			faults, got.Faults, got.Redelivered, lost, dup, got.AmbiguousPublishes, strings.Join(chaos.Diff(ref.State, got.State), "\n"))
	}
}
