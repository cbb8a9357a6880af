package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/store"
)

// flakyClaims is a store whose writes fail: each of claim, release and done fails its
// first n calls (all calls when n < 0), and afterWrite makes a failing call write first,
// as a write whose answer was lost does.
type flakyClaims struct {
	*store.Memory
	claim, release, done int
	afterWrite           bool
	calls                map[string]int
}

var errFlaky = errors.New("connection reset")

func (f *flakyClaims) fail(op string, n int) bool {
	if f.calls == nil {
		f.calls = map[string]int{}
	}
	f.calls[op]++
	return n < 0 || f.calls[op] <= n
}

func (f *flakyClaims) Claim(ctx context.Context, id, key, owner string, lease time.Duration) (store.ClaimState, error) {
	if f.fail("claim", f.claim) {
		if f.afterWrite {
			_, _ = f.Memory.Claim(ctx, id, key, owner, lease)
		}
		return store.Held, errFlaky
	}
	return f.Memory.Claim(ctx, id, key, owner, lease)
}

func (f *flakyClaims) Release(ctx context.Context, id, key, owner string) error {
	if f.fail("release", f.release) {
		if f.afterWrite {
			_ = f.Memory.Release(ctx, id, key, owner)
		}
		return errFlaky
	}
	return f.Memory.Release(ctx, id, key, owner)
}

func (f *flakyClaims) Done(ctx context.Context, id, key, result string) error {
	if f.fail("done", f.done) {
		if f.afterWrite {
			_ = f.Memory.Done(ctx, id, key, result)
		}
		return errFlaky
	}
	return f.Memory.Done(ctx, id, key, result)
}

func TestOnce(t *testing.T) {
	ctx := context.Background()
	clock := func() time.Time { return time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC) }
	errAct := errors.New("send failed")
	counted := func(n *int, err error) func(context.Context) (string, error) {
		return func(context.Context) (string, error) { *n++; return "msg-1", err }
	}

	t.Run("done once", func(t *testing.T) {
		once := store.Once{Claims: store.NewMemory(clock)}
		acts := 0
		for i, want := range []bool{true, false, false} {
			ran, err := once.Do(ctx, "FB-1", "notify:v1:web", counted(&acts, nil))
			if err != nil || ran != want {
				t.Errorf("Do #%d = %v, %v; want %v, nil", i+1, ran, err, want)
			}
		}
		if acts != 1 {
			t.Errorf("act ran %d times; want 1", acts)
		}
	})
	t.Run("a failure is retried at once", func(t *testing.T) {
		once := store.Once{Claims: store.NewMemory(clock)}
		if ran, err := once.Do(ctx, "FB-1", "k", func(context.Context) (string, error) { return "", errAct }); !ran || !errors.Is(err, errAct) || err.Error() != errAct.Error() {
			t.Errorf("Do(failing act) = %v, %v; want true, %v as is", ran, err, errAct)
		}
		if ran, err := once.Do(ctx, "FB-1", "k", func(context.Context) (string, error) { return "ok", nil }); !ran || err != nil {
			t.Errorf("Do(retry) = %v, %v; want true, nil", ran, err)
		}
	})
	t.Run("a claim held by a running attempt is an error to retry", func(t *testing.T) {
		m := store.NewMemory(clock)
		if _, err := m.Claim(ctx, "FB-1", "k", "other", time.Minute); err != nil {
			t.Fatal(err)
		}
		acts := 0
		ran, err := (store.Once{Claims: m}).Do(ctx, "FB-1", "k", counted(&acts, nil))
		var held *store.HeldError
		if ran || acts != 0 || !errors.Is(err, store.ErrHeld) || !errors.As(err, &held) || held.Key != "k" {
			t.Errorf("Do(held) = %v, %v (act ran %d times); want false, a *store.HeldError of k, act not run", ran, err, acts)
		}
	})
	t.Run("a claim written with its answer lost is taken by the retry", func(t *testing.T) {
		f := &flakyClaims{Memory: store.NewMemory(clock), claim: 2, afterWrite: true}
		acts := 0
		ran, err := (store.Once{Claims: f}).Do(ctx, "FB-1", "k", counted(&acts, nil))
		if !ran || err != nil || acts != 1 || f.calls["claim"] != 3 {
			t.Errorf("Do = %v, %v (act ran %d times, %d claims); want true, nil, once, 3 claims", ran, err, acts, f.calls["claim"])
		}
	})
	t.Run("done written with its answer lost is not done twice", func(t *testing.T) {
		f := &flakyClaims{Memory: store.NewMemory(clock), done: 1, afterWrite: true}
		once := store.Once{Claims: f}
		acts := 0
		for range 2 {
			if _, err := once.Do(ctx, "FB-1", "k", counted(&acts, nil)); err != nil {
				t.Errorf("Do = %v; want nil", err)
			}
		}
		if acts != 1 {
			t.Errorf("act ran %d times; want 1", acts)
		}
	})
	t.Run("a claim that keeps failing", func(t *testing.T) {
		f := &flakyClaims{Memory: store.NewMemory(clock), claim: -1}
		acts := 0
		ran, err := (store.Once{Claims: f, Attempts: 3}).Do(ctx, "FB-1", "k", counted(&acts, nil))
		if ran || acts != 0 || !errors.Is(err, errFlaky) || f.calls["claim"] != 3 {
			t.Errorf("Do(failing claim) = %v, %v (act ran %d times, %d claims); want false, %v, not run, 3 claims", ran, err, acts, f.calls["claim"], errFlaky)
		}
	})
	t.Run("a failed release wraps both", func(t *testing.T) {
		f := &flakyClaims{Memory: store.NewMemory(clock), release: -1}
		_, err := (store.Once{Claims: f, Attempts: 2}).Do(ctx, "FB-1", "k", func(context.Context) (string, error) { return "", errAct })
		var re *store.ReleaseError
		if !errors.As(err, &re) || re.Err != errAct || !errors.Is(err, errAct) || !errors.Is(err, errFlaky) {
			t.Errorf("Do(failing act, failing release) = %v; want a *store.ReleaseError of %v and %v", err, errAct, errFlaky)
		}
	})
	t.Run("a release that fails once is tried again", func(t *testing.T) {
		f := &flakyClaims{Memory: store.NewMemory(clock), release: 1}
		once := store.Once{Claims: f}
		if _, err := once.Do(ctx, "FB-1", "k", func(context.Context) (string, error) { return "", errAct }); err != errAct {
			t.Errorf("Do(failing act) = %v; want %v as is", err, errAct)
		}
		if ran, err := once.Do(ctx, "FB-1", "k", func(context.Context) (string, error) { return "ok", nil }); !ran || err != nil {
			t.Errorf("Do(retry after the release) = %v, %v; want true, nil", ran, err)
		}
	})
}
