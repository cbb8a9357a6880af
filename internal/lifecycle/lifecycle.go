// Package lifecycle is how people work an incident: acknowledge, mitigate, resolve,
// close, re-open, change severity or owner, add notes and links. Every action is checked
// against the allowed transitions (incident.CanTransition), applied with one conditional
// write, recorded on the timeline with who and when, and idempotent: the same request
// (its idempotency key) applied twice changes the incident once.
package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// Store is what the lifecycle needs of a store.
type Store interface {
	Get(ctx context.Context, id string) (incident.Incident, error)
	Change(ctx context.Context, c store.Change) (bool, error)
	AddEntries(ctx context.Context, entries ...incident.Entry) error
	Timeline(ctx context.Context, id string) ([]incident.Entry, error)
	store.Claims
}

var (
	_ Store = (*store.Memory)(nil)
	_ Store = (*store.Dynamo)(nil)
)

// Errors callers branch on (the API maps them to HTTP statuses).
var (
	ErrInvalid  = errors.New("invalid request") // 400
	ErrConflict = errors.New("conflict")        // 409: not allowed from the current state
	ErrNotFound = store.ErrNotFound             // 404
)

// Service applies actions.
type Service struct {
	Store  Store
	Config *config.Config
	Now    func() time.Time
}

// Request identifies who acts and makes retries safe.
type Request struct {
	Incident string
	By       string // the principal: an IAM ARN, "link:<action>" for signed links, a local user
	// Key makes the action idempotent: the same key applied again is a no-op. Empty: a
	// fresh key (no retry protection).
	Key string
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC()
	}
	return s.Now().UTC()
}

// do runs apply once per request key.
func (s *Service) do(ctx context.Context, r Request, action string, apply func(at time.Time, key string) error) (incident.Incident, error) {
	if r.Incident == "" {
		return incident.Incident{}, fmt.Errorf("%w: incident id is required", ErrInvalid)
	}
	if r.By == "" {
		return incident.Incident{}, fmt.Errorf("%w: who is acting is unknown", ErrInvalid)
	}
	if _, err := s.Store.Get(ctx, r.Incident); err != nil {
		return incident.Incident{}, err
	}
	at := s.now()
	key := "api:" + action + ":" + r.Key
	if r.Key == "" {
		key = fmt.Sprintf("api:%s:%d", action, at.UnixNano())
	}
	once := store.Once{Claims: s.Store}
	if _, err := once.Do(ctx, r.Incident, key, func(context.Context) (string, error) { return action, apply(at, key) }); err != nil {
		return incident.Incident{}, err
	}
	return s.Store.Get(ctx, r.Incident)
}

// Transition moves the incident to status to; note is kept on the timeline.
func (s *Service) Transition(ctx context.Context, r Request, to incident.Status, note string) (incident.Incident, error) {
	if !contains(incident.Statuses, to) {
		return incident.Incident{}, fmt.Errorf("%w: status %q is not one of open, acknowledged, mitigated, resolved, closed", ErrInvalid, to)
	}
	return s.do(ctx, r, string(to), func(at time.Time, key string) error {
		cur, err := s.Store.Get(ctx, r.Incident)
		if err != nil {
			return err
		}
		kind := incident.TransitionKind(to)
		detail := fmt.Sprintf("%s by %s", strings.ToUpper(string(kind[:1]))+string(kind[1:]), r.By)
		if note != "" {
			detail += ": " + note
		}
		change := store.Change{Incident: r.Incident, IfStatus: []incident.Status{cur.Status}, Status: to,
			By: r.By, Touch: true, At: at, Entry: incident.Entry{At: at, Kind: kind, Actor: r.By, Detail: detail, Key: key,
				Data: map[string]string{"from": string(cur.Status), "to": string(to)}}}
		if err := incident.CanTransition(cur.Status, to); err != nil {
			if cur.Status == to { // this request's own change, made by an earlier attempt?
				change.Entry.At, change.Entry.Data = cur.StateAt, map[string]string{"to": string(to)}
				if mine, cerr := s.complete(ctx, cur, change); cerr != nil || mine {
					return cerr
				}
			}
			return fmt.Errorf("%w: %w", ErrConflict, err)
		}
		ok, err := s.Store.Change(ctx, change)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("%w: the incident changed meanwhile (it was %s); look again", ErrConflict, cur.Status)
		}
		return nil
	})
}

// SetSeverity changes the severity (up or down).
func (s *Service) SetSeverity(ctx context.Context, r Request, sev incident.Severity, reason string) (incident.Incident, error) {
	if _, err := incident.ParseSeverity(string(sev)); err != nil {
		return incident.Incident{}, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	return s.do(ctx, r, "severity", func(at time.Time, key string) error {
		cur, err := s.Store.Get(ctx, r.Incident)
		if err != nil {
			return err
		}
		detail := fmt.Sprintf("Severity %s → %s by %s", cur.Severity, sev, r.By)
		if reason != "" {
			detail += ": " + reason
		}
		change := store.Change{Incident: r.Incident, IfStatus: incident.From(incident.Resolved), Severity: sev, By: r.By,
			Touch: true, At: at, Entry: incident.Entry{At: at, Kind: incident.KindSeverityChanged, Actor: r.By, Detail: detail, Key: key,
				Data: map[string]string{"from": string(cur.Severity), "to": string(sev)}}}
		if cur.Severity == sev { // nothing to do, unless an earlier attempt did it and lost its entry
			change.Entry.At, change.Entry.Data = cur.SeverityAt, map[string]string{"to": string(sev)}
			_, err := s.complete(ctx, cur, change)
			return err
		}
		return s.active(ctx, change)
	})
}

// SetOwner hands the incident to another team.
func (s *Service) SetOwner(ctx context.Context, r Request, team, reason string) (incident.Incident, error) {
	if s.Config != nil && s.Config.Teams[team] == nil {
		return incident.Incident{}, fmt.Errorf("%w: team %q is not configured (teams: %s)", ErrInvalid, team, strings.Join(s.Config.TeamNames, ", "))
	}
	return s.do(ctx, r, "owner", func(at time.Time, key string) error {
		cur, err := s.Store.Get(ctx, r.Incident)
		if err != nil {
			return err
		}
		detail := fmt.Sprintf("Owner %s → %s by %s", cur.Team, team, r.By)
		if reason != "" {
			detail += ": " + reason
		}
		change := store.Change{Incident: r.Incident, IfStatus: incident.From(incident.Resolved), Team: team, By: r.By,
			Touch: true, At: at, Entry: incident.Entry{At: at, Kind: incident.KindOwnerChanged, Actor: r.By, Detail: detail, Key: key,
				Data: map[string]string{"from": cur.Team, "to": team}}}
		if cur.Team == team { // nothing to do, unless an earlier attempt did it and lost its entry
			change.Entry.At, change.Entry.Data = cur.LastUpdateAt, map[string]string{"to": team}
			_, err := s.complete(ctx, cur, change)
			return err
		}
		return s.active(ctx, change)
	})
}

// complete finishes change c when an earlier attempt of the same request made it and
// lost its timeline entry (the write failed after the incident's, or the answer was
// lost): the incident is already as c asks, and c's entry carries the time the change
// set. c is repeated so that it cannot apply (the incident's state must be older than
// it is), and the store, finding c's key as the incident's last change, writes the
// entry (docs/table.md, Change). Without it the retry found nothing to do and the entry
// was lost. It reports whether the entry is on the timeline: the change is this
// request's. The entry's from is not known any more, and is left out.
func (s *Service) complete(ctx context.Context, cur incident.Incident, c store.Change) (bool, error) {
	c.NotBefore = cur.StateAt.Add(-time.Second)
	if _, err := s.Store.Change(ctx, c); err != nil {
		return false, err
	}
	tl, err := s.Store.Timeline(ctx, c.Incident)
	if err != nil {
		return false, err
	}
	for _, e := range tl {
		if e.Key == c.Entry.Key {
			return true, nil
		}
	}
	return false, nil
}

var notClosed = []incident.Status{incident.Open, incident.Acknowledged, incident.Mitigated, incident.Resolved}

// active applies a change allowed only while the incident is active.
func (s *Service) active(ctx context.Context, c store.Change) error {
	ok, err := s.Store.Change(ctx, c)
	if err == nil && !ok {
		err = fmt.Errorf("%w: only an open, acknowledged or mitigated incident can change this", ErrConflict)
	}
	return err
}

// MaxNote bounds a note.
const MaxNote = 4000

// Note adds a free-text note (an update: it resets the update clock).
func (s *Service) Note(ctx context.Context, r Request, text string) (incident.Incident, error) {
	text = strings.TrimSpace(text)
	if text == "" || len(text) > MaxNote {
		return incident.Incident{}, fmt.Errorf("%w: a note is 1 to %d characters", ErrInvalid, MaxNote)
	}
	return s.do(ctx, r, "note", func(at time.Time, key string) error {
		cur, err := s.Store.Get(ctx, r.Incident)
		if err != nil {
			return err
		}
		if cur.Status == incident.Closed {
			return s.Store.AddEntries(ctx, incident.Entry{Incident: r.Incident, At: at, Kind: incident.KindNote, Actor: r.By, Detail: text, Key: key})
		}
		// An update: the note and the update clock together.
		ok, err := s.Store.Change(ctx, store.Change{Incident: r.Incident, IfStatus: notClosed, Touch: true, At: at,
			Entry: incident.Entry{At: at, Kind: incident.KindNote, Actor: r.By, Detail: text, Key: key}})
		if err == nil && !ok { // closed meanwhile: keep the note all the same
			err = s.Store.AddEntries(ctx, incident.Entry{Incident: r.Incident, At: at, Kind: incident.KindNote, Actor: r.By, Detail: text, Key: key})
		}
		return err
	})
}

// Link attaches a link (a dashboard, a ticket, a chat channel).
func (s *Service) Link(ctx context.Context, r Request, link, title string) (incident.Incident, error) {
	u, err := url.Parse(link)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return incident.Incident{}, fmt.Errorf("%w: link %q is not an http(s) URL", ErrInvalid, link)
	}
	if title == "" {
		title = u.Host
	}
	return s.do(ctx, r, "link", func(at time.Time, key string) error {
		return s.Store.AddEntries(ctx, incident.Entry{Incident: r.Incident, At: at, Kind: incident.KindLink, Actor: r.By,
			Detail: title, Key: key, Data: map[string]string{"url": u.String(), "title": title}})
	})
}

func contains[T comparable](list []T, v T) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
