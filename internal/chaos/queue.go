package chaos

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"sync"
	"time"

	"github.com/firebreak-ops/firebreak/internal/event"
)

// message is one SQS message: a delivery of an event.
type message struct {
	id       string
	body     string
	sent     time.Time
	receives int
}

// queue is an SQS queue: messages in flight are invisible; failed ones come back.
type queue struct {
	mu       sync.Mutex
	ready    []*message
	inFlight int
	dead     []*message // the DLQ
	done     chan struct{}
	closed   bool
}

func (r Run) queue() *queue {
	q := &queue{done: make(chan struct{})}
	rng := rand.New(rand.NewPCG(r.Shuffle, 1))
	arrival := map[*message]time.Time{}
	for d := range r.Deliveries {
		for i, b := range r.Events {
			m := &message{id: fmt.Sprintf("m-%d-%d", i, d), body: string(b)}
			var at time.Time
			if env, err := event.ParseEnvelope(b); err == nil {
				at = env.Time
			}
			if r.Jitter > 0 {
				at = at.Add(time.Duration(rng.Int64N(int64(r.Jitter))))
			}
			arrival[m] = at
			q.ready = append(q.ready, m)
		}
	}
	sort.SliceStable(q.ready, func(i, j int) bool { return arrival[q.ready[i]].Before(arrival[q.ready[j]]) })
	return q
}

// receive takes up to n visible messages; ok is false once the queue is empty and
// nothing is in flight.
func (q *queue) receive(n int) ([]*message, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.ready) == 0 {
		if q.inFlight == 0 && !q.closed {
			q.closed = true
			close(q.done)
		}
		return nil, q.inFlight > 0
	}
	n = min(n, len(q.ready))
	batch := q.ready[:n:n]
	q.ready = q.ready[n:]
	q.inFlight += len(batch)
	for _, m := range batch {
		m.receives++
	}
	return batch, true
}

// settle returns a batch's failed messages to the queue (behind the rest, as their
// visibility timeout ends later) or, past maxReceives, to the DLQ.
func (q *queue) settle(batch []*message, failed map[string]bool, maxReceives int) (redelivered, dlq int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.inFlight -= len(batch)
	for _, m := range batch {
		if !failed[m.id] {
			continue
		}
		if m.receives >= maxReceives {
			dlq++
			q.dead = append(q.dead, m)
			continue
		}
		redelivered++
		q.ready = append(q.ready, m)
	}
	return redelivered, dlq
}

// redrive moves the DLQ's messages back to a drained queue, as SQS's redrive does (a
// moved message's receive count starts again), and returns how many it moved.
func (q *queue) redrive() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	n := len(q.dead)
	for _, m := range q.dead {
		m.receives = 0
	}
	q.ready, q.dead = append(q.ready, q.dead...), nil
	if n > 0 && q.closed {
		q.closed, q.done = false, make(chan struct{})
	}
	return n
}
