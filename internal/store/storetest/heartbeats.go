package storetest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/heartbeat"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// RunHeartbeats is the contract of heartbeat states (store.Heartbeats).
func RunHeartbeats(t *testing.T, f Factory) {
	ctx := context.Background()
	names := func(list []heartbeat.State) string {
		var out []string
		for _, s := range list {
			out = append(out, s.Name)
		}
		return strings.Join(out, ",")
	}

	t.Run("Versions", func(t *testing.T) {
		st := f(t)
		if _, err := st.Heartbeat(ctx, "nightly"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("Heartbeat(nightly) before any beat: err = %v; want ErrNotFound", err)
		}
		s := heartbeat.State{Name: "nightly", LastBeat: t0, LastEvent: "e1", Due: t0.Add(time.Hour), Check: t0.Add(time.Hour)}
		if ok, err := st.PutHeartbeat(ctx, s); err != nil || !ok {
			t.Fatalf("PutHeartbeat(new) = %v, %v; want true", ok, err)
		}
		if ok, err := st.PutHeartbeat(ctx, s); err != nil || ok {
			t.Errorf("PutHeartbeat(new) again = %v, %v; want false: it exists", ok, err)
		}
		got, err := st.Heartbeat(ctx, "nightly")
		if err != nil || got.Version != 1 || !got.LastBeat.Equal(t0) || got.LastEvent != "e1" || !got.Due.Equal(t0.Add(time.Hour)) {
			t.Fatalf("Heartbeat(nightly) = %+v, %v; want version 1, last beat %v by e1", got, err, t0)
		}
		next := got
		next.LastBeat, next.LastEvent = t0.Add(time.Minute), "e2"
		if ok, err := st.PutHeartbeat(ctx, next); err != nil || !ok {
			t.Fatalf("PutHeartbeat(v1) = %v, %v; want true", ok, err)
		}
		if ok, err := st.PutHeartbeat(ctx, next); err != nil || ok {
			t.Errorf("PutHeartbeat(stale v1) = %v, %v; want false", ok, err)
		}
		if got, _ := st.Heartbeat(ctx, "nightly"); got.Version != 2 || got.LastEvent != "e2" {
			t.Errorf("Heartbeat(nightly) = v%d %s; want v2 e2", got.Version, got.LastEvent)
		}
		if _, err := st.PutHeartbeat(ctx, heartbeat.State{}); err == nil {
			t.Errorf("PutHeartbeat(no name) = nil error; want one")
		}
	})

	t.Run("Due", func(t *testing.T) {
		st := f(t)
		put := func(s heartbeat.State) heartbeat.State {
			t.Helper()
			if ok, err := st.PutHeartbeat(ctx, s); err != nil || !ok {
				t.Fatalf("PutHeartbeat(%s v%d) = %v, %v; want true", s.Name, s.Version, ok, err)
			}
			got, err := st.Heartbeat(ctx, s.Name)
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		a := put(heartbeat.State{Name: "a", Check: t0.Add(2 * time.Hour)})
		b := put(heartbeat.State{Name: "b", Check: t0.Add(time.Hour)})
		put(heartbeat.State{Name: "c"}) // nothing to do: not on the index
		tests := []struct {
			at    time.Duration
			limit int
			want  string
		}{
			{30 * time.Minute, 0, ""},
			{time.Hour, 0, "b"},
			{3 * time.Hour, 0, "b,a"},
			{3 * time.Hour, 1, "b"},
		}
		for _, tt := range tests {
			got, err := st.HeartbeatsDue(ctx, t0.Add(tt.at), tt.limit)
			if err != nil || names(got) != tt.want {
				t.Errorf("HeartbeatsDue(t0+%s, %d) = %q, %v; want %q", tt.at, tt.limit, names(got), err, tt.want)
			}
		}
		b.Check = time.Time{}
		put(b)
		a.Check = t0.Add(30 * time.Minute)
		put(a)
		if got, err := st.HeartbeatsDue(ctx, t0.Add(3*time.Hour), 0); err != nil || names(got) != "a" {
			t.Errorf("HeartbeatsDue(t0+3h) after b was cleared and a moved = %q, %v; want \"a\"", names(got), err)
		}
		if got, _ := st.HeartbeatsDue(ctx, t0.Add(30*time.Minute), 0); names(got) != "a" || !got[0].Check.Equal(t0.Add(30*time.Minute)) {
			t.Errorf("HeartbeatsDue(t0+30m) = %q; want a, checked at t0+30m", names(got))
		}
	})
}
