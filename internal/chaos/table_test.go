//go:build chaos

package chaos_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/firebreak-ops/firebreak/internal/chaos"
	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/replay"
	"github.com/firebreak-ops/firebreak/internal/store/dynamotest"
)

// TestChaosTable runs the samples and a generated day of CHAOS_EVENTS events (default
// 10,000), each delivered three times, shuffled, at 0%, 10% and 30% faults with SDK
// retries on and off, and prints one line per run against the fault-free single
// delivery. It fails when any run lost or duplicated anything, and then lists what each
// such run differed in. CHAOS_INPUT=samples or day runs one input's rows alone;
// CHAOS_RATES (percentages, e.g. "0,10") chooses the fault rates, CHAOS_SDK=on or off
// the SDK retries; CHAOS_LOG=1 logs the Lambdas' errors and, every half minute while a
// run settles, how far it is from settled. Each time the queue has
// drained, the operator redrives the intake DLQ while it holds messages, as its alarm
// asks (at most ten times). CHAOS_DUMP=DIR writes each run's incidents with their whole
// timelines to DIR (reference.txt, then one file per row), to read differences by hand.
// CHAOS_REFERENCE=DIR keeps each input's reference run in DIR and reads it back in a
// later invocation of the same test binary on the same events (a day of 10,000 events
// takes its reference half an hour): build the binary once with `go test -c -tags chaos`
// and run one row per invocation.
func TestChaosTable(t *testing.T) {
	cfg, err := runConfig()
	if err != nil {
		t.Fatal(err)
	}
	srv := dynamotest.SharedForTest(t)
	n := 10_000
	if v, err := strconv.Atoi(os.Getenv("CHAOS_EVENTS")); err == nil && v > 0 {
		n = v
	}
	var day bytes.Buffer
	if err := replay.Generate(&day, n, 1, time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	inputs := []struct {
		name   string
		events [][]byte
	}{{"samples", samples(t)}, {fmt.Sprintf("day of %d", n), bytes.Split(bytes.TrimSpace(day.Bytes()), []byte("\n"))}}
	switch os.Getenv("CHAOS_INPUT") {
	case "samples": // the samples' rows alone (minutes, not hours)
		inputs = inputs[:1]
	case "day":
		inputs = inputs[1:]
	}
	rates := []float64{0, 0.1, 0.3}
	if v := os.Getenv("CHAOS_RATES"); v != "" {
		rates = nil
		for _, f := range strings.Split(v, ",") {
			pct, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
			if err != nil || pct < 0 || pct > 100 {
				t.Fatalf("CHAOS_RATES=%q: %q is not a percentage from 0 to 100", v, f)
			}
			rates = append(rates, pct/100)
		}
	}
	sdk := []bool{true, false}
	switch v := os.Getenv("CHAOS_SDK"); v {
	case "on":
		sdk = sdk[:1]
	case "off":
		sdk = sdk[1:]
	case "":
	default:
		t.Fatalf("CHAOS_SDK=%q: want on, off or nothing (both)", v)
	}
	log := slog.New(slog.DiscardHandler)
	var progress io.Writer
	if os.Getenv("CHAOS_LOG") != "" { // what failed, and why: the Lambdas' errors; how far from settled
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
		progress = os.Stderr
	}
	var diffs []string
	ctx := context.Background()
	w := tabwriter.NewWriter(os.Stdout, 2, 8, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "input\tfaults\tSDK retries\tinjected\tthrottling\t5xx\tslow\tdropped\tafter-write\tretries\tredelivered\tDLQ\tredriven\tDLQ left\tstream retries\tstream lost\tlost\tduplicated\tresent (timed out)\tseconds\t")
	bad := false
	for _, in := range inputs {
		start := time.Now()
		ref, err := cachedReference(t, ctx, cfg, in.name, in.events, srv.Endpoint)
		if err != nil {
			t.Fatal(err)
		}
		// The reference's own line: what the loaded machine failed (client timeouts) and retried.
		fmt.Fprintf(w, "%s (reference)\t0%%\ttrue\t0\t\t\t\t\t\t%d\t%d\t%d\t%d\t0\t%d\t0\t\t\t\t%.0f\t\n", in.name,
			ref.Attempts, ref.Redelivered, ref.DLQ, ref.Redriven, ref.StreamRetries, time.Since(start).Seconds())
		w.Flush()
		for _, rate := range rates {
			for _, retries := range sdk {
				start := time.Now()
				got, err := chaos.Run{Config: cfg, Events: in.events, Deliveries: 3, Shuffle: 11, Jitter: 2 * time.Minute, Workers: 4,
					Faults: chaos.Options{Rate: rate, Seed: 11}, SDKRetries: retries, Redrives: 10, Dynalite: srv.Endpoint, Log: log,
					Dump: dumpFile(t, in.name, fmt.Sprintf("%.0f%%-sdk-%v", rate*100, retries)), Progress: progress}.Do(ctx)
				if err != nil {
					t.Fatal(err)
				}
				lost, dup, resent := chaos.Lost(ref.State, got.State, got.AmbiguousPublishes)
				if lost > 0 || dup > 0 || got.DLQLeft > 0 || got.StreamLost > 0 {
					bad = true
					d := chaos.Diff(ref.State, got.State)
					diffs = append(diffs, fmt.Sprintf("%s, %.0f%% faults, SDK retries %v: %d differences", in.name, rate*100, retries, len(d)))
					for _, line := range d[:min(len(d), 15)] {
						diffs = append(diffs, "  "+line)
					}
				}
				f := got.Faults
				injected := 0
				for _, k := range chaos.AllKinds {
					injected += f[k]
				}
				fmt.Fprintf(w, "%s\t%.0f%%\t%v\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%.0f\t\n", in.name, rate*100, retries, injected,
					f[chaos.Throttling]+f[chaos.ProvisionedThroughput], f[chaos.InternalError]+f[chaos.Unavailable], f[chaos.Slow], f[chaos.Dropped], f[chaos.AfterWrite],
					got.Attempts, got.Redelivered, got.DLQ, got.Redriven, got.DLQLeft, got.StreamRetries, got.StreamLost, lost, dup, resent, time.Since(start).Seconds())
				w.Flush() // a row as soon as its run ends: the day's runs take minutes each
			}
		}
	}
	w.Flush()
	for _, line := range diffs {
		t.Log(line)
	}
	if bad {
		t.Error("some runs lost or duplicated what the fault-free run did (lost/duplicated columns)")
	}
}

// cachedReference is the input's fault-free single-delivery run: computed, or read back from
// CHAOS_REFERENCE when this very test binary already computed it for these events. The
// file's name holds a hash of the binary and the events, so a rebuilt binary or other
// events never read a stale reference.
func cachedReference(t *testing.T, ctx context.Context, cfg *config.Config, name string, events [][]byte, endpoint string) (*chaos.Result, error) {
	dir := os.Getenv("CHAOS_REFERENCE")
	if dir == "" {
		return chaos.Reference(ctx, cfg, events, endpoint, dumpFile(t, name, "reference"))
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("CHAOS_REFERENCE: %w", err)
	}
	bin, err := os.ReadFile(exe)
	if err != nil {
		return nil, fmt.Errorf("CHAOS_REFERENCE: read the test binary: %w", err)
	}
	h := sha256.New()
	h.Write(bin)
	for _, ev := range events {
		h.Write(ev)
		h.Write([]byte{'\n'})
	}
	path := filepath.Join(dir, fmt.Sprintf("%s-%x.json", strings.ReplaceAll(name, " ", "-"), h.Sum(nil)[:8]))
	if b, err := os.ReadFile(path); err == nil {
		var ref chaos.Result
		if err := json.Unmarshal(b, &ref); err != nil {
			return nil, fmt.Errorf("CHAOS_REFERENCE: %s: %w", path, err)
		}
		t.Logf("reference of %s read from %s", name, path)
		return &ref, nil
	}
	ref, err := chaos.Reference(ctx, cfg, events, endpoint, dumpFile(t, name, "reference"))
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(ref)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return nil, fmt.Errorf("CHAOS_REFERENCE: %w", err)
	}
	return ref, nil
}

// dumpFile is where a run's incidents go under CHAOS_DUMP (nil: nowhere).
func dumpFile(t *testing.T, input, run string) io.Writer {
	dir := os.Getenv("CHAOS_DUMP")
	if dir == "" {
		return nil
	}
	f, err := os.Create(filepath.Join(dir, strings.ReplaceAll(input, " ", "-")+"-"+run+".txt"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Close() })
	return f
}
