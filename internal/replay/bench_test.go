package replay_test

import (
	"bytes"
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak"
	"github.com/firebreak-ops/firebreak/events"
	"github.com/firebreak-ops/firebreak/internal/bus"
	"github.com/firebreak-ops/firebreak/internal/replay"
)

func BenchmarkReplayProfile(b *testing.B) {
	var buf bytes.Buffer
	if err := replay.Generate(&buf, profileN(), 1, time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)); err != nil {
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
	for b.Loop() {
		r, err := replay.Open([]string{"-"}, bytes.NewReader(buf.Bytes()))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := replay.Stream(context.Background(), r, replay.Options{Config: cfg, Bus: bs}); err != nil {
			b.Fatal(err)
		}
	}
}

func profileN() int {
	if n, err := strconv.Atoi(os.Getenv("REPLAY_N")); err == nil {
		return n
	}
	return 3000
}
