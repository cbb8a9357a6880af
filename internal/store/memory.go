package store

import (
	"context"
	"fmt"
	"hash/maphash"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/firebreak-ops/firebreak/internal/event"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/oncall"
	"github.com/firebreak-ops/firebreak/internal/silence"
)

// Memory is the embedded store for local runs, replay and tests. Safe for concurrent use.
type Memory struct {
	mu           sync.Mutex
	now          func() time.Time
	seed         maphash.Seed // ledger id hashes
	incidents    map[string]*incident.Incident
	heads        map[[2]uint64]string // fingerprint (fpHash) -> latest incident id
	ledgers      map[Ledger]*memLedger
	byStatus     map[incident.Status]map[incident.Severity]map[string]bool // incident ids by status and severity
	due          dueIndex                                                  // incidents with a due time, earliest first (memory_due.go)
	timelines    map[string][]incident.Entry
	lastChange   map[string]string
	quarantine   map[string]Quarantined
	claims       map[string]claim       // actions claimed and not finished
	finished     map[[2]uint64]struct{} // actions finished, by claimHash, of ids that are not incidents
	doneOf       map[string][][2]uint64 // actions finished of each incident, by claimHash: spilled with it
	claimSeed    maphash.Seed           // claimHash's second seed
	approvals    map[string]map[string]Approval
	silences     map[string]silence.Silence
	tokens       map[string]bool
	stream       []StreamRecord
	loose        map[string]map[string]Loose                            // fingerprint -> event id -> event (memory_early.go)
	opened       []openedRef                                            // incidents by opening time (memory_opened.go)
	openedIn     map[scope][]openedRef                                  // the same, per account and region
	byScope      map[scopedStatus]map[incident.Severity]map[string]bool // incident ids by account, region, status and severity
	byScopeClass map[scopedStatus]map[string]map[string]bool            // incident ids by account, region, status and class
	followups    memFollowups                                           // reviews and actions (memory_followups.go)
	overrides    map[string][]oncall.Override                           // schedule -> overrides sorted by id (memory_overrides.go)
	problems     *memProblems                                           // problem items (memory_problems.go)
	heartbeats   memHeartbeats                                          // heartbeat states (heartbeats.go)
	spill        *spill                                                 // incidents not touched lately, in a file (memory_spill.go)
}

type claim struct {
	owner string
	until time.Time
}

var _ Store = (*Memory)(nil)

// NewMemory returns an empty store; now stamps UpdatedAt.
func NewMemory(now func() time.Time) *Memory {
	return &Memory{
		now:        now,
		seed:       maphash.MakeSeed(),
		claimSeed:  maphash.MakeSeed(),
		incidents:  map[string]*incident.Incident{},
		heads:      map[[2]uint64]string{},
		ledgers:    map[Ledger]*memLedger{},
		byStatus:   map[incident.Status]map[incident.Severity]map[string]bool{},
		timelines:  map[string][]incident.Entry{},
		lastChange: map[string]string{},
		quarantine: map[string]Quarantined{},
		claims:     map[string]claim{},
		approvals:  map[string]map[string]Approval{},
	}
}

// Current returns the latest incident of each fingerprint that has one. A spilled one
// is brought back into memory (memory_spill.go): intake asks for the incidents it is
// about to record events on and change.
func (m *Memory) Current(_ context.Context, fps []string) (map[string]incident.Incident, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	defer m.settle()
	out := make(map[string]incident.Incident, len(fps))
	for _, fp := range fps {
		if id, ok := m.heads[m.fpHash(fp)]; ok {
			inc, err := m.hot(id)
			if err != nil {
				return nil, err
			}
			if inc != nil {
				out[fp] = m.owned(inc)
			}
		}
	}
	return out, nil
}

// Open creates inc unless an incident with its id exists; it returns the stored incident
// and whether this call created it.
func (m *Memory) Open(_ context.Context, inc incident.Incident, opened incident.Entry) (incident.Incident, bool, error) {
	if inc.ID == "" || inc.Fingerprint == "" {
		return incident.Incident{}, false, fmt.Errorf("open incident: id and fingerprint are required")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	defer m.settle()
	if err := m.resident(opened.Incident); err != nil {
		return incident.Incident{}, false, err
	}
	created := false
	if !m.known(inc.ID) {
		c := inc
		c.Version = 1
		c.UpdatedAt = m.now().UTC()
		c.Count, c.Recoveries, c.Events = 0, 0, 0
		c.FirstSeen, c.LastSeen, c.LastTrigger = time.Time{}, time.Time{}, time.Time{}
		c.Attrs, c.Tags = copyMap(inc.Attrs), copyMap(inc.Tags)
		c.DueAt = inc.OpenedAt.UTC()
		m.incidents[inc.ID] = &c
		m.indexOpened(&c)
		m.reindex(c.ID, nil)
		m.stream = append(m.stream, StreamRecord{New: clone(c)})
		m.use(c.ID)
		created = true
	}
	fh := m.fpHash(inc.Fingerprint)
	cur, ok := m.heads[fh]
	if ok {
		head, _, err := m.lookup(cur)
		if err != nil {
			return incident.Incident{}, false, err
		}
		ok = head != nil && head.Seq >= inc.Seq
	}
	if !ok {
		m.heads[fh] = inc.ID
	}
	m.addEntry(opened)
	got, _, err := m.view(inc.ID)
	return got, created, err
}

// memLedger is one ledger: the ids recorded on it and its counters, kept as they change
// so that reading them costs the same whatever the storm. An id is kept as its 64-bit
// hash (the store's seed): 8 bytes an event instead of the id's text, so a replay of
// millions of events holds tens of megabytes of ledgers, not hundreds; two ids of one
// ledger collide with a probability of about n²/2⁶⁵ (10⁻⁸ for a million events), as
// the DynamoDB ledger's 63-bit hashes do.
type memLedger struct {
	few          []uint64            // the ids' hashes while there are at most smallLedger
	ids          map[uint64]struct{} // then all of them
	n, trig, rec int
	first, last  time.Time
	lastTrig     time.Time // the latest trigger's second
}

// smallLedger is how many ids a ledger keeps in a slice before it takes a map: most
// incidents see a few events, and a slice of a few hashes costs a few words where the
// smallest map costs a hundred bytes and more.
const smallLedger = 16

// add records the id hash h; false if the ledger has it already.
func (led *memLedger) add(h uint64) bool {
	if led.ids != nil {
		if _, dup := led.ids[h]; dup {
			return false
		}
		led.ids[h] = struct{}{}
		return true
	}
	if slices.Contains(led.few, h) {
		return false
	}
	if len(led.few) < smallLedger {
		led.few = append(led.few, h)
		return true
	}
	led.ids = make(map[uint64]struct{}, 2*smallLedger)
	for _, x := range led.few {
		led.ids[x] = struct{}{}
	}
	led.few = nil
	led.ids[h] = struct{}{}
	return true
}

// Record adds the events not yet recorded on the ledger and returns them.
func (m *Memory) Record(_ context.Context, l Ledger, refs []EventRef) ([]EventRef, error) {
	if l.Incident == "" && l.Fingerprint == "" {
		return nil, fmt.Errorf("record events: ledger has neither incident nor fingerprint")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	defer m.settle()
	switch { // a spilled ledger comes back with its incident or fingerprint
	case l.Incident != "" && l.Fingerprint == "":
		if _, err := m.hot(l.Incident); err != nil {
			return nil, err
		}
	case l.Incident == "":
		if err := m.hotPrint(l.Fingerprint); err != nil {
			return nil, err
		}
	}
	led := m.ledgers[l]
	if led == nil {
		led = &memLedger{}
		m.ledgers[l] = led
	}
	var added []EventRef
	for _, r := range refs {
		if r.ID == "" {
			continue
		}
		h := maphash.String(m.seed, r.ID)
		if !led.add(h) {
			continue
		}
		led.n++
		switch r.Signal {
		case event.Trigger:
			led.trig++
		case event.Recovery:
			led.rec++
		}
		t := r.Time.UTC().Truncate(time.Second) // the DynamoDB ledger keeps seconds
		if led.first.IsZero() || t.Before(led.first) {
			led.first = t
		}
		if t.After(led.last) {
			led.last = t
		}
		if r.Signal == event.Trigger && t.After(led.lastTrig) {
			led.lastTrig = t
		}
		added = append(added, r)
	}
	return added, nil
}

// Change applies c if its preconditions hold.
func (m *Memory) Change(_ context.Context, c Change) (bool, error) {
	if c.Entry.Key == "" || c.Incident == "" {
		return false, fmt.Errorf("change incident %q: an incident and an entry key are required", c.Incident)
	}
	c.Entry.Incident = c.Incident
	m.mu.Lock()
	defer m.mu.Unlock()
	defer m.settle()
	inc, err := m.hot(c.Incident)
	if err != nil {
		return false, err
	}
	if inc == nil {
		return false, fmt.Errorf("change incident %s: %w", c.Incident, ErrNotFound)
	}
	if err := m.resident(c.Incident); err != nil {
		return false, err
	}
	if m.lastChange[c.Incident] == c.Entry.Key {
		m.addEntry(c.Entry)
		return false, nil
	}
	if !statusIn(inc.Status, c.IfStatus) || (!c.NotBefore.IsZero() && inc.StateAt.After(c.NotBefore)) ||
		(!c.StateAfter.IsZero() && !inc.StateAt.After(c.StateAfter)) {
		return false, nil
	}
	if c.Severity != "" && c.RaiseOnly && c.Severity.Rank() >= inc.Severity.Rank() {
		return false, nil
	}
	old := clone(*inc)
	applyChange(inc, c)
	inc.Version++
	inc.UpdatedAt = m.now().UTC()
	m.reindex(inc.ID, &old)
	m.lastChange[c.Incident] = c.Entry.Key
	m.addEntry(c.Entry)
	// A change never changes Attrs and Tags: the record's old and new images share the
	// one copy made of them (the stream's reader changes neither).
	nu := *inc
	nu.Attrs, nu.Tags = old.Attrs, old.Tags
	m.stream = append(m.stream, StreamRecord{Old: &old, New: nu})
	return true, nil
}

// NoteRepeat records r as incident id's repeat if the incident is still open or
// acknowledged since stateAt and holds no earlier repeat after it (Dynamo.NoteRepeat).
func (m *Memory) NoteRepeat(_ context.Context, id string, stateAt time.Time, r Repeat) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	defer m.settle()
	inc, err := m.hot(id)
	if err != nil || inc == nil {
		return false, err
	}
	if err := m.resident(id); err != nil {
		return false, err
	}
	if !inc.StateAt.Equal(stateAt) || (inc.Status != incident.Open && inc.Status != incident.Acknowledged) ||
		(inc.RepeatAt.After(inc.StateAt) && !inc.RepeatAt.After(r.At)) {
		return false, nil
	}
	old := clone(*inc)
	inc.RepeatID, inc.RepeatAt, inc.RepeatSummary, inc.RepeatActor = r.ID, r.At.UTC(), clipSummary(r.Summary), r.Actor
	nu := *inc
	nu.Attrs, nu.Tags = old.Attrs, old.Tags
	m.stream = append(m.stream, StreamRecord{Old: &old, New: nu})
	return true, nil
}

// Quarantine keeps an unparseable payload; the same payload is kept once.
func (m *Memory) Quarantine(_ context.Context, q Quarantined) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := quarantineKey(q.Payload)
	if _, ok := m.quarantine[k]; !ok {
		q.Payload = append([]byte(nil), q.Payload...)
		m.quarantine[k] = q
	}
	return nil
}

// QuarantinedSince lists quarantined payloads received at or after t, oldest first.
func (m *Memory) QuarantinedSince(_ context.Context, t time.Time) ([]Quarantined, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]Quarantined, 0, len(m.quarantine))
	for _, q := range m.quarantine {
		if !q.ReceivedAt.Before(t) {
			out = append(out, q)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].ReceivedAt.Equal(out[j].ReceivedAt) {
			return out[i].ReceivedAt.Before(out[j].ReceivedAt)
		}
		return out[i].MessageID < out[j].MessageID
	})
	return out, nil
}

// Get returns one incident with its counters.
func (m *Memory) Get(_ context.Context, id string) (incident.Incident, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	inc, ok, err := m.view(id)
	if err != nil {
		return incident.Incident{}, err
	}
	if !ok {
		return incident.Incident{}, fmt.Errorf("incident %s: %w", id, ErrNotFound)
	}
	return inc, nil
}

// List returns incidents matching f, most recently opened first. It visits only the
// incidents of the statuses asked for.
func (m *Memory) List(_ context.Context, f Filter) ([]incident.Incident, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !f.OpenedSince.IsZero() {
		return m.listOpenedSince(f)
	}
	statuses := f.Status
	if len(statuses) == 0 {
		statuses = incident.Statuses
	}
	if sc, ok := filterScope(f); ok {
		out, err := m.listScoped(f, sc, statuses)
		if err != nil {
			return nil, err
		}
		sortIncidents(out)
		if f.Limit > 0 && len(out) > f.Limit {
			out = out[:f.Limit]
		}
		return out, nil
	}
	var out []incident.Incident
	seen := map[incident.Status]bool{}
	for _, st := range statuses {
		if seen[st] {
			continue
		}
		seen[st] = true
		// Only the severities asked for (dispatch's inhibition asks for the more severe).
		for sev, ids := range m.byStatus[st] {
			if len(f.Severities) > 0 && !slices.Contains(f.Severities, sev) {
				continue
			}
			var err error
			if out, err = m.appendAdmitted(out, f, ids); err != nil {
				return nil, err
			}
		}
	}
	sortIncidents(out)
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, nil
}

// Timeline returns an incident's entries in time order.
func (m *Memory) Timeline(_ context.Context, id string) ([]incident.Entry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	defer m.settle()
	if !m.known(id) {
		return nil, fmt.Errorf("timeline of %s: %w", id, ErrNotFound)
	}
	if err := m.resident(id); err != nil {
		return nil, err
	}
	return append([]incident.Entry(nil), m.timelines[id]...), nil
}

// AddEntries appends timeline entries; an entry whose key is already there is skipped.
func (m *Memory) AddEntries(_ context.Context, entries ...incident.Entry) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	defer m.settle()
	for _, e := range entries {
		if !m.known(e.Incident) {
			return fmt.Errorf("timeline entry %q: incident %s: %w", e.Key, e.Incident, ErrNotFound)
		}
	}
	for _, e := range entries {
		if err := m.resident(e.Incident); err != nil {
			return err
		}
		m.addEntry(e)
	}
	return nil
}

func (m *Memory) addEntry(e incident.Entry) {
	if e.Incident == "" || e.Key == "" {
		return
	}
	tl := m.timelines[e.Incident]
	for _, x := range tl {
		if x.Key == e.Key && x.At.Equal(e.At) {
			return
		}
	}
	e.At = e.At.UTC()
	i := sort.Search(len(tl), func(i int) bool { return entryLess(e, tl[i]) })
	tl = append(tl, incident.Entry{})
	copy(tl[i+1:], tl[i:])
	tl[i] = e
	m.timelines[e.Incident] = tl
	if m.spill != nil {
		delete(m.spill.clean, e.Incident) // changed: spilled again, it is written again
	}
	m.use(e.Incident)
}

// appendAdmitted appends to out, with their counters, the incidents of ids that f
// admits. Caller holds m.mu.
func (m *Memory) appendAdmitted(out []incident.Incident, f Filter, ids map[string]bool) ([]incident.Incident, error) {
	for id := range ids {
		inc, led, err := m.lookup(id)
		if err != nil {
			return nil, err
		}
		if inc != nil && f.admits(inc) {
			out = append(out, m.counted(inc, led))
		}
	}
	return out, nil
}

// entryLess orders timeline entries by time, then key: the order the DynamoDB sort key
// gives. Within years 0-9999 the key's time is fixed-width to the nanosecond, so the
// key's order is the times' then the keys', compared without building the keys.
func entryLess(a, b incident.Entry) bool {
	if keyYears(a.At) && keyYears(b.At) {
		if !a.At.Equal(b.At) {
			return a.At.Before(b.At)
		}
		return a.Key < b.Key
	}
	return entrySortKey(a) < entrySortKey(b)
}

func entrySortKey(e incident.Entry) string { return e.At.UTC().Format(keyTime) + "#" + e.Key }

// keyYears reports whether t's year has the four digits keyTime gives it.
func keyYears(t time.Time) bool {
	y := t.UTC().Year()
	return y >= 0 && y <= 9999
}

func sortIncidents(out []incident.Incident) {
	sort.Slice(out, func(i, j int) bool {
		if !out[i].OpenedAt.Equal(out[j].OpenedAt) {
			return out[i].OpenedAt.After(out[j].OpenedAt)
		}
		return out[i].ID < out[j].ID
	})
}

// DrainStream returns the incident changes since the last call, oldest first: the local
// stand-in for the table's DynamoDB stream.
func (m *Memory) DrainStream() []StreamRecord {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := m.stream
	m.stream = nil
	return out
}

func clone(inc incident.Incident) incident.Incident {
	inc.Attrs, inc.Tags = copyMap(inc.Attrs), copyMap(inc.Tags)
	return inc
}

// Due returns incidents whose DueAt is at or before now, earliest first: a walk of the
// due index up to the first incident not yet due. Spilled ones are brought back into
// memory, up to half of what memory keeps: the escalator claims and changes what is due.
func (m *Memory) Due(_ context.Context, now time.Time, limit int) ([]incident.Incident, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	defer m.settle()
	var out []incident.Incident
	var err error
	until := now.UnixNano()
	m.due.each(func(k dueKey) bool {
		if k.at > until || (limit > 0 && len(out) >= limit) {
			return false
		}
		var inc *incident.Incident
		if m.spill != nil && len(out) >= m.spill.keep/2 {
			inc, _, err = m.lookup(k.id) // more than memory keeps: read where it is
		} else {
			inc, err = m.hot(k.id)
		}
		if err != nil {
			return false
		}
		if inc != nil {
			out = append(out, m.owned(inc))
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// SetDue sets when the escalator next looks at the incident, unless it changed since
// the escalator read it (version). A zero due means never.
func (m *Memory) SetDue(_ context.Context, id string, due time.Time, version int) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	defer m.settle()
	inc, err := m.hot(id)
	if err != nil {
		return false, err
	}
	if inc == nil {
		return false, fmt.Errorf("set due of %s: %w", id, ErrNotFound)
	}
	if inc.Version != version {
		return false, nil
	}
	old := *inc // reindex reads its status, severity, class, scope and due time only
	inc.DueAt = due.UTC()
	m.reindex(id, &old)
	return true, nil
}

// reindex moves incident id within the status and due indexes after a change from
// old (nil: it is new). Caller holds m.mu.
func (m *Memory) reindex(id string, old *incident.Incident) {
	inc := m.incidents[id]
	m.indexScoped(inc, old)
	if old == nil || old.Status != inc.Status || old.Severity != inc.Severity {
		if old != nil {
			delete(m.byStatus[old.Status][old.Severity], id)
		}
		if m.byStatus[inc.Status] == nil {
			m.byStatus[inc.Status] = map[incident.Severity]map[string]bool{}
		}
		if m.byStatus[inc.Status][inc.Severity] == nil {
			m.byStatus[inc.Status][inc.Severity] = map[string]bool{}
		}
		m.byStatus[inc.Status][inc.Severity][id] = true
	}
	if old != nil && old.DueAt.Equal(inc.DueAt) {
		return
	}
	if old != nil && !old.DueAt.IsZero() {
		m.due.remove(newDueKey(old.DueAt, id))
	}
	if !inc.DueAt.IsZero() {
		m.due.insert(newDueKey(inc.DueAt, id))
	}
}

// PutSilence adds or replaces a silence.
func (m *Memory) PutSilence(_ context.Context, s silence.Silence) error {
	if err := s.Validate(); err != nil {
		return fmt.Errorf("silence %s: %w", s.ID, err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.silences == nil {
		m.silences = map[string]silence.Silence{}
	}
	m.silences[s.ID] = s
	return nil
}

// Silences lists the stored silences, by id.
func (m *Memory) Silences(_ context.Context) ([]silence.Silence, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]silence.Silence, 0, len(m.silences))
	for _, s := range m.silences {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// UseToken records a token nonce as used; false if it was used before.
func (m *Memory) UseToken(_ context.Context, nonce string, _ time.Time) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.tokens == nil {
		m.tokens = map[string]bool{}
	}
	if m.tokens[nonce] {
		return false, nil
	}
	m.tokens[nonce] = true
	return true, nil
}

func copyMap(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
