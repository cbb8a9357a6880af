package store

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"time"

	"github.com/firebreak-ops/firebreak/internal/event"
	"github.com/firebreak-ops/firebreak/internal/problem"
)

// What a fingerprint keeps outside any incident, its loose events (KeepLoose), its
// ledger (Record with a fingerprint) and its recurrence (Recur), grows with every event
// of it that no incident took, and there is one for every fingerprint ever seen. A spilling store (memory_spill.go) spills them as one record per fingerprint
// when the fingerprint falls out of use, and brings them back whole when they are asked
// for again. In the spill's list of what is in memory a fingerprint is printKey(fp):
// incident ids never begin with a NUL.
const printPrefix = "\x00"

func printKey(fp string) string { return printPrefix + fp }

// fpHash is fp in 128 bits (two hashes of independent seeds), the key of its latest
// incident (Current) and of its spilled record: a fingerprint's text is a hundred
// bytes and more, and a replay keeps one for every fingerprint it saw; two collide
// with a probability of about n²/2¹²⁹.
func (m *Memory) fpHash(fp string) [2]uint64 {
	return [2]uint64{maphash.String(m.seed, fp), maphash.String(m.claimSeed, fp)}
}

var errPrintCorrupt = errors.New("spilled fingerprint is corrupt")

// hotPrint brings fingerprint fp's loose events and ledger back if they were spilled
// and marks them used. Caller holds m.mu and calls settle when done.
func (m *Memory) hotPrint(fp string) error {
	s := m.spill
	if s == nil {
		return nil
	}
	h := m.fpHash(fp)
	if ref, ok := s.prints[h]; ok {
		b, err := s.read(ref)
		if err != nil {
			return fmt.Errorf("fingerprint %s: read back: %w", fp, err)
		}
		loose, led, rec, err := decodePrint(b)
		if err != nil {
			return fmt.Errorf("fingerprint %s: read back: %w", fp, err)
		}
		delete(s.prints, h)
		if loose != nil {
			if m.loose == nil {
				m.loose = map[string]map[string]Loose{}
			}
			m.loose[fp] = loose
		}
		if led != nil {
			m.ledgers[Ledger{Fingerprint: fp}] = led
		}
		if rec != nil {
			m.prob().recur[fp] = *rec
		}
	}
	m.use(printKey(fp))
	return nil
}

// spillPrint writes fingerprint fp's loose events and ledger to the file and lets them
// go. Caller holds m.mu.
func (m *Memory) spillPrint(fp string) error {
	s := m.spill
	loose, led := m.loose[fp], m.ledgers[Ledger{Fingerprint: fp}]
	var rec *problem.Recurrence
	if r, ok := m.prob().recur[fp]; ok {
		rec = &r
	}
	if loose == nil && led == nil && rec == nil {
		return nil
	}
	b, err := encodePrint(s.buf[:0], loose, led, rec)
	if err != nil {
		return nil // not representable (a time beyond year 9999): it stays in memory
	}
	s.buf = b
	ref, err := s.write(b)
	if err != nil {
		return err
	}
	s.prints[m.fpHash(fp)] = ref
	delete(m.loose, fp)
	delete(m.ledgers, Ledger{Fingerprint: fp})
	delete(m.prob().recur, fp)
	return nil
}

// encodePrint appends a fingerprint's record to b: whether it has a ledger, loose
// events and a recurrence; the ledger's counters, first and last times and id hashes;
// the loose events; the recurrence as JSON.
func encodePrint(b []byte, loose map[string]Loose, led *memLedger, rec *problem.Recurrence) ([]byte, error) {
	str := func(s string) {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	tm := func(t time.Time) {
		b = binary.AppendVarint(b, t.Unix())
		b = binary.AppendUvarint(b, uint64(t.Nanosecond()))
	}
	var flags byte
	if led != nil {
		flags |= 1
	}
	if loose != nil {
		flags |= 2
	}
	if rec != nil {
		flags |= 4
	}
	b = append(b, flags)
	if led != nil {
		for _, v := range []int{led.n, led.trig, led.rec} {
			b = binary.AppendUvarint(b, uint64(v))
		}
		tm(led.first)
		tm(led.last)
		b = appendHashes(b, led)
	}
	if loose != nil {
		b = binary.AppendUvarint(b, uint64(len(loose)))
		for _, e := range loose {
			str(e.ID)
			tm(e.Time)
			str(string(e.Signal))
			str(e.Summary)
			str(e.Actor)
		}
	}
	if rec != nil {
		js, err := json.Marshal(rec)
		if err != nil {
			return b, err
		}
		str(string(js))
	}
	return b, nil
}

// appendHashes appends the count of led's id hashes and the hashes.
func appendHashes(b []byte, led *memLedger) []byte {
	if led.ids != nil {
		b = binary.AppendUvarint(b, uint64(len(led.ids)))
		for h := range led.ids {
			b = binary.LittleEndian.AppendUint64(b, h)
		}
		return b
	}
	b = binary.AppendUvarint(b, uint64(len(led.few)))
	for _, h := range led.few {
		b = binary.LittleEndian.AppendUint64(b, h)
	}
	return b
}

// readHashes reads what appendHashes wrote into led; false if b is short.
func readHashes(b []byte, led *memLedger) ([]byte, bool) {
	count, k := binary.Uvarint(b)
	if k <= 0 || count > uint64(len(b)-k)/8 {
		return b, false
	}
	b = b[k:]
	if count > smallLedger {
		led.ids = make(map[uint64]struct{}, count)
	}
	for i := range count {
		h := binary.LittleEndian.Uint64(b[8*i:])
		if led.ids != nil {
			led.ids[h] = struct{}{}
		} else {
			led.few = append(led.few, h)
		}
	}
	return b[8*count:], true
}

// decodePrint reverses encodePrint.
func decodePrint(b []byte) (map[string]Loose, *memLedger, *problem.Recurrence, error) {
	if len(b) == 0 {
		return nil, nil, nil, errPrintCorrupt
	}
	flags := b[0]
	b = b[1:]
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
	tm := func() time.Time {
		sec, n := binary.Varint(b)
		if n <= 0 {
			bad = true
			return time.Time{}
		}
		b = b[n:]
		return time.Unix(sec, int64(uv())).UTC()
	}
	var led *memLedger
	if flags&1 != 0 {
		led = &memLedger{n: int(uv()), trig: int(uv()), rec: int(uv())}
		led.first, led.last = tm(), tm()
		var ok bool
		if b, ok = readHashes(b, led); !ok || bad {
			return nil, nil, nil, errPrintCorrupt
		}
	}
	var loose map[string]Loose
	if flags&2 != 0 {
		count := uv()
		if bad || count > uint64(len(b)) {
			return nil, nil, nil, errPrintCorrupt
		}
		loose = make(map[string]Loose, count)
		for range count {
			e := Loose{ID: str(), Time: tm()}
			e.Signal, e.Summary, e.Actor = event.Signal(str()), str(), str()
			if bad {
				return nil, nil, nil, errPrintCorrupt
			}
			loose[e.ID] = e
		}
	}
	var rec *problem.Recurrence
	if flags&4 != 0 {
		js := str()
		rec = &problem.Recurrence{}
		if err := json.Unmarshal([]byte(js), rec); bad || err != nil {
			return nil, nil, nil, errPrintCorrupt
		}
	}
	return loose, led, rec, nil
}
