package store

import (
	"container/list"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"strings"
	"time"

	"github.com/firebreak-ops/firebreak/internal/incident"
)

// spill keeps the incidents not touched lately in a temporary file instead of memory,
// so that a replay of millions of events holds the incidents it is working on, not
// every incident it ever opened: their items with their ledgers, last change and
// finished actions (memory_cold.go), and their timelines, written out when the
// incident falls out of the keep most recently used; and the same of the fingerprints'
// loose events, ledgers and recurrences (memory_cold_prints.go). Reading a spilled
// incident (Get, List, Walk, Due, Current) decodes its record and leaves it where it
// is; changing it (Change, Record, SetDue, OpenEarlier, Claim, Done) or its timeline
// (Timeline, AddEntries, an entry of a change) brings it back whole: callers see
// exactly what an all-in-memory store gives them. What stays in memory of a spilled
// incident is its place in the indexes (memory.go, memory_opened.go, memory_due.go)
// and its records' offsets. Caller holds m.mu for every method.
type spill struct {
	keep int      // incidents kept in memory, the most recently touched
	f    *os.File // append-only; a record brought back leaves its bytes behind
	name string   // the file's name while it could not be removed at once (Close removes it)
	size int64    // the bytes written, those still in pending included
	// pending are the last records written, not yet in the file: they go to it together
	// once they fill spillPending, so that spilling an incident costs a copy, not a
	// system call; reads of them are answered from here.
	pending []byte
	// cold holds, per incident with something spilled, where its item (with its ledger,
	// last change and finished actions) and its timeline lie: one map entry of 24 bytes
	// an incident, which is what memory keeps of the incidents a replay is done with.
	cold   map[string]coldRefs
	clean  map[string]spillRef    // incident -> where its timeline, read back and not changed since, still lies
	prints map[[2]uint64]spillRef // fingerprint (fpHash) -> its spilled loose events, ledger and recurrence (memory_cold_prints.go)
	lru    *list.List             // incident ids with something in memory, most recent first
	elems  map[string]*list.Element
	buf    []byte   // records are encoded here
	rbuf   []byte   // records read from the file land here (read)
	shared interner // values incidents read back share (memory_cold.go)
	// look and lookLed are where lookup decodes a spilled incident and its ledger to
	// read it where it lies: one incident at a time, not one allocation each.
	look    incident.Incident
	lookLed memLedger
	off     bool // a write failed: everything stays in memory from then on
}

type spillRef struct {
	off int64
	n   int
}

// coldRefs are where an incident's spilled item and timeline lie; a length of 0: that
// part is not spilled (no record is empty).
type coldRefs struct {
	itemOff, tlOff int64
	itemN, tlN     uint32
}

// item is where incident id's spilled item lies; false when it is not spilled.
func (s *spill) item(id string) (spillRef, bool) {
	c := s.cold[id]
	return spillRef{c.itemOff, int(c.itemN)}, c.itemN > 0
}

// timeline is where incident id's spilled timeline lies; false when it is not spilled.
func (s *spill) timeline(id string) (spillRef, bool) {
	c := s.cold[id]
	return spillRef{c.tlOff, int(c.tlN)}, c.tlN > 0
}

// setItem records where id's item was spilled; a zero ref: it is no longer spilled.
func (s *spill) setItem(id string, ref spillRef) {
	c := s.cold[id]
	c.itemOff, c.itemN = ref.off, uint32(ref.n)
	s.setCold(id, c)
}

// setTimeline records where id's timeline was spilled; a zero ref: it is no longer spilled.
func (s *spill) setTimeline(id string, ref spillRef) {
	c := s.cold[id]
	c.tlOff, c.tlN = ref.off, uint32(ref.n)
	s.setCold(id, c)
}

func (s *spill) setCold(id string, c coldRefs) {
	if c.itemN == 0 && c.tlN == 0 {
		delete(s.cold, id)
		return
	}
	s.cold[id] = c
}

// SpillIncidents makes the store keep at most keep incidents in memory (the most
// recently touched: their items, ledgers and timelines) and the others in a temporary
// file (in dir; "" for the system's), read back when touched again. Close removes the
// file.
func (m *Memory) SpillIncidents(dir string, keep int) error {
	if keep < 1 {
		return fmt.Errorf("spill incidents: keep %d; want at least 1", keep)
	}
	f, err := os.CreateTemp(dir, "firebreak-incidents-*")
	if err != nil {
		return fmt.Errorf("spill incidents: %w", err)
	}
	s := &spill{keep: keep, f: f, cold: map[string]coldRefs{}, clean: map[string]spillRef{}, prints: map[[2]uint64]spillRef{}, lru: list.New(), elems: map[string]*list.Element{}}
	if os.Remove(f.Name()) != nil { // where an open file cannot be removed, Close does
		s.name = f.Name()
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.spill != nil {
		_ = f.Close()
		return errors.New("spill incidents: already spilling")
	}
	m.spill = s
	for id := range m.timelines {
		m.use(id)
	}
	for id := range m.incidents {
		m.use(id)
	}
	for fp := range m.loose {
		m.use(printKey(fp))
	}
	if m.problems != nil {
		for fp := range m.problems.recur {
			m.use(printKey(fp))
		}
	}
	m.settle()
	return nil
}

// Close releases the file incidents are spilled to, if any. The store must not be used after.
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

// resident brings the timeline of id back into memory if it was spilled, and marks id
// used. Caller holds m.mu.
func (m *Memory) resident(id string) error {
	s := m.spill
	if s == nil || id == "" {
		return nil
	}
	if ref, ok := s.timeline(id); ok {
		b, err := s.read(ref)
		if err != nil {
			return fmt.Errorf("timeline of %s: read back: %w", id, err)
		}
		tl, err := decodeEntries(id, b, m.shared())
		if err != nil {
			return fmt.Errorf("timeline of %s: read back: %w", id, err)
		}
		s.setTimeline(id, spillRef{})
		s.clean[id] = ref
		m.timelines[id] = tl
	}
	m.use(id)
	return nil
}

// use marks id as the most recently used incident. What falls beyond keep is spilled
// by settle, once the method that used it is done with what it holds. Caller holds m.mu.
func (m *Memory) use(id string) {
	s := m.spill
	if s == nil || s.off {
		return
	}
	if e, ok := s.elems[id]; ok {
		s.lru.MoveToFront(e)
		return
	}
	if inc := m.incidents[id]; inc != nil {
		id = inc.ID // the item's own string: the caller's may hold more than it
	}
	s.elems[id] = s.lru.PushFront(id)
}

// settle spills the least recently used incidents beyond keep. Every method that may
// bring an incident back or create one calls it last, so that no item it holds is
// written out under it. Caller holds m.mu.
func (m *Memory) settle() {
	s := m.spill
	if s == nil || s.off {
		return
	}
	for s.lru.Len() > s.keep {
		back := s.lru.Back()
		id := back.Value.(string)
		if err := m.spillOut(id); err != nil {
			s.off = true // keep it, and every other, in memory
			return
		}
		s.lru.Remove(back)
		delete(s.elems, id)
	}
}

// spillOut writes id's timeline and item (with its ledger and last change) to the file
// and lets them go. A part that fails to be written stays in memory. Caller holds m.mu.
func (m *Memory) spillOut(id string) error {
	if fp, ok := strings.CutPrefix(id, printPrefix); ok {
		return m.spillPrint(fp)
	}
	s := m.spill
	if ref, ok := s.clean[id]; ok { // unchanged since it was read back: its bytes are still there
		s.setTimeline(id, ref)
	} else if tl := m.timelines[id]; len(tl) > 0 {
		s.buf = encodeEntries(s.buf[:0], tl)
		ref, err := s.write(s.buf)
		if err != nil {
			return err
		}
		s.setTimeline(id, ref)
	}
	delete(s.clean, id)
	delete(m.timelines, id)
	inc := m.incidents[id]
	if inc == nil {
		return nil
	}
	b, err := m.encodeCold(s.buf[:0], inc)
	if err != nil {
		return nil // not representable (a time beyond year 9999): it stays in memory
	}
	s.buf = b
	ref, err := s.write(b)
	if err != nil {
		return err
	}
	s.setItem(id, ref)
	delete(m.incidents, id)
	delete(m.ledgers, Ledger{Incident: id})
	delete(m.lastChange, id)
	delete(m.doneOf, id)
	return nil
}

// spillPending is how many bytes of records the spill gathers before it writes them to
// its file at once.
const spillPending = 256 << 10

// write appends b to the spill and returns where it lies. It is kept in pending until
// pending fills; a failure to write pending out leaves it there (every record stays
// readable) and is returned.
func (s *spill) write(b []byte) (spillRef, error) {
	if uint64(len(b)) > math.MaxUint32 { // coldRefs keep 32-bit lengths
		return spillRef{}, fmt.Errorf("spill record of %d bytes: more than 4 GiB", len(b))
	}
	if len(s.pending)+len(b) > spillPending {
		if err := s.flush(); err != nil {
			return spillRef{}, err
		}
	}
	ref := spillRef{off: s.size, n: len(b)}
	if s.pending == nil {
		s.pending = make([]byte, 0, spillPending)
	}
	s.pending = append(s.pending, b...)
	s.size += int64(len(b))
	return ref, nil
}

// flush writes pending to the file.
func (s *spill) flush() error {
	if len(s.pending) == 0 {
		return nil
	}
	if _, err := s.f.WriteAt(s.pending, s.size-int64(len(s.pending))); err != nil {
		return err
	}
	s.pending = s.pending[:0]
	return nil
}

// read returns the record at ref. The bytes are the spill's own (pending's, or a
// buffer reused by the next read): they hold until the next read or write, and every
// decoder copies what it keeps, so that reading a record back allocates nothing of its
// own (a replay reads back tens of thousands of records a minute).
func (s *spill) read(ref spillRef) ([]byte, error) {
	if base := s.size - int64(len(s.pending)); ref.off >= base {
		return s.pending[ref.off-base : ref.off-base+int64(ref.n) : ref.off-base+int64(ref.n)], nil
	}
	if cap(s.rbuf) < ref.n {
		s.rbuf = make([]byte, ref.n, max(ref.n, 2*cap(s.rbuf)))
	}
	b := s.rbuf[:ref.n:ref.n]
	if _, err := s.f.ReadAt(b, ref.off); err != nil {
		return nil, err
	}
	return b, nil
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

// timelineSlack is the room decodeEntries leaves after the entries it reads back.
const timelineSlack = 2

// decodeEntries reverses encodeEntries. Kinds, actors and the data's keys, which repeat
// from entry to entry, come from shared (nil: none).
func decodeEntries(id string, b []byte, shared interner) ([]incident.Entry, error) {
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
	common := func() string { // a value entries share
		n := uv()
		if bad || n > uint64(len(b)) {
			bad = true
			return ""
		}
		var s string
		if shared != nil {
			s = shared.str(b[:n])
		} else {
			s = string(b[:n])
		}
		b = b[n:]
		return s
	}
	count := uv()
	if bad || count > uint64(len(b)) {
		return nil, errSpillCorrupt
	}
	// Room for a few more: a timeline is read back to add an entry to it, mostly, and
	// an exact fit would be copied whole by the first.
	tl := make([]incident.Entry, 0, count+timelineSlack)
	for range count {
		sec, n := binary.Varint(b)
		if n <= 0 {
			return nil, errSpillCorrupt
		}
		b = b[n:]
		e := incident.Entry{Incident: id, At: time.Unix(sec, int64(uv())).UTC()}
		e.Kind, e.Actor, e.Detail, e.Key = incident.Kind(common()), common(), str(), str()
		if d := uv(); d > 0 && !bad && d-1 <= uint64(len(b)) {
			e.Data = make(map[string]string, d-1)
			for range d - 1 {
				k := common()
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
