package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/store"
)

// RunHolds is the contract of held openings (store.Holds).
func RunHolds(t *testing.T, f Factory) {
	ctx := context.Background()
	ids := func(list []store.HeldOpening) string {
		out := ""
		for i, o := range list {
			if i > 0 {
				out += ","
			}
			out += o.Incident
		}
		return out
	}

	t.Run("HeldUntilItsWaitIsOver", func(t *testing.T) {
		st := f(t)
		for _, h := range []struct {
			id    string
			until time.Time
		}{{"FB-c", t0.Add(3 * time.Minute)}, {"FB-a", t0.Add(time.Minute)}, {"FB-b", t0.Add(time.Minute)}, {"FB-d", t0.Add(time.Hour)}} {
			if ok, err := st.Hold(ctx, h.id, h.until); err != nil || !ok {
				t.Fatalf("Hold(%s) = %v, %v; want true", h.id, ok, err)
			}
		}
		for _, tt := range []struct {
			now   time.Time
			limit int
			want  string
		}{
			{t0, 0, ""},
			{t0.Add(time.Minute), 0, "FB-a,FB-b"},
			{t0.Add(5 * time.Minute), 0, "FB-a,FB-b,FB-c"},
			{t0.Add(5 * time.Minute), 2, "FB-a,FB-b"},
			{t0.Add(2 * time.Hour), 0, "FB-a,FB-b,FB-c,FB-d"},
		} {
			got, err := st.HeldUntil(ctx, tt.now, tt.limit)
			if err != nil || ids(got) != tt.want {
				t.Errorf("HeldUntil(%v, %d) = %s, %v; want %s", tt.now.Sub(t0), tt.limit, ids(got), err, tt.want)
			}
		}
		got, _ := st.HeldUntil(ctx, t0.Add(time.Minute), 1)
		if len(got) != 1 || !got[0].Until.Equal(t0.Add(time.Minute)) {
			t.Errorf("HeldUntil(1m, 1) = %+v; want FB-a until %v", got, t0.Add(time.Minute))
		}
	})

	t.Run("LetGoOnceForGood", func(t *testing.T) {
		st := f(t)
		if held, err := st.Held(ctx, "FB-a"); err != nil || held {
			t.Fatalf("Held(FB-a) before any hold = %v, %v; want false", held, err)
		}
		if ok, err := st.Hold(ctx, "FB-a", t0); err != nil || !ok {
			t.Fatalf("Hold(FB-a) = %v, %v; want true", ok, err)
		}
		if ok, err := st.Hold(ctx, "FB-a", t0.Add(-time.Minute)); err != nil || ok {
			t.Errorf("Hold(FB-a) again = %v, %v; want false: the first hold stands", ok, err)
		}
		if held, err := st.Held(ctx, "FB-a"); err != nil || !held {
			t.Errorf("Held(FB-a) = %v, %v; want true", held, err)
		}
		for i := range 2 { // letting go is idempotent
			if err := st.LetGo(ctx, "FB-a"); err != nil {
				t.Fatalf("LetGo(FB-a) #%d = %v", i+1, err)
			}
		}
		if held, err := st.Held(ctx, "FB-a"); err != nil || held {
			t.Errorf("Held(FB-a) after LetGo = %v, %v; want false", held, err)
		}
		if got, _ := st.HeldUntil(ctx, t0.Add(time.Hour), 0); len(got) != 0 {
			t.Errorf("HeldUntil after LetGo = %s; want none", ids(got))
		}
		if ok, err := st.Hold(ctx, "FB-a", t0); err != nil || ok {
			t.Errorf("Hold(FB-a) after it was decided = %v, %v; want false: a redelivered opening is not held again", ok, err)
		}
		if err := st.LetGo(ctx, "FB-never"); err != nil {
			t.Errorf("LetGo(never held) = %v; want nil", err)
		}
	})

	t.Run("MovedEarlierOnlyWhileHeld", func(t *testing.T) {
		st := f(t)
		for _, h := range []struct {
			id    string
			until time.Time
		}{{"FB-a", t0.Add(time.Minute)}, {"FB-b", t0.Add(2 * time.Minute)}} {
			if _, err := st.Hold(ctx, h.id, h.until); err != nil {
				t.Fatal(err)
			}
		}
		for _, tt := range []struct {
			id    string
			until time.Time
			want  bool
		}{
			{"FB-b", t0.Add(3 * time.Minute), false}, // later: never
			{"FB-b", t0.Add(2 * time.Minute), false}, // the same
			{"FB-b", t0.Add(30 * time.Second), true},
			{"FB-none", t0, false}, // never held: no hold is made
		} {
			if got, err := st.MoveHold(ctx, tt.id, tt.until); err != nil || got != tt.want {
				t.Errorf("MoveHold(%s, %v) = %v, %v; want %v", tt.id, tt.until.Sub(t0), got, err, tt.want)
			}
		}
		got, err := st.HeldUntil(ctx, t0.Add(time.Minute), 0)
		if err != nil || ids(got) != "FB-b,FB-a" || !got[0].Until.Equal(t0.Add(30*time.Second)) {
			t.Errorf("HeldUntil(1m) after FB-b moved to 30s = %+v, %v; want FB-b (30s), FB-a", got, err)
		}
		if held, _ := st.Held(ctx, "FB-none"); held {
			t.Errorf("Held(FB-none) after MoveHold = true; want false")
		}
		if err := st.LetGo(ctx, "FB-b"); err != nil {
			t.Fatal(err)
		}
		if got, err := st.MoveHold(ctx, "FB-b", t0); err != nil || got {
			t.Errorf("MoveHold(decided FB-b) = %v, %v; want false", got, err)
		}
		if got, _ := st.HeldUntil(ctx, t0.Add(time.Hour), 0); ids(got) != "FB-a" {
			t.Errorf("HeldUntil after FB-b was let go = %s; want FB-a", ids(got))
		}
	})

	t.Run("ManyHeld", func(t *testing.T) {
		st := f(t)
		for i := range 30 {
			if _, err := st.Hold(ctx, fmt.Sprintf("FB-%02d", 29-i), t0.Add(time.Duration(29-i)*time.Second)); err != nil {
				t.Fatal(err)
			}
		}
		got, err := st.HeldUntil(ctx, t0.Add(9*time.Second), 0)
		if err != nil || len(got) != 10 || got[0].Incident != "FB-00" || got[9].Incident != "FB-09" {
			t.Errorf("HeldUntil(9s) = %s, %v; want FB-00 … FB-09", ids(got), err)
		}
	})
}
