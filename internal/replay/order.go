package replay

import "container/heap"

// holder holds routed inputs to deliver them in event-time order, then reading order.
// Most inputs come in that order already: they queue, at no cost but the append; the
// others wait in a heap. The earlier of the queue's first and the heap's first goes
// first, so the order is the same as one heap of them all would give.
type holder struct {
	queue []routed // in delivery order: each after the one before it
	head  int      // queue[head:] are held
	late  byTime   // inputs that came after one they go before
}

// Len is how many inputs are held.
func (h *holder) Len() int { return len(h.queue) - h.head + h.late.Len() }

// push holds q.
func (h *holder) push(q routed) {
	if n := len(h.queue); n > h.head && earlier(&q, &h.queue[n-1]) {
		heap.Push(&h.late, q)
		return
	}
	if h.head > 0 && h.head >= len(h.queue)/2 { // reuse the room the delivered left
		n := copy(h.queue, h.queue[h.head:])
		clear(h.queue[n:])
		h.queue, h.head = h.queue[:n], 0
	}
	h.queue = append(h.queue, q)
}

// pop delivers the earliest held input; the holder must hold one.
func (h *holder) pop() routed {
	if h.head == len(h.queue) || h.late.Len() > 0 && earlier(&h.late[0], &h.queue[h.head]) {
		return heap.Pop(&h.late).(routed)
	}
	q := h.queue[h.head]
	h.queue[h.head] = routed{}
	h.head++
	return q
}

// earlier reports whether a is delivered before b: by event time, then reading order.
func earlier(a, b *routed) bool {
	if !a.time.Equal(b.time) {
		return a.time.Before(b.time)
	}
	return a.seq < b.seq
}

// byTime is a min-heap of held inputs by event time, then reading order.
type byTime []routed

func (h byTime) Len() int           { return len(h) }
func (h byTime) Less(i, j int) bool { return earlier(&h[i], &h[j]) }
func (h byTime) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *byTime) Push(x any)        { *h = append(*h, x.(routed)) }
func (h *byTime) Pop() any {
	old := *h
	x := old[len(old)-1]
	old[len(old)-1] = routed{}
	*h = old[:len(old)-1]
	return x
}
