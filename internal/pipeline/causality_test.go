package pipeline_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak"
	catalog "github.com/firebreak-ops/firebreak/events"
	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/event"
	"github.com/firebreak-ops/firebreak/internal/event/eventtest"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/intake"
	"github.com/firebreak-ops/firebreak/internal/lifecycle"
	"github.com/firebreak-ops/firebreak/internal/pipeline"
	"github.com/firebreak-ops/firebreak/internal/runbook"
	"github.com/firebreak-ops/firebreak/internal/store"
	"github.com/firebreak-ops/firebreak/runbooks"
)

// delivery is one queued message with the event time of what it holds.
type delivery struct {
	id   string
	body []byte
	at   time.Time
}

// sampleDeliveries are the catalog's samples, each an event of its own.
func sampleDeliveries(t *testing.T) []delivery {
	t.Helper()
	samples, err := catalog.Samples()
	if err != nil {
		t.Fatal(err)
	}
	var out []delivery
	for _, s := range samples {
		b, err := catalog.ReadSample(s.File)
		if err != nil {
			t.Fatal(err)
		}
		env, err := event.ParseEnvelope(b)
		if err != nil {
			t.Fatalf("%s: %v", s.File, err)
		}
		out = append(out, delivery{id: s.File, body: b, at: env.Time})
	}
	return out
}

// stormDeliveries is a seeded storm over three hours: alarms that flap between ALARM and
// OK on a dozen resources, and GuardDuty findings re-rated upwards (severity raises).
func stormDeliveries(t *testing.T, seed uint64) []delivery {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 1))
	var out []delivery
	for i := range 400 {
		at := t0.Add(time.Duration(rng.IntN(3*3600)) * time.Second)
		id := fmt.Sprintf("storm-%d-%04d", seed, i)
		switch rng.IntN(10) {
		case 0, 1:
			finding := fmt.Sprintf("finding-%d", rng.IntN(3))
			sev := []float64{2, 5, 8}[rng.IntN(3)]
			out = append(out, delivery{id: id, body: eventtest.GuardDuty(t, id, finding, sev, at), at: at})
		default:
			state := "ALARM"
			if rng.IntN(3) == 0 {
				state = "OK"
			}
			alarm := fmt.Sprintf("prod-svc-%02d", rng.IntN(12))
			out = append(out, delivery{id: id, body: eventtest.Alarm(t, id, alarm, state, at), at: at})
		}
	}
	return out
}

func byEventTime(ds []delivery) []delivery {
	out := append([]delivery(nil), ds...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].at.Before(out[j].at) })
	return out
}

func shuffled(ds []delivery, seed uint64) []delivery {
	out := append([]delivery(nil), ds...)
	rand.New(rand.NewPCG(seed, 2)).Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

func defaultConfig(t *testing.T) *config.Config {
	t.Helper()
	cfg, err := firebreak.Config()
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// runDeliveries delivers ds in the order given, batch at a time, as the queue would: the
// clocks run up to the newest event of a batch before intake takes it, and until past
// the newest event at the end. It returns the pipeline and the event time of every
// event intake saw.
func runDeliveries(t *testing.T, cfg *config.Config, ds []delivery, batch int, until time.Duration) (*pipeline.Local, map[string]time.Time) {
	t.Helper()
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
	first := ds[0].at
	for _, d := range ds {
		if d.at.Before(first) {
			first = d.at
		}
	}
	ctx := context.Background()
	l, err := pipeline.New(pipeline.Options{Config: cfg, Start: first, Runbooks: machines, Fixtures: fixtures})
	if err != nil {
		t.Fatal(err)
	}
	times := map[string]time.Time{}
	var last time.Time
	for start := 0; start < len(ds); start += batch {
		b := ds[start:min(start+batch, len(ds))]
		newest := b[0].at
		msgs := make([]intake.Message, len(b))
		for i, d := range b {
			if d.at.After(newest) {
				newest = d.at
			}
			msgs[i] = intake.Message{ID: d.id, Body: d.body, ReceivedAt: d.at}
		}
		if newest.After(last) {
			last = newest
		}
		if err := l.AdvanceTo(ctx, newest); err != nil {
			t.Fatal(err)
		}
		rep, err := l.Ingest(ctx, msgs)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range rep.Outcomes {
			if o.EventID != "" {
				times[o.EventID] = o.Time
			}
		}
	}
	if err := l.AdvanceTo(ctx, last.Add(until)); err != nil {
		t.Fatal(err)
	}
	return l, times
}

// checkCausality fails for every timeline entry of every incident that precedes its cause.
func checkCausality(t *testing.T, l *pipeline.Local, times map[string]time.Time) {
	t.Helper()
	ctx := context.Background()
	incs, err := l.Store.List(ctx, store.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(incs) == 0 {
		t.Fatal("no incidents: nothing was checked")
	}
	eventTime := func(id string) (time.Time, bool) { at, ok := times[id]; return at, ok }
	bad := 0
	for _, inc := range incs {
		tl, err := l.Store.Timeline(ctx, inc.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range incident.Causality(tl, eventTime) {
			if bad++; bad <= 10 {
				t.Errorf("timeline: %v", e)
			}
		}
	}
	if bad > 10 {
		t.Errorf("… and %d more timeline entries before their cause", bad-10)
	}
}

// TestTimelinesFollowTheirCauses: no timeline entry precedes what caused it, over the
// samples and generated storms, at several batch sizes and in several delivery orders,
// with the clocks run six hours past the last event.
func TestTimelinesFollowTheirCauses(t *testing.T) {
	cfg := defaultConfig(t)
	inputs := map[string][]delivery{"samples": sampleDeliveries(t)}
	for _, seed := range []uint64{1, 2} {
		inputs[fmt.Sprintf("storm-%d", seed)] = stormDeliveries(t, seed)
	}
	for name, ds := range inputs {
		for order, ordered := range map[string][]delivery{"event-time": byEventTime(ds), "shuffled": shuffled(ds, 7)} {
			for _, batch := range []int{1, 10, 100} {
				t.Run(fmt.Sprintf("%s/%s/batch-%d", name, order, batch), func(t *testing.T) {
					l, times := runDeliveries(t, cfg, ordered, batch, 6*time.Hour)
					checkCausality(t, l, times)
				})
			}
		}
	}
}

// TestPeoplesChangesFollowTheirCauses: what people do (acknowledge, hand over, raise the
// severity, note, mitigate) is told after it was done, and the clocks of a raised
// severity act after the raise.
func TestPeoplesChangesFollowTheirCauses(t *testing.T) {
	cfg := defaultConfig(t)
	ds := byEventTime(stormDeliveries(t, 3))
	l, times := runDeliveries(t, cfg, ds[:40], 10, 0)
	ctx := context.Background()
	incs, err := l.Store.List(ctx, store.Filter{Status: []incident.Status{incident.Open}})
	if err != nil || len(incs) == 0 {
		t.Fatalf("List(open) = %d, %v; want open incidents", len(incs), err)
	}
	id, other := "", ""
	for _, inc := range incs {
		if inc.Parent == "" && inc.SilencedBy == "" { // one that pages
			id, other = inc.ID, "platform"
			if inc.Team == other {
				other = "security"
			}
			break
		}
	}
	if id == "" {
		t.Fatal("no open incident pages anyone")
	}
	later := func(m int) {
		if err := l.AdvanceTo(ctx, l.Clock.Now().Add(time.Duration(m)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	do := func(what string, f func(ctx context.Context) error) {
		t.Helper()
		if err := l.Do(ctx, f); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	r := lifecycle.Request{Incident: id, By: "sam"}
	later(3)
	do("hand over", func(ctx context.Context) error { _, err := l.Lifecycle.SetOwner(ctx, r, other, "theirs"); return err })
	later(3)
	do("raise", func(ctx context.Context) error {
		_, err := l.Lifecycle.SetSeverity(ctx, r, incident.Sev1, "worse")
		return err
	})
	later(20)
	do("acknowledge", func(ctx context.Context) error {
		_, err := l.Lifecycle.Transition(ctx, r, incident.Acknowledged, "on it")
		return err
	})
	later(45)
	do("mitigate", func(ctx context.Context) error {
		_, err := l.Lifecycle.Transition(ctx, r, incident.Mitigated, "fixed")
		return err
	})
	later(120)
	checkCausality(t, l, times)
}
