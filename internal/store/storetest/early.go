package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/event"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// runEarly: loose events are kept once and read back by event-time range; an incident's
// opening moves only earlier, and only while it is active.
func runEarly(t *testing.T, f Factory) {
	ctx := context.Background()
	fp := "ops.alarm|123456789012|eu-west-1|early"
	t.Run("LooseBetweenReadsByEventTime", func(t *testing.T) {
		st := f(t)
		var evs []store.Loose
		for i := range 5 { // r0..r2 in one minute, r3 and r4 in the next
			evs = append(evs, store.Loose{ID: fmt.Sprintf("r%d", i), Time: t0.Add(time.Duration(i) * 20 * time.Second), Signal: event.Recovery, Summary: "OK"})
		}
		// Redeliveries, in other batches: nothing is reported twice.
		for _, part := range [][]store.Loose{evs[:3], evs[1:], evs} {
			if err := st.KeepLoose(ctx, fp, part); err != nil {
				t.Fatal(err)
			}
		}
		if err := st.KeepLoose(ctx, "other|fp", []store.Loose{{ID: "x", Time: t0.Add(time.Minute), Signal: event.Recovery}}); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			from, to time.Time
			want     string
		}{
			{t0, time.Time{}, "[r0 r1 r2 r3 r4]"},
			{t0.Add(20 * time.Second), t0.Add(60 * time.Second), "[r1 r2]"},
			{t0.Add(30 * time.Second), time.Time{}, "[r2 r3 r4]"},
			{t0, t0.Add(80 * time.Second), "[r0 r1 r2 r3]"},
			{t0.Add(time.Hour), time.Time{}, "[]"},
		}
		for _, tt := range tests {
			got, err := st.LooseBetween(ctx, fp, tt.from, tt.to)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, e := range got {
				ids = append(ids, e.ID)
				if e.Signal != event.Recovery || e.Summary != "OK" {
					t.Errorf("LooseBetween: %+v; want the recovery with its summary", e)
				}
			}
			if s := fmt.Sprint(ids); s != tt.want && !(tt.want == "[]" && len(ids) == 0) {
				t.Errorf("LooseBetween(%s, %s) = %s; want %s", tt.from.Sub(t0), tt.to.Sub(t0), s, tt.want)
			}
		}
	})
	t.Run("OpenEarlierKeepsClocksTheEscalatorSaw", func(t *testing.T) {
		st := f(t)
		inc := newIncident(fp, 1)
		inc.OpenedAt, inc.StateAt = t0.Add(10*time.Minute), t0.Add(10*time.Minute)
		if _, _, err := st.Open(ctx, inc, openedEntry(inc)); err != nil {
			t.Fatal(err)
		}
		// The escalator looked: its steps are keyed by their start, some may have run.
		if _, err := st.SetDue(ctx, inc.ID, t0.Add(70*time.Minute), 1); err != nil {
			t.Fatal(err)
		}
		entry := incident.Entry{At: t0, Kind: incident.KindOpened, Key: "opened:earlier", Data: map[string]string{"event_id": "earlier"}}
		if ok, err := st.OpenEarlier(ctx, inc.ID, "earlier", t0, entry); err != nil || !ok {
			t.Fatalf("OpenEarlier = %v, %v; want true", ok, err)
		}
		got, err := st.Get(ctx, inc.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !got.OpenedAt.Equal(t0) || !got.StateAt.Equal(t0.Add(10*time.Minute)) {
			t.Errorf("Get() = opened %s, open since %s; want opened at 0s, open since 10m (clocks the escalator saw stay)",
				got.OpenedAt.Sub(t0), got.StateAt.Sub(t0))
		}
	})
	t.Run("OpenEarlierMovesOnlyEarlier", func(t *testing.T) {
		st := f(t)
		inc := newIncident(fp, 1)
		inc.OpenedAt, inc.StateAt = t0.Add(10*time.Minute), t0.Add(10*time.Minute)
		if _, _, err := st.Open(ctx, inc, openedEntry(inc)); err != nil {
			t.Fatal(err)
		}
		entry := func(id string, at time.Time) incident.Entry {
			return incident.Entry{At: at, Kind: incident.KindOpened, Key: "opened:" + id, Data: map[string]string{"event_id": id}}
		}
		steps := []struct {
			id   string
			at   time.Time
			want bool
		}{
			{"later", t0.Add(20 * time.Minute), false},
			{"earlier", t0.Add(5 * time.Minute), true},
			{"earlier", t0.Add(5 * time.Minute), false}, // redelivered
			{"earliest", t0, true},
			// The same time: intake orders events by time, then id; the store agrees.
			{"zz-same-time", t0, false},
			{"a-same-time", t0, true},
		}
		for _, s := range steps {
			ok, err := st.OpenEarlier(ctx, inc.ID, s.id, s.at, entry(s.id, s.at))
			if err != nil || ok != s.want {
				t.Errorf("OpenEarlier(%s at %s) = %v, %v; want %v", s.id, s.at.Sub(t0), ok, err, s.want)
			}
		}
		got, err := st.Get(ctx, inc.ID)
		if err != nil {
			t.Fatal(err)
		}
		// Nothing has looked at its clocks (it is still due at its opening): they start at
		// the opening, wherever it moves.
		if !got.OpenedAt.Equal(t0) || got.OpenedBy != "a-same-time" || !got.StateAt.Equal(t0) || got.Status != incident.Open {
			t.Errorf("Get() = opened %s by %s, state %s since %s; want opened at 0s by a-same-time, open since 0s (the clocks follow the opening)",
				got.OpenedAt.Sub(t0), got.OpenedBy, got.Status, got.StateAt.Sub(t0))
		}
		tl, err := st.Timeline(ctx, inc.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(tl) != 4 || tl[0].Key != "opened:a-same-time" {
			t.Errorf("Timeline() = %v; want four opened entries, opened:a-same-time first", tl)
		}
	})
}
