package replay_test

import (
	"bytes"
	"context"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/replay"
)

// TestReplayHeaders: a replay that keeps only who each notification went to (as
// `replay` does without --outbox) does and answers exactly what one that keeps the
// bodies does: the same summary, the same messages (ids, topics, attributes, times), the
// same response per incident and the same diff; only the bodies are left out.
func TestReplayHeaders(t *testing.T) {
	cfg, b := setup(t)
	var buf bytes.Buffer
	if err := replay.Generate(&buf, 2000, 3, time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	in := lines(buf.Bytes())
	run := func(headers bool) *replay.Result {
		t.Helper()
		res, err := replay.Run(context.Background(), in, replay.Options{Config: cfg, Bus: b, Until: 4 * time.Hour, Headers: headers})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	full, compact := run(false), run(true)
	if !reflect.DeepEqual(compact.Summary, full.Summary) {
		t.Errorf("summary with Headers = %+v; want %+v", compact.Summary, full.Summary)
	}
	if len(compact.Notifications) != len(full.Notifications) || len(full.Notifications) == 0 {
		t.Fatalf("%d notifications with Headers, %d without; want the same, more than 0", len(compact.Notifications), len(full.Notifications))
	}
	for i, f := range full.Notifications {
		c := compact.Notifications[i]
		if f.Email == "" {
			t.Errorf("notification %d without Headers has no e-mail body", i)
		}
		if c.Email != "" || c.SMS != "" {
			t.Errorf("notification %d with Headers keeps its bodies (%d, %d bytes); want none", i, len(c.Email), len(c.SMS))
		}
		f.Email, f.SMS = "", ""
		if !reflect.DeepEqual(c, f) {
			t.Errorf("notification %d with Headers = %+v; want %+v", i, c, f)
		}
	}
	if got, want := replay.Responses(compact), replay.Responses(full); !reflect.DeepEqual(got, want) {
		t.Errorf("Responses with Headers differ from those without")
	}
	if d := replay.Compare(full, compact); d.Totals.Changed+d.Totals.Opened+d.Totals.NotOpened != 0 {
		t.Errorf("Compare(full, with Headers) = %+v; want no change", d.Totals)
	}
}

// lines makes one input per line of b.
func lines(b []byte) []replay.Input {
	var in []replay.Input
	for i, l := range bytes.Split(b, []byte("\n")) {
		if l = bytes.TrimSpace(l); len(l) > 0 {
			in = append(in, replay.Input{Origin: "day.jsonl:" + strconv.Itoa(i+1), File: "day.jsonl", Line: i + 1, Raw: l})
		}
	}
	return in
}
