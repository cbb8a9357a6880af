// Package intake turns raw EventBridge events into recorded, classified, correlated
// incidents: parse → normalise → classify → fingerprint → correlate → record.
//
// It is built for storms and for at-least-once delivery. Events of one batch are grouped
// by fingerprint, so a storm costs a few store requests per fingerprint and batch rather
// than per event; every event is still recorded by id against its incident, so a
// redelivered event changes nothing. Payloads that cannot be parsed are quarantined whole.
package intake

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"time"

	"github.com/firebreak-ops/firebreak/internal/classify"
	"github.com/firebreak-ops/firebreak/internal/event"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// Store is what intake needs of a store.
type Store interface {
	Current(ctx context.Context, fingerprints []string) (map[string]incident.Incident, error)
	Open(ctx context.Context, inc incident.Incident, opened incident.Entry) (incident.Incident, bool, error)
	Record(ctx context.Context, l store.Ledger, refs []store.EventRef) ([]store.EventRef, error)
	Change(ctx context.Context, c store.Change) (bool, error)
	Quarantine(ctx context.Context, q store.Quarantined) error
	KeepLoose(ctx context.Context, fp string, evs []store.Loose) error
	LooseBetween(ctx context.Context, fp string, from, to time.Time) ([]store.Loose, error)
	OpenEarlier(ctx context.Context, id, by string, at time.Time, entry incident.Entry) (bool, error)
	NoteRepeat(ctx context.Context, id string, stateAt time.Time, r store.Repeat) (bool, error)
	Get(ctx context.Context, id string) (incident.Incident, error)
	AddEntries(ctx context.Context, entries ...incident.Entry) error
}

// Classifier classifies normalised events.
type Classifier interface {
	Classify(e event.Event) (classify.Result, error)
}

var (
	_ Store      = (*store.Memory)(nil)
	_ Store      = (*store.Dynamo)(nil)
	_ Classifier = (*classify.Classifier)(nil)
)

// Message is one delivered payload: an SQS message body holding an EventBridge event.
type Message struct {
	ID         string
	Body       []byte
	ReceivedAt time.Time
}

// Kind says what happened to one event.
type Kind string

// Outcomes. Every event of a processed message gets exactly one.
const (
	Opened      Kind = "opened"      // a trigger that opened a new incident
	Repeat      Kind = "repeat"      // a trigger that joined an active incident
	Retriggered Kind = "retriggered" // a trigger that re-opened a mitigated incident
	Mitigated   Kind = "mitigated"   // a recovery that mitigated its incident
	Recovery    Kind = "recovery"    // a recovery recorded on an incident it did not change
	Recorded    Kind = "recorded"    // not part of an incident: counted on its fingerprint
	Duplicate   Kind = "duplicate"   // already recorded: a redelivery, nothing changed
	Quarantined Kind = "quarantined" // unparseable: kept whole
)

// Outcome is the result for one event.
type Outcome struct {
	MessageID   string
	EventID     string
	Time        time.Time
	Kind        Kind
	Class       string
	Severity    incident.Severity // the event's severity (info unless it is a trigger)
	Team        string
	Fingerprint string
	Incident    string // the incident it was recorded against, if any
	Reason      string // why it was quarantined
}

// Report is the result of one batch: outcomes of the events of every message that was
// processed, and the ids of messages that must be delivered again.
type Report struct {
	Outcomes []Outcome
	Retry    []string
}

// Processor runs intake. Safe for concurrent use.
type Processor struct {
	store    Store
	classify Classifier
	now      func() time.Time
	log      *slog.Logger
	// ReopenWithin: a trigger this soon after its incident was resolved re-opens it
	// instead of opening a new one (0: never re-open). Closed incidents never re-open.
	ReopenWithin time.Duration
	// Beats records the heartbeats events beat (heartbeats.go; nil: none configured).
	Beats *Beats
	// complete are the openings whose batch this processor completed (redelivered.go).
	complete openings
}

// New returns a Processor.
func New(s Store, c Classifier, now func() time.Time, log *slog.Logger) *Processor {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Processor{store: s, classify: c, now: now, log: log}
}

type item struct {
	msg string
	ev  event.Event
	res classify.Result
	// adopted: delivered in an earlier batch while nothing was open for its fingerprint,
	// and taken in now by the incident an earlier trigger opened. It has no outcome here.
	adopted bool
	// recorded: the incident's repeat (incident.Incident.Repeat), an earlier batch's
	// trigger placed among this batch's events for their lifecycle alone (lifecycle).
	recorded bool
}

type group struct {
	fp    string
	items []item
}

// lead is the group's first trigger, or its first event when it has none.
func (g *group) lead() event.Event {
	if i := g.firstTrigger(); i >= 0 {
		return g.items[i].ev
	}
	return g.items[0].ev
}

// ProcessParsed is Process for messages already parsed (Parse) and, usually, prepared
// (Prepare): whoever did that ahead (the replay, while it reads) spares intake the work.
func (p *Processor) ProcessParsed(ctx context.Context, msgs []Parsed) (Report, error) {
	var rep Report
	retry := map[string]bool{}
	groups := map[string]*group{}
	beats := map[string]*beat{}
	for _, pm := range msgs {
		if !pm.ready || pm.Err == nil && p.Beats != nil && pm.beats == nil { // not prepared, or before heartbeats were set
			pm.ready = false
			pm = p.Prepare(pm)
		}
		m, err := pm.Message, pm.Err
		if err == nil {
			for i, e := range pm.Events {
				it := item{msg: m.ID, ev: e, res: pm.results[i]}
				if p.Beats != nil {
					p.Beats.latestOf(beats, m.ID, e, pm.beats[i])
				}
				g := groups[it.res.Fingerprint]
				if g == nil {
					g = &group{fp: it.res.Fingerprint}
					groups[g.fp] = g
				}
				g.items = append(g.items, it)
			}
			continue
		}
		q := store.Quarantined{MessageID: m.ID, ReceivedAt: m.ReceivedAt, Reason: err.Error(), Payload: m.Body}
		if qerr := p.store.Quarantine(ctx, q); qerr != nil {
			p.log.ErrorContext(ctx, "quarantine failed; message will be retried", "message_id", m.ID, "error", qerr)
			retry[m.ID] = true
			continue
		}
		p.log.WarnContext(ctx, "event quarantined", "message_id", m.ID, "reason", err.Error(), "bytes", len(m.Body))
		rep.Outcomes = append(rep.Outcomes, Outcome{MessageID: m.ID, Time: m.ReceivedAt, Kind: Quarantined, Reason: err.Error()})
	}

	fps := make([]string, 0, len(groups))
	var incidentFPs []string
	for fp, g := range groups {
		fps = append(fps, fp)
		for _, it := range g.items {
			if it.res.IncidentClass {
				incidentFPs = append(incidentFPs, fp)
				break
			}
		}
		sort.SliceStable(g.items, func(i, j int) bool {
			a, b := g.items[i].ev, g.items[j].ev
			if !a.Time.Equal(b.Time) {
				return a.Time.Before(b.Time)
			}
			return a.ID < b.ID
		})
	}
	// Fingerprints are correlated in the order of their first trigger (else first event),
	// so that incidents a batch opens are written, and reach dispatch, in event-time
	// order: grouping puts an incident under the first of its group dispatch already knows.
	sort.Slice(fps, func(i, j int) bool {
		a, b := groups[fps[i]].lead(), groups[fps[j]].lead()
		if !a.Time.Equal(b.Time) {
			return a.Time.Before(b.Time)
		}
		return fps[i] < fps[j]
	})
	sort.Strings(incidentFPs)

	var current map[string]incident.Incident
	if len(incidentFPs) > 0 {
		var err error
		if current, err = p.current(ctx, incidentFPs); err != nil {
			if ctx.Err() != nil {
				return rep, ctx.Err()
			}
			p.log.ErrorContext(ctx, "read current incidents failed; retrying their messages", "error", err)
			current = nil
			for _, fp := range incidentFPs {
				for _, it := range groups[fp].items {
					retry[it.msg] = true
				}
				delete(groups, fp)
			}
		}
	}
	kept := map[string][]item{}
	for _, fp := range fps {
		g := groups[fp]
		if g == nil {
			continue
		}
		out, k, err := p.correlate(ctx, g, current)
		if len(k) > 0 && err == nil {
			kept[fp] = k
		}
		if err != nil {
			if ctx.Err() != nil {
				return rep, ctx.Err()
			}
			if out, ok := p.reject(ctx, g, err); ok { // fails the same way every time: rejected.go
				rep.Outcomes = append(rep.Outcomes, out...)
				continue
			}
			p.log.ErrorContext(ctx, "record fingerprint failed; retrying its messages", "fingerprint", fp, "error", err)
			for _, it := range g.items {
				retry[it.msg] = true
			}
			continue
		}
		rep.Outcomes = append(rep.Outcomes, out...)
	}
	if err := p.recheckLoose(ctx, kept, retry); err != nil && ctx.Err() != nil {
		return rep, ctx.Err()
	}
	p.recordBeats(ctx, beats, retry)
	// A message is retried whole: drop outcomes of its other events (they are recorded
	// and will come back as duplicates).
	if len(retry) > 0 {
		kept := rep.Outcomes[:0]
		for _, o := range rep.Outcomes {
			if !retry[o.MessageID] {
				kept = append(kept, o)
			}
		}
		rep.Outcomes = kept
		for id := range retry {
			rep.Retry = append(rep.Retry, id)
		}
		sort.Strings(rep.Retry)
	}
	return rep, nil
}

// open opens the next incident of the fingerprint with it as the opening event. If a
// racing writer opened it first, the stored incident is joined instead.
func (p *Processor) open(ctx context.Context, fp string, it item, prev incident.Incident, hasPrev bool) (incident.Incident, error) {
	seq := 1
	if hasPrev {
		seq = prev.Seq + 1
	}
	for attempt := 0; attempt < 5; attempt, seq = attempt+1, seq+1 {
		e, r := it.ev, it.res
		inc := incident.Incident{
			ID: incident.ID(fp, seq), Seq: seq, Fingerprint: fp, Class: r.Class, Title: r.Title, Severity: r.Severity,
			Team: r.Team, Impact: r.Impact, Runbook: r.Runbook, Status: incident.Open, Source: e.Source,
			Account: e.Account, Region: e.Region, Resource: e.Resource, OpenedBy: e.ID, OpenedAt: e.Time, StateAt: e.Time,
			Actor: e.Actor, Attrs: e.Attrs, Tags: e.Tags,
			AccountName: r.AccountName, Client: r.Client, Environment: r.Environment, Tier: r.Tier, AccountReason: r.AccountReason,
		}
		entry := incident.Entry{Incident: inc.ID, At: e.Time, Kind: incident.KindOpened, Actor: e.Actor,
			Detail: fmt.Sprintf("Opened %s %s for %s: %s", r.Severity, r.Class, r.Team, e.Summary),
			Key:    string(incident.KindOpened) + ":" + e.ID, Data: map[string]string{"event_id": e.ID, "severity": string(r.Severity), "team": r.Team}}
		if r.AccountReason != "" { // why the account directory shaped it (internal/accounts)
			entry.Detail += " (" + r.AccountReason + ")"
			entry.Data[incident.DataAccountReason] = r.AccountReason
		}
		got, created, err := p.store.Open(ctx, inc, entry)
		if err != nil {
			return incident.Incident{}, err
		}
		if created {
			p.log.InfoContext(ctx, "incident opened", "incident", got.ID, "severity", got.Severity, "team", got.Team, "class", got.Class, "event_id", e.ID)
		}
		if got.Status.Active() {
			return got, nil
		}
	}
	return incident.Incident{}, errors.New("open incident: every candidate sequence is already resolved")
}

// recordLoose records events that no incident takes on their fingerprint's ledger. With
// keep (events of an incident class), they are also kept by event time, so that an
// incident opened later by an earlier trigger takes them in.
func (p *Processor) recordLoose(ctx context.Context, fp string, items []item, outcome func(item, Kind, string) Outcome, keep bool) ([]Outcome, error) {
	refs := make([]store.EventRef, len(items))
	for i, it := range items {
		refs[i] = store.EventRef{ID: it.ev.ID, Time: it.ev.Time, Signal: it.ev.Signal}
	}
	if keep {
		evs := make([]store.Loose, len(items))
		for i, it := range items {
			evs[i] = store.Loose{ID: it.ev.ID, Time: it.ev.Time, Signal: it.ev.Signal, Summary: it.ev.Summary, Actor: it.ev.Actor}
		}
		if err := p.store.KeepLoose(ctx, fp, evs); err != nil {
			return nil, err
		}
	}
	added, err := p.store.Record(ctx, store.Ledger{Fingerprint: fp}, refs)
	if err != nil {
		return nil, err
	}
	isNew := make(map[string]bool, len(added))
	for _, r := range added {
		isNew[r.ID] = true
	}
	out := make([]Outcome, len(items))
	for i, it := range items {
		k := Recorded
		if !isNew[it.ev.ID] {
			k = Duplicate
		}
		delete(isNew, it.ev.ID)
		out[i] = outcome(it, k, "")
	}
	return out, nil
}

// recheckLoose closes the race between keeping events loose and opening an incident.
// An opener takes in the loose events of its fingerprint right after it opens (adopt);
// events kept loose by another worker after that read would never reach the incident.
// So, after keeping them, the fingerprints' current incidents are read once more (one
// read for the whole batch, only when something was kept): an event an active incident
// would now take (at or after its opening) has its message delivered again, and the
// redelivery records it on the incident and applies it. Both orders are covered: either
// the opener's read saw the kept event, or this read sees the opened incident (both may
// happen; the ledger makes the second recording a duplicate). A failed read retries the
// kept events' messages: their redelivery is idempotent.
func (p *Processor) recheckLoose(ctx context.Context, kept map[string][]item, retry map[string]bool) error {
	if len(kept) == 0 {
		return nil
	}
	fps := make([]string, 0, len(kept))
	for fp := range kept {
		fps = append(fps, fp)
	}
	sort.Strings(fps)
	current, err := p.current(ctx, fps)
	if err != nil {
		p.log.ErrorContext(ctx, "re-read current incidents after keeping loose events failed; retrying their messages", "error", err)
		for _, items := range kept {
			for _, it := range items {
				retry[it.msg] = true
			}
		}
		return err
	}
	for _, fp := range fps {
		inc, ok := current[fp]
		if !ok || !inc.Status.Active() {
			continue
		}
		for _, it := range kept[fp] {
			if !before(it.ev, inc.OpenedAt, inc.OpenedBy) && !retry[it.msg] {
				p.log.InfoContext(ctx, "incident opened while its event was kept loose; retrying the message", "fingerprint", fp, "incident", inc.ID, "event_id", it.ev.ID, "message_id", it.msg)
				retry[it.msg] = true
			}
		}
	}
	return nil
}

// currentTries is how often the batch's read of its fingerprints' current incidents is
// tried before the batch's messages are retried.
const currentTries = 3

// current reads the fingerprints' current incidents. The read gates every message of
// the batch (up to the batch size, 100 in the stack): one failure would send them all
// back to the queue, each to be received again and count toward the DLQ, so a failed
// read is tried again in place, a little later, up to currentTries times (a read
// changes nothing, so trying it again is always safe).
func (p *Processor) current(ctx context.Context, fps []string) (map[string]incident.Incident, error) {
	var err error
	wait := 20 * time.Millisecond
	for i := range currentTries {
		var cur map[string]incident.Incident
		if cur, err = p.store.Current(ctx, fps); err == nil || ctx.Err() != nil || i == currentTries-1 {
			return cur, err
		}
		p.log.WarnContext(ctx, "read current incidents failed; trying again", "error", err)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, err
		case <-t.C:
		}
		wait *= 2
	}
	return nil, err
}

// openEarlier moves the incident's opening to it, a trigger that happened before the
// event that opened it but arrived after.
func (p *Processor) openEarlier(ctx context.Context, inc *incident.Incident, it item) error {
	e := it.ev
	entry := earlierEntry(*inc, e)
	entry.Detail += fmt.Sprintf(" (it arrived after %s, which happened %s later)", inc.OpenedBy, inc.OpenedAt.Sub(e.Time).Round(time.Second))
	entry.Data["replaces"] = inc.OpenedBy
	if _, err := p.store.OpenEarlier(ctx, inc.ID, e.ID, e.Time, entry); err != nil {
		return err
	}
	p.log.InfoContext(ctx, "incident opened earlier", "incident", inc.ID, "event_id", e.ID, "was", inc.OpenedBy)
	inc.OpenedAt, inc.OpenedBy = e.Time, e.ID
	return nil
}

// earlierEntry is the "opened" entry of inc's opening moved to e, an earlier trigger.
func earlierEntry(inc incident.Incident, e event.Event) incident.Entry {
	return incident.Entry{Incident: inc.ID, At: e.Time, Kind: incident.KindOpened, Actor: e.Actor,
		Detail: fmt.Sprintf("Opened %s earlier than first recorded: %s", inc.Severity, e.Summary),
		Key:    string(incident.KindOpened) + ":" + e.ID,
		Data:   map[string]string{"event_id": e.ID, "severity": string(inc.Severity), "team": inc.Team}}
}

// adopt adds to items the loose events of the fingerprint with from <= time < to (zero
// to: no bound) that the batch does not hold, in event-time order.
func (p *Processor) adopt(ctx context.Context, fp string, from, to time.Time, items []item) ([]item, error) {
	evs, err := p.store.LooseBetween(ctx, fp, from, to)
	if err != nil {
		return nil, err
	}
	if len(evs) == 0 {
		return items, nil
	}
	have := make(map[string]bool, len(items))
	for _, it := range items {
		have[it.ev.ID] = true
	}
	n := len(items)
	for _, e := range evs {
		if have[e.ID] {
			continue
		}
		items = append(items, item{adopted: true,
			ev: event.Event{ID: e.ID, Time: e.Time, Signal: e.Signal, Summary: e.Summary, Actor: e.Actor}})
	}
	if len(items) == n {
		return items, nil
	}
	sort.SliceStable(items, func(i, j int) bool { return before(items[i].ev, items[j].ev.Time, items[j].ev.ID) })
	return items, nil
}

// before reports whether e sorts before the event (t, id) in event-time order.
func before(e event.Event, t time.Time, id string) bool {
	if !e.Time.Equal(t) {
		return e.Time.Before(t)
	}
	return e.ID < id
}

// recordBeats records the batch's latest beat of each heartbeat; a failure retries the
// message it came in (recording it again changes nothing).
func (p *Processor) recordBeats(ctx context.Context, beats map[string]*beat, retry map[string]bool) {
	names := make([]string, 0, len(beats))
	for name := range beats {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		b := beats[name]
		if err := p.Beats.record(ctx, b.h, b.ev.Time, b.ev.ID); err != nil {
			p.log.ErrorContext(ctx, "heartbeat not recorded; retrying its message", "heartbeat", name, "event_id", b.ev.ID, "error", err)
			retry[b.msg] = true
		}
	}
}
