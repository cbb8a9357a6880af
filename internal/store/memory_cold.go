package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"reflect"
	"time"

	"github.com/firebreak-ops/firebreak/internal/incident"
)

// What the memory store writes out of an incident that falls out of use
// (memory_spill.go): the item, its ledger, the key of its last change and its finished
// actions, as one record: the item's fields in binary, in their order (a field added
// to incident.Incident is spilled with the rest: memory_cold_test.go checks that every
// field comes back), then the last change, the finished actions' hashes and the
// ledger's counters, then its id hashes; only bringing the incident back reads the
// hashes.

var errColdCorrupt = errors.New("spilled incident is corrupt")

// coldField is how one field of incident.Incident is written.
type coldField byte

const (
	coldString coldField = iota + 1
	coldInt
	coldBool
	coldTime
	coldMap    // map[string]string: nil and empty kept apart
	coldShared // a string most incidents share with others (sharedFields)
)

// sharedFields are the fields of incident.Incident whose values repeat across
// incidents (a class, a team, an account...): read back, they share one string per
// value (interner), so that a list of spilled incidents read back (a replay's last
// List and Walk) holds each value once, not once per incident.
var sharedFields = map[string]bool{"Class": true, "Severity": true, "Team": true, "Impact": true, "Runbook": true,
	"Status": true, "Source": true, "Account": true, "Region": true, "AccountName": true, "Client": true,
	"Environment": true, "Tier": true, "AccountReason": true, "ParentReason": true, "SilencedBy": true,
	"AcknowledgedBy": true, "Actor": true}

// interner hands out one string per value, for at most maxShared short values; others
// are copied as they come.
type interner map[string]string

const maxShared = 1 << 14

func (x interner) str(b []byte) string {
	if s, ok := x[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(x) < maxShared && len(b) <= 64 {
		x[s] = s
	}
	return s
}

var (
	timeType     = reflect.TypeFor[time.Time]()
	mapType      = reflect.TypeFor[map[string]string]()
	coldFields   = coldFieldsOf(reflect.TypeFor[incident.Incident]())
	errColdField = errors.New("a field of incident.Incident the spill cannot write")
)

// coldFieldsOf lists how each field of t is written; 0 for a kind it cannot write
// (encodeCold then fails, and the incident stays in memory).
func coldFieldsOf(t reflect.Type) []coldField {
	out := make([]coldField, t.NumField())
	for i := range out {
		f := t.Field(i).Type
		switch {
		case f == timeType:
			out[i] = coldTime
		case f == mapType:
			out[i] = coldMap
		case f.Kind() == reflect.String && sharedFields[t.Field(i).Name]:
			out[i] = coldShared
		case f.Kind() == reflect.String:
			out[i] = coldString
		case f.Kind() == reflect.Int:
			out[i] = coldInt
		case f.Kind() == reflect.Bool:
			out[i] = coldBool
		}
	}
	return out
}

// coldWriter appends to a record.
type coldWriter struct{ b []byte }

func (w *coldWriter) uint(v uint64) { w.b = binary.AppendUvarint(w.b, v) }
func (w *coldWriter) int(v int64)   { w.b = binary.AppendVarint(w.b, v) }
func (w *coldWriter) str(s string) {
	w.uint(uint64(len(s)))
	w.b = append(w.b, s...)
}
func (w *coldWriter) time(t time.Time) error {
	n := len(w.b)
	w.b = append(w.b, 0)
	var err error
	if w.b, err = t.AppendBinary(w.b); err != nil {
		return err
	}
	w.b[n] = byte(len(w.b) - n - 1)
	return nil
}

// coldReader reads a record; bad is set at the first thing that does not read.
type coldReader struct {
	b      []byte
	bad    bool
	shared interner // nil: nothing shared
}

func (r *coldReader) uint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.bad = true
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *coldReader) int() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.bad = true
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *coldReader) bytes(n uint64) []byte {
	if r.bad || n > uint64(len(r.b)) {
		r.bad = true
		return nil
	}
	out := r.b[:n]
	r.b = r.b[n:]
	return out
}

func (r *coldReader) str() string { return string(r.bytes(r.uint())) }

// sharedStr reads a string that repeats across incidents (and map keys).
func (r *coldReader) sharedStr() string {
	b := r.bytes(r.uint())
	if r.shared == nil || r.bad {
		return string(b)
	}
	return r.shared.str(b)
}

func (r *coldReader) flag() bool {
	b := r.bytes(1)
	return len(b) == 1 && b[0] == 1
}

func (r *coldReader) time() time.Time {
	var t time.Time
	if len(r.b) == 0 {
		r.bad = true
		return t
	}
	n := uint64(r.b[0])
	r.b = r.b[1:]
	if b := r.bytes(n); !r.bad && t.UnmarshalBinary(b) != nil {
		r.bad = true
	}
	return t
}

// encodeCold appends incident inc's record to b. Caller holds m.mu.
func (m *Memory) encodeCold(b []byte, inc *incident.Incident) ([]byte, error) {
	w := coldWriter{b: b}
	v := reflect.ValueOf(inc).Elem()
	for i, k := range coldFields {
		f := v.Field(i)
		switch k {
		case coldString, coldShared:
			w.str(f.String())
		case coldInt:
			w.int(f.Int())
		case coldBool:
			w.b = append(w.b, boolByte(f.Bool()))
		case coldTime:
			if err := w.time(*f.Addr().Interface().(*time.Time)); err != nil {
				return b, fmt.Errorf("spill incident %s: %s: %w", inc.ID, v.Type().Field(i).Name, err)
			}
		case coldMap:
			mp := *f.Addr().Interface().(*map[string]string)
			if mp == nil {
				w.uint(0)
				continue
			}
			w.uint(uint64(len(mp)) + 1)
			for k, v := range mp {
				w.str(k)
				w.str(v)
			}
		default:
			return b, fmt.Errorf("spill incident %s: %s: %w", inc.ID, v.Type().Field(i).Name, errColdField)
		}
	}
	last, ok := m.lastChange[inc.ID]
	w.b = append(w.b, boolByte(ok))
	w.str(last)
	done := m.doneOf[inc.ID]
	w.uint(uint64(len(done)))
	for _, h := range done {
		w.b = binary.LittleEndian.AppendUint64(w.b, h[0])
		w.b = binary.LittleEndian.AppendUint64(w.b, h[1])
	}
	led := m.ledgers[Ledger{Incident: inc.ID}]
	w.b = append(w.b, boolByte(led != nil))
	if led == nil {
		return w.b, nil
	}
	for _, n := range []int{led.n, led.trig, led.rec} {
		w.uint(uint64(n))
	}
	for _, t := range []time.Time{led.first, led.last, led.lastTrig} {
		if err := w.time(t); err != nil {
			return b, fmt.Errorf("spill incident %s: ledger: %w", inc.ID, err)
		}
	}
	return appendHashes(w.b, led), nil
}

func boolByte(v bool) byte {
	if v {
		return 1
	}
	return 0
}

// coldRecord is an incident read back: its item, its ledger (nil when it had none; its
// id hashes only when asked for) and its last change (had: it had one).
type coldRecord struct {
	inc  *incident.Incident
	led  *memLedger
	last string
	had  bool
	done [][2]uint64 // its finished actions (only with the id hashes)
}

// decodeCold reverses encodeCold, reading the ledger's id hashes when ids is true;
// the values of sharedFields and the maps' keys come from shared (nil: none).
func decodeCold(b []byte, ids bool, shared interner) (coldRecord, error) {
	return decodeColdInto(b, ids, shared, &incident.Incident{}, nil)
}

// decodeColdInto is decodeCold into inc and led, which it overwrites whole: the
// record's incident is inc, and its ledger, if it has one, led (nil: a new one).
func decodeColdInto(b []byte, ids bool, shared interner, inc *incident.Incident, led *memLedger) (coldRecord, error) {
	r := coldReader{b: b, shared: shared}
	*inc = incident.Incident{}
	v := reflect.ValueOf(inc).Elem()
	for i, k := range coldFields {
		f := v.Field(i)
		switch k {
		case coldString:
			f.SetString(r.str())
		case coldShared:
			f.SetString(r.sharedStr())
		case coldInt:
			f.SetInt(r.int())
		case coldBool:
			f.SetBool(r.flag())
		case coldTime:
			*f.Addr().Interface().(*time.Time) = r.time()
		case coldMap:
			n := r.uint()
			if n == 0 || r.bad || n-1 > uint64(len(r.b)) {
				continue
			}
			mp := make(map[string]string, n-1)
			for range n - 1 {
				k := r.sharedStr()
				mp[k] = r.str()
			}
			*f.Addr().Interface().(*map[string]string) = mp
		}
		if r.bad {
			return coldRecord{}, errColdCorrupt
		}
	}
	out := coldRecord{inc: inc}
	out.had = r.flag()
	out.last = r.str()
	nd := r.uint()
	done := r.bytes(16 * nd)
	if ids && !r.bad {
		for i := range nd {
			out.done = append(out.done, [2]uint64{binary.LittleEndian.Uint64(done[16*i:]), binary.LittleEndian.Uint64(done[16*i+8:])})
		}
	}
	hasLedger := r.flag()
	if r.bad {
		return coldRecord{}, errColdCorrupt
	}
	if !hasLedger {
		return out, nil
	}
	if led == nil {
		led = &memLedger{}
	}
	*led = memLedger{n: int(r.uint()), trig: int(r.uint()), rec: int(r.uint())}
	out.led = led
	out.led.first, out.led.last, out.led.lastTrig = r.time(), r.time(), r.time()
	if r.bad {
		return coldRecord{}, errColdCorrupt
	}
	if ids {
		if _, ok := readHashes(r.b, out.led); !ok {
			return coldRecord{}, errColdCorrupt
		}
	}
	return out, nil
}

// shared is the spill's interner. Caller holds m.mu.
func (m *Memory) shared() interner {
	if m.spill == nil {
		return nil
	}
	if m.spill.shared == nil {
		m.spill.shared = interner{}
	}
	return m.spill.shared
}

// known reports whether incident id exists, in memory or spilled. Caller holds m.mu.
func (m *Memory) known(id string) bool {
	if _, ok := m.incidents[id]; ok {
		return true
	}
	if m.spill != nil {
		_, ok := m.spill.item(id)
		return ok
	}
	return false
}

// lookup reads incident id and its ledger (nil: none) without moving it: the stored
// item itself when it is in memory (the caller must not change either), a decoded copy
// with the ledger's counters when it is spilled, decoded into the spill's one scratch
// incident and ledger: it holds until the next lookup (every caller reads it or copies
// it out at once, and a list of spilled incidents reads them one at a time). A nil
// incident: there is none. Caller holds m.mu.
func (m *Memory) lookup(id string) (*incident.Incident, *memLedger, error) {
	if inc, ok := m.incidents[id]; ok {
		return inc, m.ledgers[Ledger{Incident: id}], nil
	}
	if m.spill == nil {
		return nil, nil, nil
	}
	ref, ok := m.spill.item(id)
	if !ok {
		return nil, nil, nil
	}
	b, err := m.spill.read(ref)
	if err != nil {
		return nil, nil, fmt.Errorf("incident %s: read back: %w", id, err)
	}
	rec, err := decodeColdInto(b, false, m.shared(), &m.spill.look, &m.spill.lookLed)
	if err != nil {
		return nil, nil, fmt.Errorf("incident %s: read back: %w", id, err)
	}
	return rec.inc, rec.led, nil
}

// hot brings incident id back into memory if it was spilled (its item, ledger and last
// change), marks it used and returns the stored item, for the caller to change; nil
// when there is no such incident. Caller holds m.mu and calls settle when done.
func (m *Memory) hot(id string) (*incident.Incident, error) {
	if inc, ok := m.incidents[id]; ok {
		m.use(id)
		return inc, nil
	}
	if m.spill == nil {
		return nil, nil
	}
	ref, ok := m.spill.item(id)
	if !ok {
		return nil, nil
	}
	b, err := m.spill.read(ref)
	if err != nil {
		return nil, fmt.Errorf("incident %s: read back: %w", id, err)
	}
	rec, err := decodeCold(b, true, m.shared())
	if err != nil {
		return nil, fmt.Errorf("incident %s: read back: %w", id, err)
	}
	m.spill.setItem(id, spillRef{})
	inc := rec.inc
	m.incidents[inc.ID] = inc
	if rec.led != nil {
		m.ledgers[Ledger{Incident: inc.ID}] = rec.led
	}
	if rec.had {
		m.lastChange[inc.ID] = rec.last
	}
	if rec.done != nil {
		if m.doneOf == nil {
			m.doneOf = map[string][][2]uint64{}
		}
		m.doneOf[inc.ID] = rec.done
	}
	m.use(inc.ID)
	return inc, nil
}

// owned is inc as lookup gave it, for the caller to keep: a copy of an item in memory,
// the decoded incident itself when it was spilled (nothing else holds it). Caller
// holds m.mu.
func (m *Memory) owned(inc *incident.Incident) incident.Incident {
	if m.incidents[inc.ID] == inc {
		return clone(*inc)
	}
	return *inc
}

// counted is inc with the counters of its ledger led (nil: none), for the caller to
// keep (owned). Caller holds m.mu.
func (m *Memory) counted(inc *incident.Incident, led *memLedger) incident.Incident {
	out := m.owned(inc)
	if led != nil {
		out.Events, out.Count, out.Recoveries = led.n, led.trig, led.rec
		out.FirstSeen, out.LastSeen, out.LastTrigger = led.first, led.last, led.lastTrig
	}
	return out
}

// view is incident id with its counters; ok is false when there is none. Caller holds m.mu.
func (m *Memory) view(id string) (incident.Incident, bool, error) {
	inc, led, err := m.lookup(id)
	if err != nil || inc == nil {
		return incident.Incident{}, false, err
	}
	return m.counted(inc, led), true, nil
}
