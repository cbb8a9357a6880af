package replay_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak"
	"github.com/firebreak-ops/firebreak/events"
	"github.com/firebreak-ops/firebreak/internal/bus"
	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/replay"
)

var t0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

func alarm(id, name, state string, at time.Time) replay.Input {
	raw := fmt.Sprintf(`{"version":"0","id":%q,"detail-type":"CloudWatch Alarm State Change","source":"aws.cloudwatch","account":"123456789012","time":%q,"region":"eu-west-1","resources":["arn:aws:cloudwatch:eu-west-1:123456789012:alarm:%s"],"detail":{"alarmName":%q,"state":{"value":%q,"reason":"test","timestamp":%q},"previousState":{"value":"OK"}}}`,
		id, at.Format(time.RFC3339), name, name, state, at.Format(time.RFC3339))
	return replay.Input{Origin: "test:" + id, File: "test", Raw: []byte(raw)}
}

func setup(t *testing.T) (*config.Config, *bus.Bus) {
	t.Helper()
	cfg, err := firebreak.Config()
	if err != nil {
		t.Fatal(err)
	}
	rules, err := events.Rules()
	if err != nil {
		t.Fatal(err)
	}
	b, err := bus.New(rules)
	if err != nil {
		t.Fatal(err)
	}
	return cfg, b
}

// spaced is a run of alarms on a few alarms going into ALARM and back, one event every
// gap, with a few redeliveries.
func spaced(gap time.Duration) []replay.Input {
	var in []replay.Input
	for i := range 60 {
		state := "ALARM"
		if i%3 == 2 {
			state = "OK"
		}
		in = append(in, alarm(fmt.Sprintf("e%02d", i), fmt.Sprintf("prod-api-%d", i%4), state, t0.Add(time.Duration(i)*gap)))
		if i%10 == 0 {
			in = append(in, alarm(fmt.Sprintf("e%02d", i), fmt.Sprintf("prod-api-%d", i%4), state, t0.Add(time.Duration(i)*gap)))
		}
	}
	return in
}

// Events further apart than the batching window never share a batch, so the batch
// size changes nothing.
func TestStreamBatchSizeDoesNotMatterBeyondTheWindow(t *testing.T) {
	cfg, b := setup(t)
	gap := cfg.Deploy.Intake.BatchingWindow.Duration + time.Second
	var base *replay.Result
	for _, size := range []int{0, 1, 7, 100} {
		res, err := replay.Run(context.Background(), spaced(gap), replay.Options{Config: cfg, Bus: b, BatchSize: size, Until: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		if base == nil {
			base = res
			if res.Summary.Incidents == 0 || res.Summary.Duplicates != 6 || res.Summary.Recoveries == 0 {
				t.Fatalf("Run(spaced) = %+v; want incidents, recoveries and 6 duplicates", res.Summary)
			}
			continue
		}
		if !reflect.DeepEqual(res.Summary, base.Summary) {
			t.Errorf("Run(spaced, batch %d).Summary = %+v; want %+v (the default batch size)", size, res.Summary, base.Summary)
		}
		if got, want := ids(res), ids(base); !slices.Equal(got, want) {
			t.Errorf("Run(spaced, batch %d) incidents = %v; want %v", size, got, want)
		}
	}
}

func ids(res *replay.Result) []string {
	var out []string
	_ = res.EachIncident(context.Background(), func(inc incident.Incident) error {
		out = append(out, inc.ID+" "+string(inc.Status)+" "+string(inc.Severity))
		return nil
	})
	return out
}

// incidents lists a replay's incidents (Result.Incidents), failing t on an error.
func incidents(t *testing.T, res *replay.Result) []incident.Incident {
	t.Helper()
	incs, err := res.Incidents(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return incs
}

// Input out of event-time order is replayed in event-time order.
func TestStreamOrdersByEventTime(t *testing.T) {
	cfg, b := setup(t)
	in := spaced(time.Minute)
	rev := slices.Clone(in)
	slices.Reverse(rev)
	want, err := replay.Run(context.Background(), in, replay.Options{Config: cfg, Bus: b})
	if err != nil {
		t.Fatal(err)
	}
	got, err := replay.Run(context.Background(), rev, replay.Options{Config: cfg, Bus: b})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Summary, want.Summary) {
		t.Errorf("Run(reversed).Summary = %+v; want %+v", got.Summary, want.Summary)
	}
	if !got.Summary.First.Equal(t0) {
		t.Errorf("Run(reversed).First = %s; want %s", got.Summary.First, t0)
	}
	// Held to one event, reversed input is delivered as read: every event still counted.
	late, err := replay.Run(context.Background(), rev, replay.Options{Config: cfg, Bus: b, Reorder: 1})
	if err != nil {
		t.Fatal(err)
	}
	s := late.Summary
	if sum := s.Unmatched + s.Quarantined + s.Duplicates + s.Incidents + s.Repeats + s.Recoveries + s.Recorded; sum != len(rev) || s.Events != len(rev) {
		t.Errorf("Run(reversed, reorder 1) accounts for %d of %d events (%+v)", sum, len(rev), s)
	}
}

// Events no class covers land in the fallback class and are counted by source and
// detail-type; quarantined inputs are listed with where they came from and why.
func TestStreamAccountsForEveryInput(t *testing.T) {
	cfg, b := setup(t)
	bare := *cfg
	bare.Taxonomy = nil // nothing classified: everything routed is the fallback's
	in := []replay.Input{
		alarm("a1", "x", "ALARM", t0),
		alarm("a2", "y", "ALARM", t0.Add(time.Minute)),
		{Origin: "f.json[2]", File: "f.json", Line: 7, Raw: []byte(`{"id": "trunc`), Problem: "truncated JSON array: the input ends inside element 2"},
		{Origin: "g.jsonl:3", File: "g.jsonl", Line: 3, Raw: []byte(`not json`)},
	}
	res, err := replay.Run(context.Background(), in, replay.Options{Config: &bare, Bus: b})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := res.Summary.Unclassified, map[string]int{"aws.cloudwatch/CloudWatch Alarm State Change": 2}; !reflect.DeepEqual(got, want) {
		t.Errorf("Unclassified = %v; want %v", got, want)
	}
	if res.Summary.Quarantined != 2 || len(res.Summary.Quarantine) != 2 {
		t.Fatalf("Quarantined = %d, %+v; want 2 listed", res.Summary.Quarantined, res.Summary.Quarantine)
	}
	q := res.Summary.Quarantine
	slices.SortFunc(q, func(a, b replay.Quarantine) int { return a.Line - b.Line })
	if q[0].Origin != "g.jsonl" || q[0].Line != 3 || q[0].Reason == "" {
		t.Errorf("Quarantine[0] = %+v; want g.jsonl line 3 with a reason", q[0])
	}
	if q[1].Origin != "f.json" || q[1].Line != 7 || q[1].Reason != "truncated JSON array: the input ends inside element 2" {
		t.Errorf("Quarantine[1] = %+v; want f.json line 7, truncated", q[1])
	}
	full, err := replay.Run(context.Background(), in[:2], replay.Options{Config: cfg, Bus: b})
	if err != nil {
		t.Fatal(err)
	}
	if len(full.Summary.Unclassified) != 0 {
		t.Errorf("Unclassified with the taxonomy = %v; want none", full.Summary.Unclassified)
	}
}

func TestCompareMatchesIncidentsByTheirEvent(t *testing.T) {
	cfg, b := setup(t)
	in := spaced(time.Minute)
	old, err := replay.Run(context.Background(), in, replay.Options{Config: cfg, Bus: b})
	if err != nil {
		t.Fatal(err)
	}
	same, err := replay.Compare(context.Background(), old, old)
	if err != nil {
		t.Fatal(err)
	}
	if same.Totals.Unchanged != old.Summary.Incidents || len(same.Incidents) != 0 {
		t.Errorf("Compare(x, x) = %+v; want every one of %d incidents unchanged", same.Totals, old.Summary.Incidents)
	}
	bare := *cfg
	bare.Taxonomy = nil
	none, err := replay.Run(context.Background(), in, replay.Options{Config: &bare, Bus: b})
	if err != nil {
		t.Fatal(err)
	}
	d, err := replay.Compare(context.Background(), old, none)
	if err != nil {
		t.Fatal(err)
	}
	if d.Totals.NotOpened != old.Summary.Incidents || d.Totals.Opened != 0 || len(d.Incidents) != old.Summary.Incidents {
		t.Errorf("Compare(taxonomy, none).Totals = %+v; want all %d not opened", d.Totals, old.Summary.Incidents)
	}
	for _, c := range d.Incidents {
		if c.Change != "not opened" || c.Old == nil || c.New != nil || c.Event == "" {
			t.Errorf("Compare(taxonomy, none) incident = %+v; want not opened, with the old response", c)
		}
	}
}
