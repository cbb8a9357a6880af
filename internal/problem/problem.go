// Package problem is the problem model: the underlying cause of one or more incidents.
//
// A problem is opened automatically when a fingerprint keeps coming back (Tracker), or by
// hand linking any incidents (Service). Its lifecycle is open → investigating →
// known-error → resolved; it cannot be resolved while an incident it explains is active
// or while one of its tracked actions is open (actions.go).
//
// Recurrence is counted on one small item per fingerprint (Recurrence): the most recent
// occurrences (incident openings and re-openings), at most MaxOccurrences of them, and
// the fingerprint's open problem. Deciding is a function of that item alone, never of a
// walk over history, and of the set of occurrences alone, never of their arrival order:
// the same incidents delivered in any order, batching or number of times open the same
// problem linking the same incidents.
package problem

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/firebreak-ops/firebreak/internal/incident"
)

// Status is where a problem is in its lifecycle.
type Status string

// Lifecycle states, in order.
const (
	Open          Status = "open"
	Investigating Status = "investigating"
	KnownError    Status = "known-error" // root cause known, a workaround recorded
	Resolved      Status = "resolved"
)

// Statuses lists the lifecycle states in order.
var Statuses = []Status{Open, Investigating, KnownError, Resolved}

// Unresolved are the statuses of a problem still open (Active).
var Unresolved = []Status{Open, Investigating, KnownError}

// Active reports whether the problem is not resolved.
func (s Status) Active() bool { return s == Open || s == Investigating || s == KnownError }

// ParseStatus accepts open, investigating, known-error (or known_error) and resolved.
func ParseStatus(s string) (Status, error) {
	s = strings.ReplaceAll(strings.ToLower(strings.TrimSpace(s)), "_", "-")
	for _, v := range Statuses {
		if string(v) == s {
			return v, nil
		}
	}
	return "", fmt.Errorf("problem status %q is not one of open, investigating, known-error, resolved", s)
}

// transitions is the one place that says which problem moves are allowed. A resolved
// problem may be re-opened (its cause came back).
var transitions = map[Status][]Status{
	Open:          {Investigating, KnownError, Resolved},
	Investigating: {Open, KnownError, Resolved},
	KnownError:    {Investigating, Resolved},
	Resolved:      {Open},
}

// ErrTransition is matched by every illegal move; ErrActiveIncidents by a resolution
// refused because incidents it explains are still active.
var (
	ErrTransition      = errors.New("illegal problem transition")
	ErrActiveIncidents = errors.New("incidents still active")
	ErrNotFound        = errors.New("problem not found")
)

// CanTransition reports whether from → to is allowed; the error says why not.
func CanTransition(from, to Status) error {
	if slices.Contains(transitions[from], to) {
		return nil
	}
	if from == to {
		return fmt.Errorf("%w: the problem is already %s", ErrTransition, to)
	}
	var allowed []string
	for _, s := range transitions[from] {
		allowed = append(allowed, string(s))
	}
	return fmt.Errorf("%w: %s → %s (from %s only %s)", ErrTransition, from, to, from, strings.Join(allowed, ", "))
}

// Problem is one problem.
type Problem struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	// Status is its lifecycle state; Team owns it (told once when it opens).
	Status Status `json:"status"`
	Team   string `json:"team"`
	// Fingerprint is the recurring fingerprint that opened it (empty: opened by hand).
	Fingerprint string `json:"fingerprint,omitempty"`
	// Reason says why it was opened: the recurrence rule that matched, or a person's words.
	Reason     string `json:"reason,omitempty"`
	RootCause  string `json:"root_cause,omitempty"`
	Workaround string `json:"workaround,omitempty"`
	// Incidents it explains, in id order (read from their link items, never stored here).
	Incidents []string `json:"incidents"`
	// Actions are the ids of tracked actions filed against it (package action links them).
	Actions []string `json:"actions"`

	OpenedAt   time.Time `json:"opened_at"`
	OpenedBy   string    `json:"opened_by"`
	UpdatedAt  time.Time `json:"updated_at"`
	ResolvedAt time.Time `json:"resolved_at,omitzero"`
	Version    int       `json:"version"`
}

// Entry is one entry of a problem's timeline; Key makes recording idempotent.
type Entry struct {
	Problem string            `json:"problem"`
	At      time.Time         `json:"at"`
	Kind    incident.Kind     `json:"kind"`
	Actor   string            `json:"actor"`
	Detail  string            `json:"detail"`
	Key     string            `json:"key"`
	Data    map[string]string `json:"data,omitempty"`
}

// Filter selects problems. Zero values select everything.
type Filter struct {
	Status []Status
	Team   string
	// OpenedSince: only problems opened at or after it; ResolvedSince: only problems
	// resolved at or after it (zero: any).
	OpenedSince, ResolvedSince time.Time
	Limit                      int // 0: no limit
}

// Admits reports whether p passes f (both stores use it).
func (f Filter) Admits(p Problem) bool {
	if len(f.Status) > 0 && !slices.Contains(f.Status, p.Status) {
		return false
	}
	if f.Team != "" && p.Team != f.Team {
		return false
	}
	if !f.OpenedSince.IsZero() && p.OpenedAt.Before(f.OpenedSince) {
		return false
	}
	return f.ResolvedSince.IsZero() || (p.Status == Resolved && !p.ResolvedAt.Before(f.ResolvedSince))
}

// Sort orders problems most recently opened first, then by id.
func Sort(ps []Problem) {
	sort.Slice(ps, func(i, j int) bool {
		if !ps[i].OpenedAt.Equal(ps[j].OpenedAt) {
			return ps[i].OpenedAt.After(ps[j].OpenedAt)
		}
		return ps[i].ID < ps[j].ID
	})
}

// RecurringID is the id of the seq-th problem of a fingerprint: PRB-<key>-<seq>.
// Deterministic, so concurrent writers opening it agree on its id.
func RecurringID(fp string, seq int) string {
	return "PRB-" + incident.FingerprintKey(fp) + "-" + strconv.Itoa(seq)
}

// ManualID is the id of a problem opened by hand: PRB-M<key>, from its title and the
// second it was asked for, so a retried request opens it once.
func ManualID(title string, at time.Time) string {
	return "PRB-M" + incident.FingerprintKey(title+"|"+at.UTC().Truncate(time.Second).Format(time.RFC3339))
}
