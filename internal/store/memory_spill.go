package store

import (
	"container/list"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/firebreak-ops/firebreak/internal/incident"
)

// spill keeps the timelines of the incidents not touched lately in a temporary file
// instead of memory, so that a replay of millions of events holds the timelines of the
// incidents it is working on, not of every incident it ever opened. Reading a spilled
// timeline (Timeline, or an entry added to it) brings it back whole: callers see
// exactly what an all-in-memory store gives them. Caller holds m.mu for every method.
type spill struct {
	keep  int      // timelines kept in memory, the most recently touched
	f     *os.File // append-only; a timeline brought back leaves its bytes behind
	name  string   // the file's name while it could not be removed at once (Close removes it)
	size  int64
	at    map[string]spillRef // incident -> its spilled timeline
	lru   *list.List          // incident ids with a timeline in memory, most recent first
	elems map[string]*list.Element
	buf   []byte
	off   bool // a write failed: everything stays in memory from then on
}

type spillRef struct {
	off int64
	n   int
}

// SpillTimelines makes the store keep at most keep timelines in memory (the most
// recently touched) and the others in a temporary file (in dir; "" for the system's),
// read back when touched again. Close removes the file.
func (m *Memory) SpillTimelines(dir string, keep int) error {
	if keep < 1 {
		return fmt.Errorf("spill timelines: keep %d; want at least 1", keep)
	}
	f, err := os.CreateTemp(dir, "firebreak-timelines-*")
	if err != nil {
		return fmt.Errorf("spill timelines: %w", err)
	}
	s := &spill{keep: keep, f: f, at: map[string]spillRef{}, lru: list.New(), elems: map[string]*list.Element{}}
	if os.Remove(f.Name()) != nil { // where an open file cannot be removed, Close does
		s.name = f.Name()
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.spill != nil {
		_ = f.Close()
		return errors.New("spill timelines: already spilling")
	}
	m.spill = s
	for id := range m.timelines {
		m.touched(id)
	}
	return nil
}

// Close releases the file timelines are spilled to, if any. The store must not be used after.
func (m *Memory) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.spill
	if s == nil {
		return nil
	}
	m.spill = nil
	err := s.f.Close()
	if s.name != "" {
		if rerr := os.Remove(s.name); err == nil {
			err = rerr
		}
	}
	return err
}

// resident brings the timeline of id back into memory if it was spilled. Caller holds m.mu.
func (m *Memory) resident(id string) error {
	s := m.spill
	if s == nil {
		return nil
	}
	ref, ok := s.at[id]
	if !ok {
		return nil
	}
	b := make([]byte, ref.n)
	if _, err := s.f.ReadAt(b, ref.off); err != nil {
		return fmt.Errorf("timeline of %s: read back: %w", id, err)
	}
	tl, err := decodeEntries(id, b)
	if err != nil {
		return fmt.Errorf("timeline of %s: read back: %w", id, err)
	}
	delete(s.at, id)
	m.timelines[id] = tl
	return nil
}

// touched marks the timeline of id as the most recently used and spills the least
// recently used beyond keep. Caller holds m.mu; id's timeline is resident.
func (m *Memory) touched(id string) {
	s := m.spill
	if s == nil || s.off {
		return
	}
	if e, ok := s.elems[id]; ok {
		s.lru.MoveToFront(e)
	} else {
		s.elems[id] = s.lru.PushFront(id)
	}
	for s.lru.Len() > s.keep {
		back := s.lru.Back()
		old := back.Value.(string)
		if tl := m.timelines[old]; len(tl) > 0 {
			s.buf = encodeEntries(s.buf[:0], tl)
			if _, err := s.f.WriteAt(s.buf, s.size); err != nil {
				s.off = true // keep it, and every other, in memory
				return
			}
			s.at[old] = spillRef{off: s.size, n: len(s.buf)}
			s.size += int64(len(s.buf))
		}
		delete(m.timelines, old)
		s.lru.Remove(back)
		delete(s.elems, old)
	}
}

// encodeEntries appends tl to b: a count, then per entry its time (seconds and
// nanoseconds, UTC), kind, actor, detail, key and data (count+1, 0 for nil; then pairs).
// The incident id is the timeline's and is not repeated.
func encodeEntries(b []byte, tl []incident.Entry) []byte {
	str := func(s string) {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	b = binary.AppendUvarint(b, uint64(len(tl)))
	for _, e := range tl {
		b = binary.AppendVarint(b, e.At.Unix())
		b = binary.AppendUvarint(b, uint64(e.At.Nanosecond()))
		str(string(e.Kind))
		str(e.Actor)
		str(e.Detail)
		str(e.Key)
		if e.Data == nil {
			b = binary.AppendUvarint(b, 0)
			continue
		}
		b = binary.AppendUvarint(b, uint64(len(e.Data))+1)
		for k, v := range e.Data {
			str(k)
			str(v)
		}
	}
	return b
}

var errSpillCorrupt = errors.New("spilled timeline is corrupt")

// decodeEntries reverses encodeEntries.
func decodeEntries(id string, b []byte) ([]incident.Entry, error) {
	bad := false
	uv := func() uint64 {
		v, n := binary.Uvarint(b)
		if n <= 0 {
			bad = true
			return 0
		}
		b = b[n:]
		return v
	}
	str := func() string {
		n := uv()
		if bad || n > uint64(len(b)) {
			bad = true
			return ""
		}
		s := string(b[:n])
		b = b[n:]
		return s
	}
	count := uv()
	if bad || count > uint64(len(b)) {
		return nil, errSpillCorrupt
	}
	tl := make([]incident.Entry, 0, count)
	for range count {
		sec, n := binary.Varint(b)
		if n <= 0 {
			return nil, errSpillCorrupt
		}
		b = b[n:]
		e := incident.Entry{Incident: id, At: time.Unix(sec, int64(uv())).UTC()}
		e.Kind, e.Actor, e.Detail, e.Key = incident.Kind(str()), str(), str(), str()
		if d := uv(); d > 0 && !bad && d-1 <= uint64(len(b)) {
			e.Data = make(map[string]string, d-1)
			for range d - 1 {
				k := str()
				e.Data[k] = str()
			}
		}
		if bad {
			return nil, errSpillCorrupt
		}
		tl = append(tl, e)
	}
	return tl, nil
}
