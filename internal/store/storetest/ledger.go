package storetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/event"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// stormRefs is n events at rate per second from t0, every tenth a recovery.
func stormRefs(prefix string, n, rate int) []store.EventRef {
	out := make([]store.EventRef, n)
	for i := range out {
		sig := event.Trigger
		if i%10 == 9 {
			sig = event.Recovery
		}
		out[i] = store.EventRef{ID: fmt.Sprintf("%s-%06d", prefix, i), Time: t0.Add(time.Duration(i) * time.Second / time.Duration(rate)), Signal: sig}
	}
	return out
}

func recordAll(t *testing.T, st store.Store, l store.Ledger, all []store.EventRef, batch int) int {
	t.Helper()
	added := 0
	for start := 0; start < len(all); start += batch {
		a, err := st.Record(context.Background(), l, all[start:min(start+batch, len(all))])
		if err != nil {
			t.Fatalf("Record(events %d..) = %v", start, err)
		}
		added += len(a)
	}
	return added
}

func wantCounters(t *testing.T, what string, got incident.Incident, events, triggers, recoveries int, first, last time.Time) {
	t.Helper()
	if got.Events != events || got.Count != triggers || got.Recoveries != recoveries {
		t.Errorf("%s: counters = events %d count %d recoveries %d; want %d %d %d", what, got.Events, got.Count, got.Recoveries, events, triggers, recoveries)
	}
	if !got.FirstSeen.Equal(first) || !got.LastSeen.Equal(last) {
		t.Errorf("%s: seen = %v..%v; want %v..%v", what, got.FirstSeen, got.LastSeen, first, last)
	}
}

// runLedger: a storm larger than any one item holds, redelivered in other groupings,
// late events, and concurrent writers: every event counted exactly once.
func runLedger(t *testing.T, f Factory) {
	ctx := context.Background()
	fp := "ops.alarm|1|r|storm"
	open := func(t *testing.T, st store.Store) incident.Incident {
		inc := newIncident(fp, 1)
		if _, _, err := st.Open(ctx, inc, openedEntry(inc)); err != nil {
			t.Fatal(err)
		}
		return inc
	}

	t.Run("StormRedeliveredAcrossPages", func(t *testing.T) {
		st := f(t)
		inc := open(t, st)
		l := store.Ledger{Incident: inc.ID}
		all := stormRefs("s", 6000, 200) // 30 seconds at 200 a second
		if added := recordAll(t, st, l, all, 100); added != len(all) {
			t.Fatalf("Record(storm) added %d; want %d", added, len(all))
		}
		// Everything again, shuffled into other batches, with ten new events among them.
		again := append([]store.EventRef{}, all...)
		for i := range 10 {
			again = append(again, store.EventRef{ID: fmt.Sprintf("new-%d", i), Time: t0.Add(time.Duration(i*3) * time.Second), Signal: event.Trigger})
		}
		rand.New(rand.NewPCG(1, 2)).Shuffle(len(again), func(i, j int) { again[i], again[j] = again[j], again[i] })
		if added := recordAll(t, st, l, again, 37); added != 10 {
			t.Errorf("Record(storm redelivered, shuffled, + 10 new) added %d; want 10", added)
		}
		got, err := st.Get(ctx, inc.ID)
		if err != nil {
			t.Fatal(err)
		}
		wantCounters(t, "Get() after the storm", got, 6010, 5410, 600, t0, all[len(all)-1].Time.Truncate(time.Second))
		list, err := st.List(ctx, store.Filter{})
		if err != nil || len(list) != 1 {
			t.Fatalf("List() = %v, %v; want the one incident", ids(list), err)
		}
		wantCounters(t, "List() after the storm", list[0], 6010, 5410, 600, t0, all[len(all)-1].Time.Truncate(time.Second))
	})

	t.Run("LateEventsMoveFirstSeen", func(t *testing.T) {
		st := f(t)
		inc := open(t, st)
		l := store.Ledger{Incident: inc.ID}
		all := stormRefs("s", 3000, 100)
		recordAll(t, st, l, all, 100)
		late := []store.EventRef{
			{ID: "late-1", Time: t0.Add(-time.Hour), Signal: event.Trigger},
			{ID: "s-000005", Time: all[5].Time, Signal: event.Trigger}, // redelivered, long rolled out
			{ID: "late-2", Time: t0.Add(5 * time.Second), Signal: event.Recovery},
		}
		added, err := st.Record(ctx, l, late)
		if err != nil || len(added) != 2 {
			t.Fatalf("Record(late) added %v, err %v; want late-1 and late-2", added, err)
		}
		if added, err := st.Record(ctx, l, late); err != nil || len(added) != 0 {
			t.Errorf("Record(late again) added %v, err %v; want none", added, err)
		}
		got, err := st.Get(ctx, inc.ID)
		if err != nil {
			t.Fatal(err)
		}
		wantCounters(t, "Get() after late events", got, 3002, 2701, 301, t0.Add(-time.Hour), all[len(all)-1].Time.Truncate(time.Second))
	})

	t.Run("ConcurrentStormCountsExactly", func(t *testing.T) {
		st := f(t)
		inc := open(t, st)
		l := store.Ledger{Incident: inc.ID}
		all := stormRefs("c", 4000, 400)
		// Four writers each record the whole storm in their own batch order: every event
		// is delivered four times, concurrently.
		var wg sync.WaitGroup
		added := make([]int, 4)
		for w := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				mine := append([]store.EventRef{}, all...)
				rand.New(rand.NewPCG(uint64(w), 7)).Shuffle(len(mine)/50, func(i, j int) {
					copy50 := append([]store.EventRef{}, mine[i*50:i*50+50]...)
					copy(mine[i*50:], mine[j*50:j*50+50])
					copy(mine[j*50:], copy50)
				})
				for start := 0; start < len(mine); start += 100 {
					a, err := st.Record(ctx, l, mine[start:start+100])
					if err != nil {
						t.Errorf("writer %d: Record() = %v", w, err)
						return
					}
					added[w] += len(a)
				}
			}()
		}
		wg.Wait()
		sum := added[0] + added[1] + added[2] + added[3]
		if sum != len(all) {
			t.Errorf("4 concurrent writers added %v (sum %d); want sum %d", added, sum, len(all))
		}
		got, err := st.Get(ctx, inc.ID)
		if err != nil {
			t.Fatal(err)
		}
		wantCounters(t, "Get() after the concurrent storm", got, 4000, 3600, 400, t0, all[len(all)-1].Time.Truncate(time.Second))
	})

	t.Run("FingerprintLedgerCountsToo", func(t *testing.T) {
		st := f(t)
		l := store.Ledger{Fingerprint: fp}
		all := stormRefs("f", 2500, 500)
		if added := recordAll(t, st, l, all, 100); added != len(all) {
			t.Errorf("Record(fingerprint storm) added %d; want %d", added, len(all))
		}
		if added := recordAll(t, st, l, all, 100); added != 0 {
			t.Errorf("Record(fingerprint storm again) added %d; want 0", added)
		}
	})
}
