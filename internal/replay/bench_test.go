package replay_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak"
	"github.com/firebreak-ops/firebreak/events"
	"github.com/firebreak-ops/firebreak/internal/bus"
	"github.com/firebreak-ops/firebreak/internal/replay"
)

// benchEvents is the size of the replay benchmark's input: REPLAY_EVENTS, default 1M.
func benchEvents(def int) int {
	if n, err := strconv.Atoi(os.Getenv("REPLAY_EVENTS")); err == nil && n > 0 {
		return n
	}
	return def
}

// BenchmarkReplay replays a generated JSON-lines file of a realistic mix (many
// fingerprints, some storms) and, in the same run, decodes every line of the same file
// into `any` (json.Unmarshal): the ratio replay/decode is events per second of the
// whole replay (parse, route, classify, correlate, dispatch, clocks) over a decode-only
// pass. make bench runs it at 1M events; REPLAY_EVENTS sets another size.
func BenchmarkReplay(b *testing.B) {
	n := benchEvents(1_000_000)
	path := filepath.Join(b.TempDir(), "events.jsonl")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if err := replay.Generate(f, n, 1, time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	cfg, err := firebreak.Config()
	if err != nil {
		b.Fatal(err)
	}
	rules, err := events.Rules()
	if err != nil {
		b.Fatal(err)
	}
	bs, err := bus.New(rules)
	if err != nil {
		b.Fatal(err)
	}
	var decode, run time.Duration
	for b.Loop() {
		start := time.Now()
		if got := decodeOnly(b, path); got != n {
			b.Fatalf("decoded %d lines; want %d", got, n)
		}
		decode += time.Since(start)
		start = time.Now()
		r, err := replay.Open([]string{path}, nil)
		if err != nil {
			b.Fatal(err)
		}
		res, err := replay.Stream(context.Background(), r, replay.Options{Config: cfg, Bus: bs, Headers: true, Timelines: replay.ResidentTimelines}) // as `replay --json` does
		if err != nil {
			b.Fatal(err)
		}
		run += time.Since(start)
		_ = r.Close()
		_ = res.Close()
		if res.Summary.Events != n {
			b.Fatalf("replayed %d events; want %d", res.Summary.Events, n)
		}
	}
	decodeRate := float64(n*b.N) / decode.Seconds()
	replayRate := float64(n*b.N) / run.Seconds()
	b.ReportMetric(float64(n), "events")
	b.ReportMetric(decodeRate, "decode-events/s")
	b.ReportMetric(replayRate, "replay-events/s")
	b.ReportMetric(replayRate/decodeRate, "replay/decode")
}

// decodeOnly is the baseline: every line of the file decoded into any, nothing else.
func decodeOnly(b *testing.B, path string) int {
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 1<<16)
	n := 0
	for {
		line, err := br.ReadBytes('\n')
		if line = bytes.TrimSpace(line); len(line) > 0 {
			var v any
			_ = json.Unmarshal(line, &v) // the truncated lines fail, as they fail in replay
			n++
		}
		if err != nil {
			return n
		}
	}
}
