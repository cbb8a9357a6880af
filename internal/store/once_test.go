package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/store"
)

// failingClaims is a store whose Claim or Release fails.
type failingClaims struct {
	*store.Memory
	claim, release error
}

func (f failingClaims) Claim(ctx context.Context, id, key string, lease time.Duration) (bool, error) {
	if f.claim != nil {
		return false, f.claim
	}
	return f.Memory.Claim(ctx, id, key, lease)
}

func (f failingClaims) Release(ctx context.Context, id, key string) error {
	if f.release != nil {
		return f.release
	}
	return f.Memory.Release(ctx, id, key)
}

func TestOnce(t *testing.T) {
	ctx := context.Background()
	clock := func() time.Time { return time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC) }
	errAct, errRelease, errClaim := errors.New("send failed"), errors.New("table unavailable"), errors.New("throttled")
	ok := func(context.Context) (string, error) { return "msg-1", nil }
	fail := func(context.Context) (string, error) { return "", errAct }

	t.Run("done once", func(t *testing.T) {
		once := store.Once{Claims: store.NewMemory(clock)}
		for i, want := range []bool{true, false, false} {
			ran, err := once.Do(ctx, "FB-1", "notify:v1:web", ok)
			if err != nil || ran != want {
				t.Errorf("Do #%d = %v, %v; want %v, nil", i+1, ran, err, want)
			}
		}
	})
	t.Run("a failure is retried at once", func(t *testing.T) {
		once := store.Once{Claims: store.NewMemory(clock)}
		if ran, err := once.Do(ctx, "FB-1", "k", fail); !ran || !errors.Is(err, errAct) || err.Error() != errAct.Error() {
			t.Errorf("Do(failing act) = %v, %v; want true, %v as is", ran, err, errAct)
		}
		if ran, err := once.Do(ctx, "FB-1", "k", ok); !ran || err != nil {
			t.Errorf("Do(retry) = %v, %v; want true, nil", ran, err)
		}
	})
	t.Run("a claim held by a running attempt", func(t *testing.T) {
		m := store.NewMemory(clock)
		if _, err := m.Claim(ctx, "FB-1", "k", time.Minute); err != nil {
			t.Fatal(err)
		}
		if ran, err := (store.Once{Claims: m}).Do(ctx, "FB-1", "k", ok); ran || err != nil {
			t.Errorf("Do(claimed) = %v, %v; want false, nil", ran, err)
		}
	})
	t.Run("a failed release wraps both", func(t *testing.T) {
		once := store.Once{Claims: failingClaims{Memory: store.NewMemory(clock), release: errRelease}}
		_, err := once.Do(ctx, "FB-1", "k", fail)
		var re *store.ReleaseError
		if !errors.As(err, &re) || re.Err != errAct || !errors.Is(err, errAct) || !errors.Is(err, errRelease) {
			t.Errorf("Do(failing act, failing release) = %v; want a *store.ReleaseError of %v and %v", err, errAct, errRelease)
		}
	})
	t.Run("a failed claim", func(t *testing.T) {
		called := false
		once := store.Once{Claims: failingClaims{Memory: store.NewMemory(clock), claim: errClaim}}
		ran, err := once.Do(ctx, "FB-1", "k", func(context.Context) (string, error) { called = true; return "", nil })
		if ran || called || !errors.Is(err, errClaim) {
			t.Errorf("Do(failing claim) = %v, %v (act called: %v); want false, %v, not called", ran, err, called, errClaim)
		}
	})
}
