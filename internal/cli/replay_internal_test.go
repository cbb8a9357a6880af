package cli

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/replay"
)

func TestProgressLine(t *testing.T) {
	tests := []struct {
		events  int
		elapsed time.Duration
		frac    float64
		want    string
	}{
		{5000, 2 * time.Second, -1, "replay: 5000 events · 2500/s · 2s elapsed"},
		{5000, 2 * time.Second, 0.25, "replay: 5000 events · 2500/s · 2s elapsed · 25% · ETA 6s"},
		{0, 0, 0, "replay: 0 events · 0s elapsed"},
	}
	for _, tc := range tests {
		if got := progressLine(tc.events, tc.elapsed, tc.frac); got != tc.want {
			t.Errorf("progressLine(%d, %s, %v) = %q; want %q", tc.events, tc.elapsed, tc.frac, got, tc.want)
		}
	}
	if p := newProgress(&bytes.Buffer{}, func() (int64, int64) { return 0, 0 }, time.Now); p != nil {
		t.Errorf("newProgress(a buffer) = %v; want nil: no progress off a terminal", p)
	}
}

func TestPrintAccounting(t *testing.T) {
	var b bytes.Buffer
	printAccounting(&b, replay.Summary{
		Unclassified: map[string]int{"aws.foo/Some Detail": 3, "aws.bar/Other": 5},
		Quarantined:  1002,
		Quarantine:   []replay.Quarantine{{Origin: "a.json", Line: 4, Reason: "truncated JSON array"}},
	}, false)
	out := b.String()
	for _, want := range []string{"Not covered by the taxonomy", "5  aws.bar/Other", "3  aws.foo/Some Detail", "a.json:4: truncated JSON array", "and 1001 more"} {
		if !strings.Contains(out, want) {
			t.Errorf("printAccounting() = %q; want %q", out, want)
		}
	}
	if strings.Index(out, "aws.bar") > strings.Index(out, "aws.foo") {
		t.Errorf("printAccounting() = %q; want the most frequent first", out)
	}
}
