package api

import (
	"sync"
	"time"
)

// LinkRate and LinkBurst bound how many link requests one API instance answers: a
// steady rate per second and the burst above it. A flood of link requests beyond them
// is refused with 429 before any token is parsed, any key ring read or any item
// touched; with the function's reserved concurrency (infra) it cannot take Lambda
// capacity from intake and dispatch. A person clicks a link once: the bound is far above
// any real use.
const (
	LinkRate  = 20
	LinkBurst = 40
)

// bucket is a token bucket: it holds up to burst tokens, refilled at rate per second.
type bucket struct {
	mu     sync.Mutex
	rate   float64
	burst  float64
	tokens float64
	last   time.Time
}

func newBucket(rate, burst float64) *bucket {
	return &bucket{rate: rate, burst: burst, tokens: burst}
}

// take spends one token at now; false when the bucket is empty.
func (b *bucket) take(now time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.last.IsZero() && now.After(b.last) {
		b.tokens = min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	}
	if now.After(b.last) {
		b.last = now
	}
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// linkGuard is the handler's bucket for link requests, made on first use.
func (h *Handler) linkGuard() *bucket {
	h.guardOnce.Do(func() {
		rate, burst := float64(LinkRate), float64(LinkBurst)
		if h.LinkRate > 0 {
			rate, burst = h.LinkRate, 2*h.LinkRate
		}
		h.guard = newBucket(rate, burst)
	})
	return h.guard
}
