package replay_test

import (
	"bytes"
	"context"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/replay"
	"github.com/firebreak-ops/firebreak/internal/runbook"
	"github.com/firebreak-ops/firebreak/runbooks"
)

// TestReplayHeaders: a replay that keeps only who each notification went to (as
// `replay` does without --outbox) does and answers exactly what one that keeps the
// messages does: the same summary, the same teams told per incident, the same response
// per incident and the same diff; the messages themselves are counted, not kept.
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
	if len(full.Notifications) != full.Summary.Notifications || len(full.Notifications) == 0 {
		t.Fatalf("%d notifications kept without Headers, %d counted; want the same, more than 0", len(full.Notifications), full.Summary.Notifications)
	}
	if len(compact.Notifications) != 0 {
		t.Errorf("%d notifications kept with Headers; want none (counted: %d)", len(compact.Notifications), compact.Summary.Notifications)
	}
	for i, f := range full.Notifications {
		if f.Email == "" {
			t.Errorf("notification %d without Headers has no e-mail body", i)
		}
	}
	compactTold, err := compact.Told()
	if err != nil {
		t.Fatal(err)
	}
	fullTold, err := full.Told()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(compactTold, fullTold) || len(fullTold) == 0 {
		t.Errorf("told with Headers = %d incidents; want the same as without (%d), more than 0", len(compactTold), len(fullTold))
	}
	ctx := context.Background()
	got, err := replay.Responses(ctx, compact)
	if err != nil {
		t.Fatal(err)
	}
	want, err := replay.Responses(ctx, full)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Responses with Headers differ from those without")
	}
	if d, err := replay.Compare(ctx, full, compact); err != nil || d.Totals.Changed+d.Totals.Opened+d.Totals.NotOpened != 0 {
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

// TestReplayTimelines: a replay that keeps few timelines in memory (the others written
// out and read back when touched) does exactly what one that keeps them all does: the
// same summary, incidents, messages, runbook runs and timelines, entry for entry.
func TestReplayTimelines(t *testing.T) {
	cfg, b := setup(t)
	var buf bytes.Buffer
	if err := replay.Generate(&buf, 2000, 5, time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	in := lines(buf.Bytes())
	defs, err := runbooks.Definitions()
	if err != nil {
		t.Fatal(err)
	}
	machines, err := runbook.CompileLocal(defs)
	if err != nil {
		t.Fatal(err)
	}
	fixtures, err := runbooks.DryRunFixtures()
	if err != nil {
		t.Fatal(err)
	}
	run := func(timelines int) *replay.Result {
		t.Helper()
		res, err := replay.Run(context.Background(), in, replay.Options{Config: cfg, Bus: b, Until: 4 * time.Hour, Timelines: timelines,
			Runbooks: machines, Fixtures: fixtures})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = res.Close() })
		return res
	}
	all, few := run(0), run(8)
	if !reflect.DeepEqual(few.Summary, all.Summary) {
		t.Errorf("summary with 8 timelines in memory = %+v; want %+v", few.Summary, all.Summary)
	}
	allIncs, fewIncs := incidents(t, all), incidents(t, few)
	if !reflect.DeepEqual(fewIncs, allIncs) || len(allIncs) < 100 {
		t.Fatalf("incidents with 8 timelines in memory differ (%d, %d); want the same, at least 100", len(fewIncs), len(allIncs))
	}
	if ran := all.Summary.Runbooks["alarm-diagnostics"].Succeeded; ran == 0 {
		t.Errorf("no runbook ran; want runbooks writing to timelines")
	}
	if !reflect.DeepEqual(few.Notifications, all.Notifications) {
		t.Errorf("notifications with 8 timelines in memory differ from those with all")
	}
	for name, get := range map[string]func(*replay.Result) (any, error){ // few keeps its notes in a file
		"Told":      func(r *replay.Result) (any, error) { return r.Told() },
		"OpenedBy":  func(r *replay.Result) (any, error) { return r.OpenedBy() },
		"Responses": func(r *replay.Result) (any, error) { return replay.Responses(context.Background(), r) },
	} {
		want, err := get(all)
		if err != nil {
			t.Fatal(err)
		}
		got, err := get(few)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s with 8 timelines in memory = %v; want %v", name, got, want)
		}
	}
	for _, inc := range allIncs {
		want, err := all.Store.Timeline(context.Background(), inc.ID)
		if err != nil {
			t.Fatal(err)
		}
		got, err := few.Store.Timeline(context.Background(), inc.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Timeline(%s) with 8 in memory = %d entries; want %d, the same", inc.ID, len(got), len(want))
		}
	}
}
