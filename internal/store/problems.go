package store

import (
	"context"
	"errors"
	"time"

	"github.com/firebreak-ops/firebreak/internal/problem"
)

// Problems is the contract of problem items: each fingerprint's recurrence item, the
// problems, the incidents they explain and their timelines (docs/table.md, "Problems").
// Consumers (package problem, the api) declare the narrower interfaces they use.
type Problems interface {
	// Recur applies apply to the fingerprint's recurrence item (created empty) and stores
	// the result if apply reports a change, conditionally on the version it read; on a
	// concurrent change it reads again and re-applies, so apply must depend only on the
	// item it is given. It returns the item as stored.
	Recur(ctx context.Context, fp string, apply func(*problem.Recurrence) bool) (problem.Recurrence, error)
	// CreateProblem creates p unless a problem with its id exists (then it returns the
	// stored one, false) and records the opening entry. It returns the problem without
	// its incidents (reading them would cost what the problem has gathered).
	CreateProblem(ctx context.Context, p problem.Problem, opened problem.Entry) (problem.Problem, bool, error)
	// GetProblem returns a problem with the incidents it explains (problem.ErrNotFound).
	GetProblem(ctx context.Context, id string) (problem.Problem, error)
	// ListProblems returns problems matching f, most recently opened first, without
	// their incidents; it reads only the statuses and times asked for.
	ListProblems(ctx context.Context, f problem.Filter) ([]problem.Problem, error)
	// UpdateProblem applies apply to the stored problem and writes it conditionally on
	// the version it read (re-reading on a concurrent change), then records entry. An
	// error from apply is returned as is and nothing is written. apply and the result
	// see the problem without its incidents.
	UpdateProblem(ctx context.Context, id string, apply func(*problem.Problem) error, entry problem.Entry) (problem.Problem, error)
	// LinkIncident records that the problem explains the incident; it reports whether
	// the link is new. Linking twice changes nothing.
	LinkIncident(ctx context.Context, id, incidentID string, at time.Time) (bool, error)
	// ProblemTimeline returns a problem's entries in time order.
	ProblemTimeline(ctx context.Context, id string) ([]problem.Entry, error)
	// AddProblemEntries appends timeline entries; an entry already recorded is not added again.
	AddProblemEntries(ctx context.Context, entries ...problem.Entry) error
}

var (
	_ Problems = (*Memory)(nil)
	_ Problems = (*Dynamo)(nil)
)

// maxConflicts bounds the re-reads of an optimistic update under contention.
const maxConflicts = 16

// errConflict: an optimistic write lost to a concurrent one (retried, never returned).
var errConflict = errors.New("concurrent update")
