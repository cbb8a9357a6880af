package intake_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/event/eventtest"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/intake"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// ordered is one event of a generated history: an alarm going to ALARM (a trigger) or
// OK (a recovery) at its event time.
type ordered struct {
	id, alarm, state string
	at               time.Time
}

// history makes, per alarm, a run of ALARM and OK events at distinct event times over
// an hour; some alarms begin with OK (a recovery with nothing to recover yet), some
// never go to ALARM.
func history(seed uint64) []ordered {
	rng := rand.New(rand.NewPCG(seed, 3))
	var out []ordered
	for a := range 8 {
		alarm := fmt.Sprintf("prod-order-%02d", a)
		at := t0.Add(time.Duration(rng.IntN(600)) * time.Second)
		for i := range 1 + rng.IntN(12) {
			state := "ALARM"
			if rng.IntN(5) < 2 || a == 7 { // alarm 7 only recovers
				state = "OK"
			}
			out = append(out, ordered{id: fmt.Sprintf("%s-%02d", alarm, i), alarm: alarm, state: state, at: at})
			at = at.Add(time.Duration(1+rng.IntN(300)) * time.Second)
		}
	}
	return out
}

// expected is what the events mean in event-time order, worked out without intake: an
// incident opens at an alarm's first ALARM; a later OK mitigates it, a later ALARM
// triggers it again; OKs before the first ALARM are not part of it.
type expected struct {
	status            incident.Status
	opened            time.Time
	count, recoveries int
}

func model(evs []ordered) map[string]expected {
	by := map[string][]ordered{}
	for _, e := range evs {
		by[e.alarm] = append(by[e.alarm], e)
	}
	out := map[string]expected{}
	for alarm, list := range by {
		sort.Slice(list, func(i, j int) bool { return list[i].at.Before(list[j].at) })
		var x expected
		for _, e := range list {
			switch {
			case e.state == "ALARM" && x.count == 0:
				x.status, x.opened, x.count = incident.Open, e.at, 1
			case e.state == "ALARM":
				x.count++
				x.status = incident.Open
			case x.count > 0: // OK after the opening
				x.recoveries++
				x.status = incident.Mitigated
			}
		}
		if x.count > 0 {
			out[alarm] = x
		}
	}
	return out
}

// deliver sends the events in the order given, in batches of random sizes, with some
// messages delivered twice (at-least-once; the second delivery anywhere in the stream,
// before the first too: a message's copies can come in any order), through one processor.
func deliver(t *testing.T, st fullStore, evs []ordered, rng *rand.Rand) {
	deliverCopies(t, st, evs, rng, false)
}

// deliverCopies is deliver; inOrder puts each second delivery after the first.
func deliverCopies(t *testing.T, st fullStore, evs []ordered, rng *rand.Rand, inOrder bool) {
	t.Helper()
	ctx := context.Background()
	p := intake.New(st, classifier(t), now, nil)
	msgs := make([]intake.Message, 0, len(evs))
	for _, e := range evs {
		msgs = append(msgs, msg("m-"+e.id, eventtest.Alarm(t, e.id, e.alarm, e.state, e.at)))
	}
	for i := range len(msgs) / 5 { // redeliveries
		from := rng.IntN(len(msgs))
		m := msgs[from]
		at := rng.IntN(len(msgs)-i) + i
		if inOrder {
			at = from + 1 + rng.IntN(len(msgs)-from)
		}
		msgs = append(msgs[:at], append([]intake.Message{m}, msgs[at:]...)...)
	}
	for start := 0; start < len(msgs); {
		end := min(start+1+rng.IntN(20), len(msgs))
		rep, err := p.Process(ctx, msgs[start:end])
		if err != nil || len(rep.Retry) > 0 {
			t.Fatalf("Process() = retry %v, err %v", rep.Retry, err)
		}
		start = end
	}
}

// got reads the incidents of the store as alarm name → what the model predicts.
func got(t *testing.T, st fullStore) map[string]expected {
	t.Helper()
	ctx := context.Background()
	incs, err := st.List(ctx, store.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]expected{}
	for _, listed := range incs {
		inc, err := st.Get(ctx, listed.ID)
		if err != nil {
			t.Fatal(err)
		}
		alarm := inc.Attrs["alarm_name"]
		if _, dup := out[alarm]; dup {
			t.Errorf("alarm %s has more than one incident", alarm)
		}
		out[alarm] = expected{status: inc.Status, opened: inc.OpenedAt, count: inc.Count, recoveries: inc.Recoveries}
	}
	return out
}

func describe(m map[string]expected) string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		x := m[k]
		fmt.Fprintf(&b, "%s: %s opened %s count %d recoveries %d\n", k, x.status, x.opened.Sub(t0), x.count, x.recoveries)
	}
	return b.String()
}

// TestDeliveryOrderDoesNotChangeOutcomes is the property: the same events in any order,
// in any batching, with redeliveries, end in the same incidents, statuses and counts as
// event-time order says, against both stores. A recovery that arrives before its trigger
// still mitigates the incident the trigger opens; an incident opens at its earliest
// trigger whatever arrived first.
func TestDeliveryOrderDoesNotChangeOutcomes(t *testing.T) {
	for name, newStore := range stores {
		t.Run(name, func(t *testing.T) {
			for _, seed := range []uint64{1, 2, 3, 4} {
				evs := history(seed)
				want := model(evs)
				orders := map[string][]ordered{"event-time": append([]ordered(nil), evs...), "reversed": nil, "shuffled": append([]ordered(nil), evs...)}
				sort.SliceStable(orders["event-time"], func(i, j int) bool { return orders["event-time"][i].at.Before(orders["event-time"][j].at) })
				for i := len(orders["event-time"]) - 1; i >= 0; i-- {
					orders["reversed"] = append(orders["reversed"], orders["event-time"][i])
				}
				rng := rand.New(rand.NewPCG(seed, 4))
				rng.Shuffle(len(orders["shuffled"]), func(i, j int) {
					orders["shuffled"][i], orders["shuffled"][j] = orders["shuffled"][j], orders["shuffled"][i]
				})
				for order, list := range orders {
					t.Run(fmt.Sprintf("seed-%d/%s", seed, order), func(t *testing.T) {
						st := newStore(t)
						deliver(t, st, list, rand.New(rand.NewPCG(seed, 5)))
						if g, w := describe(got(t, st)), describe(want); g != w {
							t.Errorf("incidents after %s delivery:\n%s\nwant (event-time order):\n%s", order, g, w)
						}
					})
				}
			}
		})
	}
}

// TestRecoveryBeforeItsTrigger: the cases the property covers, one by one.
func TestRecoveryBeforeItsTrigger(t *testing.T) {
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	alarm := func(id, state string, m int) intake.Message {
		return msg("m-"+id, eventtest.Alarm(t, id, "prod-late", state, at(m)))
	}
	tests := []struct {
		name    string
		batches [][]intake.Message
		want    expected
	}{
		{"OK arrives first, in an earlier batch", [][]intake.Message{{alarm("ok", "OK", 10)}, {alarm("alarm", "ALARM", 5)}},
			expected{incident.Mitigated, at(5), 1, 1}},
		{"OK first in the same batch", [][]intake.Message{{alarm("ok", "OK", 10), alarm("alarm", "ALARM", 5)}},
			expected{incident.Mitigated, at(5), 1, 1}},
		{"OK that happened before the ALARM stays out", [][]intake.Message{{alarm("ok", "OK", 1)}, {alarm("alarm", "ALARM", 5)}},
			expected{incident.Open, at(5), 1, 0}},
		{"the later ALARM arrives first", [][]intake.Message{{alarm("a2", "ALARM", 20)}, {alarm("a1", "ALARM", 5)}},
			expected{incident.Open, at(5), 2, 0}},
		{"a late ALARM, then the OK between them", [][]intake.Message{{alarm("a2", "ALARM", 20)}, {alarm("ok", "OK", 10)}, {alarm("a1", "ALARM", 5)}},
			expected{incident.Open, at(5), 2, 1}},
		{"OK last in event time, delivered before both ALARMs", [][]intake.Message{{alarm("ok", "OK", 30)}, {alarm("a2", "ALARM", 20)}, {alarm("a1", "ALARM", 5)}},
			expected{incident.Mitigated, at(5), 2, 1}},
	}
	for name, newStore := range stores {
		t.Run(name, func(t *testing.T) {
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					st := newStore(t)
					p := intake.New(st, classifier(t), now, nil)
					for _, b := range tt.batches {
						if rep, err := p.Process(context.Background(), b); err != nil || len(rep.Retry) > 0 {
							t.Fatalf("Process() = retry %v, err %v", rep.Retry, err)
						}
					}
					g := got(t, st)["prod-late"]
					if g != tt.want {
						t.Errorf("incident = %s opened %s count %d recoveries %d; want %s opened %s count %d recoveries %d",
							g.status, g.opened.Sub(t0), g.count, g.recoveries, tt.want.status, tt.want.opened.Sub(t0), tt.want.count, tt.want.recoveries)
					}
				})
			}
		})
	}
}

// modelTimeline is the lifecycle entries event-time order gives each alarm, worked out
// without intake: opened at its first ALARM, mitigated by each OK that follows an
// ALARM, triggered again by each ALARM that follows such an OK.
func modelTimeline(evs []ordered) map[string][]string {
	sorted := append([]ordered(nil), evs...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].at.Before(sorted[j].at) })
	out := map[string][]string{}
	state := map[string]string{}
	for _, e := range sorted {
		switch {
		case e.state == "ALARM" && state[e.alarm] == "":
			out[e.alarm], state[e.alarm] = append(out[e.alarm], "opened:"+e.id), "ALARM"
		case e.state == "ALARM" && state[e.alarm] == "OK":
			out[e.alarm], state[e.alarm] = append(out[e.alarm], "retriggered:"+e.id), "ALARM"
		case e.state == "OK" && state[e.alarm] == "ALARM":
			out[e.alarm], state[e.alarm] = append(out[e.alarm], "mitigated:"+e.id), "OK"
		}
	}
	return out
}

// TestBatchingDoesNotChangeTimelines: events delivered in event-time order, in batches of
// any size (1 to 20) with redeliveries (each after its first delivery), leave the
// timeline entries event-time order gives, one per change: a flap inside one batch is
// written as a flap over two batches.
func TestBatchingDoesNotChangeTimelines(t *testing.T) {
	ctx := context.Background()
	for name, newStore := range stores {
		for _, seed := range []uint64{1, 2, 3, 4, 5, 6} {
			t.Run(fmt.Sprintf("%s/seed-%d", name, seed), func(t *testing.T) {
				evs := history(seed)
				sort.SliceStable(evs, func(i, j int) bool { return evs[i].at.Before(evs[j].at) })
				st := newStore(t)
				deliverCopies(t, st, evs, rand.New(rand.NewPCG(seed, 6)), true)
				incs, err := st.List(ctx, store.Filter{})
				if err != nil {
					t.Fatal(err)
				}
				want := modelTimeline(evs)
				for _, inc := range incs {
					alarm := inc.Attrs["alarm_name"]
					tl, err := st.Timeline(ctx, inc.ID)
					if err != nil {
						t.Fatal(err)
					}
					var keys []string
					for _, e := range tl {
						keys = append(keys, e.Key)
					}
					if fmt.Sprint(keys) != fmt.Sprint(want[alarm]) {
						t.Errorf("%s: timeline %v; want %v", alarm, keys, want[alarm])
					}
					delete(want, alarm)
				}
				if len(want) > 0 {
					t.Errorf("no incident for %v", want)
				}
			})
		}
	}
}

// TestRecoveryDeliveredAfterItsRepeat: a recovery delivered after the trigger that
// followed it in event time (the incident's repeat, incident.Incident.Repeat) leaves the
// mitigation and the re-trigger event time gives, on both stores, however the events
// before it were batched; the incident is open again since the repeat.
func TestRecoveryDeliveredAfterItsRepeat(t *testing.T) {
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	alarm := func(id, state string, m int) intake.Message {
		return msg("m-"+id, eventtest.Alarm(t, id, "prod-late", state, at(m)))
	}
	tests := []struct {
		name     string
		batches  [][]intake.Message
		timeline []string
		status   incident.Status
		since    time.Time
	}{
		{"the repeat in a batch of its own", [][]intake.Message{{alarm("a1", "ALARM", 5)}, {alarm("a2", "ALARM", 20)}, {alarm("ok", "OK", 10)}},
			[]string{"opened:a1", "mitigated:ok", "retriggered:a2"}, incident.Open, at(20)},
		{"the repeat in the opening's batch", [][]intake.Message{{alarm("a2", "ALARM", 20), alarm("a1", "ALARM", 5)}, {alarm("ok", "OK", 10)}},
			[]string{"opened:a1", "mitigated:ok", "retriggered:a2"}, incident.Open, at(20)},
		{"a later repeat first, then the earlier one", [][]intake.Message{{alarm("a1", "ALARM", 5)}, {alarm("a3", "ALARM", 25)}, {alarm("a2", "ALARM", 20)}, {alarm("ok", "OK", 10)}},
			[]string{"opened:a1", "mitigated:ok", "retriggered:a2"}, incident.Open, at(20)},
		{"repeats after the repeat", [][]intake.Message{{alarm("a1", "ALARM", 5)}, {alarm("a2", "ALARM", 20)}, {alarm("a3", "ALARM", 25)}, {alarm("ok", "OK", 10), alarm("ok0", "OK", 12)}},
			[]string{"opened:a1", "mitigated:ok", "retriggered:a2"}, incident.Open, at(20)},
		{"a recovery after the repeat mitigates as before", [][]intake.Message{{alarm("a1", "ALARM", 5)}, {alarm("a2", "ALARM", 20)}, {alarm("ok", "OK", 30)}},
			[]string{"opened:a1", "mitigated:ok"}, incident.Mitigated, at(30)},
		{"delivered twice", [][]intake.Message{{alarm("a1", "ALARM", 5)}, {alarm("a2", "ALARM", 20)}, {alarm("ok", "OK", 10)}, {alarm("ok", "OK", 10), alarm("a2", "ALARM", 20)}},
			[]string{"opened:a1", "mitigated:ok", "retriggered:a2"}, incident.Open, at(20)},
	}
	for _, tt := range tests {
		checkLifecycle(t, tt.name, tt.batches, tt.timeline, tt.status, tt.since)
	}
}

// TestRecoveryDeliveredAfterALaterRecovery: a recovery delivered after a later recovery
// mitigated the incident moves the mitigation to it, on both stores, when no trigger
// came between them; the later one's entry stays (delivery history). With a trigger
// between them (delivered before), the mitigation stays where it is.
func TestRecoveryDeliveredAfterALaterRecovery(t *testing.T) {
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	alarm := func(id, state string, m int) intake.Message {
		return msg("m-"+id, eventtest.Alarm(t, id, "prod-late", state, at(m)))
	}
	checkLifecycle(t, "moved to the earlier recovery", [][]intake.Message{{alarm("a1", "ALARM", 5)}, {alarm("ok2", "OK", 20)}, {alarm("ok1", "OK", 10)}},
		[]string{"opened:a1", "mitigated:ok1", "mitigated:ok2"}, incident.Mitigated, at(10))
	checkLifecycle(t, "delivered twice", [][]intake.Message{{alarm("a1", "ALARM", 5)}, {alarm("ok2", "OK", 20)}, {alarm("ok1", "OK", 10)}, {alarm("ok1", "OK", 10), alarm("ok2", "OK", 20)}},
		[]string{"opened:a1", "mitigated:ok1", "mitigated:ok2"}, incident.Mitigated, at(10))
	checkLifecycle(t, "a trigger between keeps it", [][]intake.Message{{alarm("a1", "ALARM", 5)}, {alarm("a2", "ALARM", 12)}, {alarm("ok2", "OK", 20)}, {alarm("ok1", "OK", 10)}},
		[]string{"opened:a1", "mitigated:ok2"}, incident.Mitigated, at(20))
	checkLifecycle(t, "a trigger between in its batch keeps it", [][]intake.Message{{alarm("a1", "ALARM", 5)}, {alarm("ok2", "OK", 20)}, {alarm("ok1", "OK", 10), alarm("a2", "ALARM", 12)}},
		[]string{"opened:a1", "mitigated:ok2"}, incident.Mitigated, at(20))
	checkLifecycle(t, "not before the opening", [][]intake.Message{{alarm("a1", "ALARM", 5)}, {alarm("ok2", "OK", 20)}, {alarm("ok0", "OK", 3)}},
		[]string{"opened:a1", "mitigated:ok2"}, incident.Mitigated, at(20))
}

// checkLifecycle delivers the batches through one processor on each store and checks the
// incident's timeline keys, status and state time.
func checkLifecycle(t *testing.T, name string, batches [][]intake.Message, timeline []string, status incident.Status, since time.Time) {
	t.Helper()
	for storeName, newStore := range stores {
		t.Run(storeName+"/"+name, func(t *testing.T) {
			ctx := context.Background()
			st := newStore(t)
			p := intake.New(st, classifier(t), now, nil)
			for _, b := range batches {
				if rep, err := p.Process(ctx, b); err != nil || len(rep.Retry) > 0 {
					t.Fatalf("Process() = retry %v, err %v", rep.Retry, err)
				}
			}
			incs, err := st.List(ctx, store.Filter{})
			if err != nil || len(incs) != 1 {
				t.Fatalf("List() = %d incidents, %v; want 1", len(incs), err)
			}
			inc := incs[0]
			tl, err := st.Timeline(ctx, inc.ID)
			if err != nil {
				t.Fatal(err)
			}
			var keys []string
			for _, e := range tl {
				keys = append(keys, e.Key)
			}
			if fmt.Sprint(keys) != fmt.Sprint(timeline) || inc.Status != status || !inc.StateAt.Equal(since) {
				t.Errorf("%s since %s, timeline %v; want %s since %s, %v", inc.Status, inc.StateAt.Sub(t0), keys, status, since.Sub(t0), timeline)
			}
			if status == incident.Mitigated && !inc.MitigatedAt.Equal(since) {
				t.Errorf("mitigated at %s; want %s", inc.MitigatedAt.Sub(t0), since.Sub(t0))
			}
		})
	}
}
