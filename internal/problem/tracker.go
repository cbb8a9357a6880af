package problem

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/metrics"
)

// TrackerStore is what the tracker needs of a store.
type TrackerStore interface {
	Recur(ctx context.Context, fp string, apply func(*Recurrence) bool) (Recurrence, error)
	CreateProblem(ctx context.Context, p Problem, opened Entry) (Problem, bool, error)
	UpdateProblem(ctx context.Context, id string, apply func(*Problem) error, entry Entry) (Problem, error)
	LinkIncident(ctx context.Context, id, incidentID string, at time.Time) (bool, error)
	AddProblemEntries(ctx context.Context, entries ...Entry) error
	AddEntries(ctx context.Context, entries ...incident.Entry) error
}

// Sender tells a team that a problem opened, returning the message's id
// (notify.ProblemTeller is one). It is narrow so that this package, which the store
// imports, links no notifier: intake, which tells nobody, links no SNS client.
type Sender interface {
	TellProblemOpened(ctx context.Context, team string, inc incident.Incident, message string) (string, error)
}

// Tracker counts each fingerprint's recurrences and opens a problem when its rule
// matches. Dispatch calls it for every incident opened or re-opened; it is idempotent,
// so redelivered stream records change nothing, and it decides from the set of
// occurrences alone, so their order does not matter either.
type Tracker struct {
	Store TrackerStore
	// Sender tells a problem's owner team once that it opened (nil: recorded, not told).
	Sender Sender
	// Rule is the recurrence rule of an incident class.
	Rule func(class string) Rule
	// Permanent reports a send failure retrying cannot fix (recorded, not retried);
	// nil: every failure is retried.
	Permanent func(error) bool
	// Once sends the opening notice exactly once (store.Once; package store imports
	// this one, so it is given, not made here).
	Once Once
	// Record tries again in place an idempotent write that records a notice already
	// sent (store.Record; nil: written once).
	Record func(ctx context.Context, write func() error) error
	Log    *slog.Logger
	// Metrics counts problems opened (MetricProblemsOpened, by Team); nil: not counted.
	Metrics *metrics.Writer
}

// MetricProblemsOpened is the EMF metric of problems opened by recurrence.
const MetricProblemsOpened = "ProblemsOpened"

// Link says which problem an incident belongs to ("" : none) and, for its notices,
// what to tell of it.
type Link struct {
	Problem string
	Opened  bool // this occurrence opened the problem
	Note    string
}

// Actor of everything the tracker records.
const Actor = "firebreak"

const notifyKey = "notify:problem-opened"

// Recur records an occurrence of inc's fingerprint: its opening (reopenedAt zero) or its
// re-opening at reopenedAt. If the fingerprint has, or now makes, an open problem that
// explains the occurrence, the incident is linked to it.
func (t *Tracker) Recur(ctx context.Context, inc incident.Incident, reopenedAt time.Time) (Link, error) {
	if inc.Fingerprint == "" || inc.ID == "" {
		return Link{}, fmt.Errorf("problem recurrence: incident %q has no fingerprint", inc.ID)
	}
	occ := Occurrence{Incident: inc.ID, At: inc.OpenedAt.UTC()}
	if !reopenedAt.IsZero() {
		occ = Occurrence{Incident: inc.ID, At: reopenedAt.UTC(), Reopen: true}
	}
	rule := t.Rule(inc.Class)
	fp := inc.Fingerprint
	rec, err := t.Store.Recur(ctx, fp, func(r *Recurrence) bool {
		changed := r.Add(occ)
		m, ok := r.Qualifies(rule)
		switch {
		case r.Open == "" && ok:
			r.Seq++
			r.Open, r.LinkedFrom = RecurringID(fp, r.Seq), time.Time{}
		case r.Open != "" && ok && (!m.Start.Equal(r.Start) || !m.At.Equal(r.At) || m.Why != r.Why):
			// An occurrence from before the match arrived late: the match is earlier.
		default:
			return changed
		}
		r.Start, r.At, r.Why = m.Start, m.At, m.Why
		return true
	})
	if err != nil {
		return Link{}, fmt.Errorf("problem recurrence of %s: %w", inc.ID, err)
	}
	if rec.Open == "" {
		return Link{}, nil
	}
	p := Problem{ID: rec.Open, Title: RecurringTitle(fp), Status: Open, Team: inc.Team, Fingerprint: fp,
		Reason: rec.Why, OpenedAt: rec.At, OpenedBy: Actor}
	stored, created, err := t.Store.CreateProblem(ctx, p, openedEntry(p))
	if err != nil {
		return Link{}, fmt.Errorf("open problem %s: %w", p.ID, err)
	}
	if created {
		t.log().InfoContext(ctx, "problem opened", "problem", p.ID, "fingerprint", fp, "team", p.Team, "reason", p.Reason)
		if err := t.Metrics.Emit(p.OpenedAt, map[string]string{"Team": p.Team}, map[string]int{MetricProblemsOpened: 1}); err != nil {
			t.log().WarnContext(ctx, "metrics not written", "error", err)
		}
	} else if occ.At.Equal(stored.OpenedAt) {
		// The occurrence that opened it, again: its delivery that created the problem
		// may have failed before the opening entry was written (the store writes it
		// only when it creates the problem), and no other occurrence would write it.
		if err := t.Store.AddProblemEntries(ctx, openedEntry(stored)); err != nil {
			return Link{}, fmt.Errorf("open problem %s: %w", p.ID, err)
		}
	}
	if !rec.At.IsZero() && (!stored.OpenedAt.Equal(rec.At) || stored.Reason != rec.Why) {
		// The match moved earlier since it opened: the problem opened then, for that reason.
		if stored, err = t.Store.UpdateProblem(ctx, stored.ID, func(q *Problem) error {
			q.OpenedAt, q.Reason = rec.At, rec.Why
			return nil
		}, Entry{}); err != nil {
			return Link{}, fmt.Errorf("problem %s: %w", p.ID, err)
		}
	}
	explained := rec.Explained(rec.Start)
	linked := !occ.At.Before(rec.Start) && occ.At.After(rec.Since)
	if rec.LinkedFrom.IsZero() || rec.Start.Before(rec.LinkedFrom) {
		for _, id := range explained {
			if err := t.link(ctx, stored, id, firstAt(rec, id)); err != nil {
				return Link{}, err
			}
		}
		start := rec.Start
		if _, err := t.Store.Recur(ctx, fp, func(r *Recurrence) bool {
			if r.Open != stored.ID || !r.Start.Equal(start) || r.LinkedFrom.Equal(start) {
				return false
			}
			r.LinkedFrom = start
			return true
		}); err != nil {
			return Link{}, fmt.Errorf("problem %s: record links: %w", stored.ID, err)
		}
	} else if linked {
		if err := t.link(ctx, stored, inc.ID, firstAt(rec, inc.ID)); err != nil {
			return Link{}, err
		}
	}
	if err := t.tell(ctx, stored, inc, explained); err != nil {
		return Link{}, err
	}
	if !linked {
		return Link{}, nil
	}
	return Link{Problem: stored.ID, Opened: created, Note: fmt.Sprintf("Part of problem %s: %s (%d incidents since %s). See: firebreak problems show %s",
		stored.ID, stored.Reason, len(explained), rec.Start.UTC().Format("2006-01-02 15:04 UTC"), stored.ID)}, nil
}

// openedEntry is the opening entry of a problem opened by recurrence.
func openedEntry(p Problem) Entry {
	return Entry{Problem: p.ID, At: p.OpenedAt, Kind: incident.KindProblemOpened, Actor: Actor,
		Key: "opened", Detail: fmt.Sprintf("Opened: %s (%s).", p.Reason, p.Fingerprint), Data: map[string]string{"fingerprint": p.Fingerprint}}
}

// firstAt is the incident's first occurrence kept on rec.
func firstAt(rec Recurrence, id string) time.Time {
	for _, o := range rec.Occurrences {
		if o.Incident == id {
			return o.At
		}
	}
	return time.Time{}
}

// link links the incident to p and says so on both timelines, stamped at the later of
// the problem's opening and the incident's occurrence (deterministic: a retry writes
// the same entries, which are kept once).
func (t *Tracker) link(ctx context.Context, p Problem, id string, occurred time.Time) error {
	at := p.OpenedAt
	if occurred.After(at) {
		at = occurred
	}
	if _, err := t.Store.LinkIncident(ctx, p.ID, id, at); err != nil {
		return fmt.Errorf("link %s to problem %s: %w", id, p.ID, err)
	}
	if err := t.Store.AddProblemEntries(ctx, Entry{Problem: p.ID, At: at, Kind: incident.KindProblemIncident, Actor: Actor,
		Key: "incident:" + id, Detail: "Explains incident " + id + ".", Data: map[string]string{"incident": id}}); err != nil {
		return fmt.Errorf("problem %s: %w", p.ID, err)
	}
	err := t.Store.AddEntries(ctx, incident.Entry{Incident: id, At: at, Kind: incident.KindProblemLinked, Actor: Actor,
		Key: string(incident.KindProblemLinked) + ":" + p.ID, Detail: fmt.Sprintf("Linked to problem %s: %s.", p.ID, p.Reason),
		Data: map[string]string{incident.DataProblem: p.ID}})
	if err != nil {
		return fmt.Errorf("incident %s: problem link entry: %w", id, err)
	}
	return nil
}

// tell tells the problem's owner team that it opened, exactly once (t.Once, as
// dispatch does for incidents): sent, then recorded on the problem's timeline. A notice
// that can never be sent (Permanent) is recorded as failed and not retried.
func (t *Tracker) tell(ctx context.Context, p Problem, inc incident.Incident, explained []string) error {
	if t.Sender == nil {
		return nil
	}
	if t.Once == nil {
		return fmt.Errorf("tell %s of problem %s: the tracker has no Once to send it exactly once", p.Team, p.ID)
	}
	_, err := t.Once.Do(ctx, p.ID, notifyKey, func(ctx context.Context) (string, error) {
		msg := fmt.Sprintf("Problem %s opened: %s. It explains %s. Find its cause: firebreak problems show %s",
			p.ID, p.Reason, strings.Join(explained, ", "), p.ID)
		id, err := t.Sender.TellProblemOpened(ctx, p.Team, inc, msg)
		entry := Entry{Problem: p.ID, At: p.OpenedAt, Kind: incident.KindProblemNotified, Actor: Actor, Key: notifyKey,
			Detail: fmt.Sprintf("Told %s that the problem opened.", p.Team), Data: map[string]string{"team": p.Team, "message_id": id}}
		if err != nil {
			if t.Permanent == nil || !t.Permanent(err) {
				return "", fmt.Errorf("tell %s of problem %s: %w", p.Team, p.ID, err)
			}
			t.log().ErrorContext(ctx, "problem notice failed for good; not retried", "problem", p.ID, "team", p.Team, "error", err)
			entry.Detail, entry.Data = fmt.Sprintf("Could not tell %s that the problem opened: %v.", p.Team, err), map[string]string{"team": p.Team, "error": err.Error()}
			id = "failed"
		}
		// Sent: the entry is tried again in place, since failing here would release the
		// claim and send the notice again.
		if err := t.record(ctx, func() error { return t.Store.AddProblemEntries(ctx, entry) }); err != nil {
			return "", err
		}
		return id, nil
	})
	return err
}

func (t *Tracker) record(ctx context.Context, write func() error) error {
	if t.Record == nil {
		return write()
	}
	return t.Record(ctx, write)
}

func (t *Tracker) log() *slog.Logger {
	if t.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return t.Log
}

// RecurringTitle names a recurring problem after its fingerprint (class, subject,
// account, region): the same whichever incident happened to open it.
func RecurringTitle(fp string) string {
	parts := strings.SplitN(fp, "|", 4)
	if len(parts) != 4 {
		return "Recurring: " + fp
	}
	return fmt.Sprintf("Recurring %s: %s (%s, %s)", parts[0], parts[3], parts[1], parts[2])
}

// Once does an action at most once however often it is asked (store.Once).
type Once interface {
	Do(ctx context.Context, id, key string, act func(ctx context.Context) (result string, err error)) (ran bool, err error)
}
