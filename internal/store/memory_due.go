package store

import (
	"sort"
	"time"
)

// dueKey orders the due index: due time, then id (the DynamoDB index's sort key order).
// The time is kept as Unix nanoseconds: keys without pointers move cheaply.
type dueKey struct {
	at int64
	id string
}

func newDueKey(at time.Time, id string) dueKey { return dueKey{at.UnixNano(), id} }

func (a dueKey) less(b dueKey) bool {
	if a.at != b.at {
		return a.at < b.at
	}
	return a.id < b.id
}

// dueChunk bounds the keys of one chunk of the due index: an insert or delete moves at
// most this many keys, whatever the number of incidents with a due time.
const dueChunk = 512

// dueIndex is the memory store's due index: its keys in order, in chunks of at most
// 2*dueChunk, so that inserting and deleting cost a search and a bounded move (a single
// sorted slice cost a move of every later key: quadratic over a replay of a million
// events), and Due walks from the earliest key only as far as what is due.
type dueIndex struct {
	chunks [][]dueKey // each non-empty and ordered; every key of a chunk before the next chunk's
}

// chunkFor is the index of the chunk k belongs in: the first whose last key is not
// before k (the last chunk when k is after every key).
func (x *dueIndex) chunkFor(k dueKey) int {
	i := sort.Search(len(x.chunks), func(i int) bool {
		c := x.chunks[i]
		return !c[len(c)-1].less(k)
	})
	return min(i, len(x.chunks)-1)
}

func (x *dueIndex) insert(k dueKey) {
	if len(x.chunks) == 0 {
		x.chunks = [][]dueKey{{k}}
		return
	}
	ci := x.chunkFor(k)
	c := x.chunks[ci]
	i := sort.Search(len(c), func(i int) bool { return !c[i].less(k) })
	c = append(c, dueKey{})
	copy(c[i+1:], c[i:])
	c[i] = k
	if len(c) <= 2*dueChunk {
		x.chunks[ci] = c
		return
	}
	lo, hi := c[:dueChunk:dueChunk], append([]dueKey(nil), c[dueChunk:]...)
	x.chunks = append(x.chunks, nil)
	copy(x.chunks[ci+2:], x.chunks[ci+1:])
	x.chunks[ci], x.chunks[ci+1] = lo, hi
}

func (x *dueIndex) remove(k dueKey) {
	if len(x.chunks) == 0 {
		return
	}
	ci := x.chunkFor(k)
	c := x.chunks[ci]
	i := sort.Search(len(c), func(i int) bool { return !c[i].less(k) })
	if i == len(c) || c[i] != k {
		return
	}
	c = append(c[:i], c[i+1:]...)
	if len(c) == 0 {
		x.chunks = append(x.chunks[:ci], x.chunks[ci+1:]...)
		return
	}
	x.chunks[ci] = c
}

// each calls f with the keys in order until f returns false.
func (x *dueIndex) each(f func(dueKey) bool) {
	for _, c := range x.chunks {
		for _, k := range c {
			if !f(k) {
				return
			}
		}
	}
}

func (x *dueIndex) len() int {
	n := 0
	for _, c := range x.chunks {
		n += len(c)
	}
	return n
}

// EarliestDue is the earliest due time of any incident; false when none has one. It
// reads the due index's first key, not the incident: the local pipeline asks it before
// every step of its clocks.
func (m *Memory) EarliestDue() (time.Time, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var at int64
	ok := false
	m.due.each(func(k dueKey) bool {
		at, ok = k.at, true
		return false
	})
	if !ok {
		return time.Time{}, false
	}
	return time.Unix(0, at).UTC(), true
}
