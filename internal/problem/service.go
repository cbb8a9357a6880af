package problem

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/firebreak-ops/firebreak/internal/incident"
)

// ServiceStore is what people's changes to problems need of a store.
type ServiceStore interface {
	Recur(ctx context.Context, fp string, apply func(*Recurrence) bool) (Recurrence, error)
	CreateProblem(ctx context.Context, p Problem, opened Entry) (Problem, bool, error)
	GetProblem(ctx context.Context, id string) (Problem, error)
	UpdateProblem(ctx context.Context, id string, apply func(*Problem) error, entry Entry) (Problem, error)
	LinkIncident(ctx context.Context, id, incidentID string, at time.Time) (bool, error)
	AddProblemEntries(ctx context.Context, entries ...Entry) error
	Get(ctx context.Context, id string) (incident.Incident, error)
	AddEntries(ctx context.Context, entries ...incident.Entry) error
}

// Service is what people do to problems (the API and the CLI call it): open one by hand,
// link incidents, move it through its lifecycle, record notes, root cause, workaround
// and actions.
type Service struct {
	Store ServiceStore
	// Actions lists the problem's tracked actions: resolving it is refused while any is
	// open (nil: actions are not consulted).
	Actions ActionLister
	Now     func() time.Time
}

// ErrInvalid is matched by every refusal of bad input.
var ErrInvalid = errors.New("invalid problem request")

// OpenRequest opens a problem by hand.
type OpenRequest struct {
	Title     string
	Team      string
	Reason    string
	Incidents []string // any incidents, of any fingerprints
	By        string
}

// Open opens a problem by hand linking the incidents (each must exist). Asked twice in
// the same second with the same title, it opens one problem.
func (s *Service) Open(ctx context.Context, r OpenRequest) (Problem, error) {
	r.Title, r.Team = strings.TrimSpace(r.Title), strings.TrimSpace(r.Team)
	if r.Title == "" {
		return Problem{}, fmt.Errorf("%w: title: required", ErrInvalid)
	}
	if r.Team == "" {
		return Problem{}, fmt.Errorf("%w: team: required (the owner of the problem)", ErrInvalid)
	}
	incs, err := s.incidents(ctx, r.Incidents)
	if err != nil {
		return Problem{}, err
	}
	now := s.Now().UTC()
	p := Problem{ID: ManualID(r.Title, now), Title: r.Title, Status: Open, Team: r.Team, Reason: r.Reason,
		OpenedAt: now, OpenedBy: r.By}
	detail := "Opened by hand"
	if r.Reason != "" {
		detail += ": " + r.Reason
	}
	stored, _, err := s.Store.CreateProblem(ctx, p, Entry{Problem: p.ID, At: now, Kind: incident.KindProblemOpened, Actor: r.By, Key: "opened", Detail: detail + "."})
	if err != nil {
		return Problem{}, fmt.Errorf("open problem: %w", err)
	}
	if err := s.link(ctx, stored, incs, r.By, now); err != nil {
		return Problem{}, err
	}
	return s.Store.GetProblem(ctx, stored.ID)
}

// incidents reads the incidents named, refusing unknown ones by name.
func (s *Service) incidents(ctx context.Context, ids []string) ([]incident.Incident, error) {
	var out []incident.Incident
	seen := map[string]bool{}
	for _, id := range ids {
		id = strings.TrimSpace(id)
		if id == "" || seen[id] {
			continue
		}
		seen[id] = true
		inc, err := s.Store.Get(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("%w: incident %s: %w", ErrInvalid, id, err)
		}
		out = append(out, inc)
	}
	return out, nil
}

func (s *Service) link(ctx context.Context, p Problem, incs []incident.Incident, by string, at time.Time) error {
	for _, inc := range incs {
		if _, err := s.Store.LinkIncident(ctx, p.ID, inc.ID, at); err != nil {
			return fmt.Errorf("link %s to problem %s: %w", inc.ID, p.ID, err)
		}
		if err := s.Store.AddProblemEntries(ctx, Entry{Problem: p.ID, At: at, Kind: incident.KindProblemIncident, Actor: by,
			Key: "incident:" + inc.ID, Detail: "Explains incident " + inc.ID + ".", Data: map[string]string{"incident": inc.ID}}); err != nil {
			return err
		}
		eAt := at
		if eAt.Before(inc.OpenedAt) {
			eAt = inc.OpenedAt
		}
		if err := s.Store.AddEntries(ctx, incident.Entry{Incident: inc.ID, At: eAt, Kind: incident.KindProblemLinked, Actor: by,
			Key: string(incident.KindProblemLinked) + ":" + p.ID, Detail: fmt.Sprintf("Linked to problem %s: %s.", p.ID, p.Title),
			Data: map[string]string{incident.DataProblem: p.ID}}); err != nil {
			return err
		}
	}
	return nil
}

// Link links more incidents to a problem.
func (s *Service) Link(ctx context.Context, id string, incidents []string, by string) (Problem, error) {
	p, err := s.Store.GetProblem(ctx, id)
	if err != nil {
		return Problem{}, err
	}
	if len(incidents) == 0 {
		return Problem{}, fmt.Errorf("%w: incidents: name at least one incident to link", ErrInvalid)
	}
	incs, err := s.incidents(ctx, incidents)
	if err != nil {
		return Problem{}, err
	}
	if err := s.link(ctx, p, incs, by, s.Now().UTC()); err != nil {
		return Problem{}, err
	}
	return s.Store.GetProblem(ctx, id)
}

// SetStatus moves a problem through its lifecycle. Resolving it is refused, with the
// incidents named, while any incident it explains is still active, and, with the actions
// named, while any of its tracked actions is open (see ActionsOf).
func (s *Service) SetStatus(ctx context.Context, id string, to Status, by, reason string) (Problem, error) {
	p, err := s.Store.GetProblem(ctx, id)
	if err != nil {
		return Problem{}, err
	}
	if err := CanTransition(p.Status, to); err != nil {
		if p.Status == Resolved && to == Resolved {
			// Resolved already, perhaps by an earlier attempt of this request that failed
			// after the problem's write: finish what it left.
			if cerr := s.completeResolution(ctx, p, by); cerr != nil {
				return Problem{}, cerr
			}
		}
		return Problem{}, err
	}
	if to == Resolved {
		var active []string
		for _, incID := range p.Incidents {
			inc, err := s.Store.Get(ctx, incID)
			if err != nil {
				return Problem{}, fmt.Errorf("resolve problem %s: incident %s: %w", id, incID, err)
			}
			if inc.Status.Active() {
				active = append(active, fmt.Sprintf("%s (%s)", incID, inc.Status))
			}
		}
		if len(active) > 0 {
			return Problem{}, fmt.Errorf("%w: problem %s cannot be resolved while the incidents it explains are active: %s; resolve them first",
				ErrActiveIncidents, id, strings.Join(active, ", "))
		}
		if s.Actions != nil {
			acts, err := ActionsOf(ctx, s.Actions, p)
			if err != nil {
				return Problem{}, fmt.Errorf("resolve problem %s: %w", id, err)
			}
			if err := openActionsErr(id, acts, s.Now().UTC()); err != nil {
				return Problem{}, err
			}
		}
	}
	now := s.Now().UTC()
	detail := fmt.Sprintf("Status %s → %s.", p.Status, to)
	if reason != "" {
		detail = fmt.Sprintf("Status %s → %s: %s", p.Status, to, reason)
	}
	out, err := s.Store.UpdateProblem(ctx, id, func(q *Problem) error {
		if err := CanTransition(q.Status, to); err != nil {
			return err
		}
		q.Status = to
		if to == Resolved {
			q.ResolvedAt = now
		} else {
			q.ResolvedAt = time.Time{}
		}
		return nil
	}, Entry{At: now, Kind: incident.KindProblemStatus, Actor: by, Key: "status:" + string(to) + ":" + now.Format(time.RFC3339Nano),
		Detail: detail, Data: map[string]string{"from": string(p.Status), "to": string(to)}})
	if err != nil {
		return Problem{}, err
	}
	if to == Resolved {
		if err := s.release(ctx, out); err != nil {
			return Problem{}, err
		}
	}
	return out, nil
}

// NoteRequest records a note, and optionally the root cause, the workaround or action ids.
type NoteRequest struct {
	Text       string
	RootCause  string
	Workaround string
	Actions    []string // tracked action ids (package action) to file against the problem
	By         string
}

// Note records r on the problem and its timeline.
func (s *Service) Note(ctx context.Context, id string, r NoteRequest) (Problem, error) {
	r.Text, r.RootCause, r.Workaround = strings.TrimSpace(r.Text), strings.TrimSpace(r.RootCause), strings.TrimSpace(r.Workaround)
	if r.Text == "" && r.RootCause == "" && r.Workaround == "" && len(r.Actions) == 0 {
		return Problem{}, fmt.Errorf("%w: note: give a text, a root cause, a workaround or actions", ErrInvalid)
	}
	now := s.Now().UTC()
	var parts []string
	data := map[string]string{}
	if r.Text != "" {
		parts = append(parts, r.Text)
	}
	if r.RootCause != "" {
		parts, data["root_cause"] = append(parts, "Root cause: "+r.RootCause), r.RootCause
	}
	if r.Workaround != "" {
		parts, data["workaround"] = append(parts, "Workaround: "+r.Workaround), r.Workaround
	}
	if len(r.Actions) > 0 {
		parts, data["actions"] = append(parts, "Actions: "+strings.Join(r.Actions, ", ")), strings.Join(r.Actions, ",")
	}
	return s.Store.UpdateProblem(ctx, id, func(p *Problem) error {
		if r.RootCause != "" {
			p.RootCause = r.RootCause
		}
		if r.Workaround != "" {
			p.Workaround = r.Workaround
		}
		for _, a := range r.Actions {
			if a = strings.TrimSpace(a); a != "" && !slices.Contains(p.Actions, a) {
				p.Actions = append(p.Actions, a)
			}
		}
		return nil
	}, Entry{At: now, Kind: incident.KindProblemNote, Actor: r.By, Key: "note:" + now.Format(time.RFC3339Nano),
		Detail: strings.Join(parts, " "), Data: data})
}

// LinkAction files a tracked action against a problem (package action calls it).
func (s *Service) LinkAction(ctx context.Context, id, actionID, by string) (Problem, error) {
	return s.Note(ctx, id, NoteRequest{Actions: []string{actionID}, By: by})
}

// release frees the fingerprint of resolved problem p: its recurrences are explained,
// so a later recurrence counts from here and opens a new problem. It changes nothing
// when the fingerprint is free already or held by another problem.
func (s *Service) release(ctx context.Context, p Problem) error {
	if p.Fingerprint == "" {
		return nil
	}
	if _, err := s.Store.Recur(ctx, p.Fingerprint, func(r *Recurrence) bool {
		if r.Open != p.ID {
			return false
		}
		r.Open, r.Start, r.LinkedFrom = "", time.Time{}, time.Time{}
		if n := len(r.Occurrences); n > 0 && r.Occurrences[n-1].At.After(r.Since) {
			r.Since = r.Occurrences[n-1].At
		}
		return true
	}); err != nil {
		return fmt.Errorf("resolve problem %s: recurrence: %w", p.ID, err)
	}
	return nil
}

// completeResolution finishes the resolution of p when the attempt that resolved it
// failed after the problem's write: its status entry (keyed by the resolution's time,
// so written once; the status it came from is not known any more) and the release of
// its fingerprint. Without it a retried resolution found the problem resolved and
// stopped, and the fingerprint stayed held: its later recurrences were counted on the
// resolved problem and never opened a new one.
func (s *Service) completeResolution(ctx context.Context, p Problem, by string) error {
	if !p.ResolvedAt.IsZero() {
		if err := s.Store.AddProblemEntries(ctx, Entry{Problem: p.ID, At: p.ResolvedAt, Kind: incident.KindProblemStatus, Actor: by,
			Key: "status:" + string(Resolved) + ":" + p.ResolvedAt.Format(time.RFC3339Nano), Detail: "Status → resolved.",
			Data: map[string]string{"to": string(Resolved)}}); err != nil {
			return err
		}
	}
	return s.release(ctx, p)
}
