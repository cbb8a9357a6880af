package store

import (
	"context"
	"math/rand/v2"
	"time"
)

// Again makes call until it succeeds, fails in a way retryable does not accept, or has
// been made OnceAttempts times, waiting between tries 10 ms, then twice as long each
// time (up to 160 ms), each wait jittered by ±50 %: a throttled table is not asked again
// at once. Only for calls whose repeat is a no-op (a read, a keyed write); it stops when
// ctx is done.
func Again[T any](ctx context.Context, retryable func(error) bool, call func() (T, error)) (T, error) {
	wait := 10 * time.Millisecond
	for try := 1; ; try++ {
		v, err := call()
		if err == nil || try >= OnceAttempts || ctx.Err() != nil || !retryable(err) {
			return v, err
		}
		t := time.NewTimer(wait/2 + rand.N(wait))
		select {
		case <-ctx.Done():
			t.Stop()
			return v, err
		case <-t.C:
		}
		wait = min(2*wait, 160*time.Millisecond)
	}
}
