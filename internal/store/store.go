// Package store persists incidents, the events recorded against them, their timelines
// and quarantined payloads. Two implementations share one contract (storetest): DynamoDB
// (single-table, schema in schema.go, used by the Lambdas and by infra to create the
// table) and Memory (embedded, for local runs and replay).
//
// The store offers small conditional primitives; the correlation logic that uses them
// lives once, in package intake. Every primitive is idempotent or conditional so that
// at-least-once delivery and concurrent writers converge on one result.
package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/firebreak-ops/firebreak/internal/event"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/silence"
)

// ErrNotFound is returned for an incident that does not exist.
var ErrNotFound = errors.New("not found")

// Store is the whole contract both implementations satisfy. Consumers declare the
// narrower interfaces they use.
type Store interface {
	Problems // problem items (problems.go)
	Current(ctx context.Context, fingerprints []string) (map[string]incident.Incident, error)
	Open(ctx context.Context, inc incident.Incident, opened incident.Entry) (incident.Incident, bool, error)
	Record(ctx context.Context, l Ledger, refs []EventRef) ([]EventRef, error)
	Change(ctx context.Context, c Change) (bool, error)
	Quarantine(ctx context.Context, q Quarantined) error
	KeepLoose(ctx context.Context, fp string, evs []Loose) error
	LooseBetween(ctx context.Context, fp string, from, to time.Time) ([]Loose, error)
	OpenEarlier(ctx context.Context, id, by string, at time.Time, entry incident.Entry) (bool, error)
	QuarantinedSince(ctx context.Context, t time.Time) ([]Quarantined, error)
	Get(ctx context.Context, id string) (incident.Incident, error)
	List(ctx context.Context, f Filter) ([]incident.Incident, error)
	Timeline(ctx context.Context, id string) ([]incident.Entry, error)
	AddEntries(ctx context.Context, entries ...incident.Entry) error

	Claims

	Due(ctx context.Context, now time.Time, limit int) ([]incident.Incident, error)
	SetDue(ctx context.Context, id string, due time.Time, version int) (bool, error)

	PutSilence(ctx context.Context, s silence.Silence) error
	Silences(ctx context.Context) ([]silence.Silence, error)
	UseToken(ctx context.Context, nonce string, expires time.Time) (bool, error)

	PutApproval(ctx context.Context, a Approval) error
	Approvals(ctx context.Context, id string) ([]Approval, error)
	Decide(ctx context.Context, id, key, decision, by string, at time.Time) (Approval, error)

	Followups  // post-incident reviews and tracked actions (followups.go)
	Overrides  // on-call overrides (overrides.go)
	Heartbeats // heartbeat states (heartbeats.go)
	Holds      // openings held for grouping.wait (holds.go)
}

// ErrDecided is returned when deciding an approval that is already decided.
var ErrDecided = errors.New("already decided")

// Approval is a runbook step waiting for a human: the task token that resumes the
// execution, kept out of the timeline (the timeline says that approval was requested).
type Approval struct {
	Incident    string    `json:"incident"`
	Key         string    `json:"key"` // execution/state: unique per request
	Runbook     string    `json:"runbook"`
	Execution   string    `json:"execution"`
	Request     string    `json:"request"`
	Token       string    `json:"-"`
	RequestedAt time.Time `json:"requested_at"`
	Decision    string    `json:"decision,omitempty"` // approved | rejected
	By          string    `json:"by,omitempty"`
	DecidedAt   time.Time `json:"decided_at,omitzero"`
}

// StreamRecord is one change of an incident item, as a DynamoDB stream delivers it: the
// incident before (nil when it was created) and after. Counters are not included.
type StreamRecord struct {
	Old *incident.Incident
	New incident.Incident
}

// EventRef is what the ledger keeps of one event: its id, its time and its signal.
type EventRef struct {
	ID     string
	Time   time.Time
	Signal event.Signal
}

// Ledger names where events are recorded: against an incident, or, for events that are
// not part of one (info, recoveries with nothing open), against their fingerprint.
type Ledger struct {
	Incident    string
	Fingerprint string
}

// Change is a conditional update of an incident's status and/or severity, recorded on
// its timeline with Entry. It applies only if every precondition holds.
type Change struct {
	Incident string
	// IfStatus: the incident's status must be one of these (empty: any).
	IfStatus []incident.Status
	// NotBefore: the incident's StateAt must not be after this time, so late or
	// redelivered events never undo newer changes (zero: no check).
	NotBefore time.Time
	// StateAfter: the incident's StateAt must be after this time (zero: no check). A
	// mitigation moved earlier, to a recovery that arrived after a later one, asks it.
	StateAfter time.Time
	// Status is the new status ("" keeps it); StateAt is set to At when it changes.
	Status incident.Status
	// Severity is the new severity ("" keeps it). With RaiseOnly it applies only if more
	// severe than the current one.
	Severity  incident.Severity
	RaiseOnly bool
	// Team is the new owner ("" keeps it).
	Team string
	// Parent links the incident under another ("grouped" or "inhibited").
	Parent, ParentReason string
	// SilencedBy records the silence that kept it quiet.
	SilencedBy string
	// By is who made the change; an acknowledgement records it.
	By string
	// Touch marks a person's update: LastUpdateAt becomes At.
	Touch bool
	At    time.Time
	Entry incident.Entry
}

// Repeat is a trigger recorded on an open or acknowledged incident after its StateAt
// (NoteRepeat).
type Repeat struct {
	ID, Summary, Actor string
	At                 time.Time
}

// Quarantined is a payload that could not be parsed, kept whole.
type Quarantined struct {
	MessageID  string
	ReceivedAt time.Time
	Reason     string
	Payload    []byte
}

// Filter selects incidents for List. Zero values select everything.
type Filter struct {
	Status []incident.Status
	Team   string
	// Account and Region: only incidents of this account / region (empty: any).
	Account, Region string
	// Client and Environment: only incidents of accounts the directory gives this client
	// / environment (empty: any; internal/accounts).
	Client, Environment string
	// OpenedSince: only incidents opened at or after it (zero: any). DynamoDB answers it
	// from the list index's sort key, reading nothing older.
	OpenedSince time.Time
	// OpenedUntil: only incidents opened at or before it (zero: any). With OpenedSince,
	// a window of the list index's sort key: a grouping decision taken long after its
	// incident opened (a held opening the escalator decides, a replay) reads the
	// incidents of its window, not every one opened since.
	OpenedUntil time.Time
	// Severities: only incidents of these severities (empty: any).
	Severities []incident.Severity
	// ClassPrefix: only incidents whose class begins with it (empty: any); an inhibit
	// rule's source class pattern up to its first wildcard (dispatch.Inhibitor). The
	// memory store indexes it by class; DynamoDB filters with begins_with.
	ClassPrefix string
	// Sources: what is asked for are the incidents that may inhibit others (the inhibit
	// check's candidates; the caller matches each against its rules). A store that
	// indexes them (Dynamo.IndexSources) reads those alone; the others read as without it.
	Sources bool
	Limit   int // 0: no limit
}

// admits reports whether inc passes f's conditions other than its statuses.
func (f Filter) admits(inc *incident.Incident) bool {
	if (f.Team != "" && inc.Team != f.Team) || (f.Account != "" && inc.Account != f.Account) || (f.Region != "" && inc.Region != f.Region) {
		return false
	}
	if (f.Client != "" && inc.Client != f.Client) || (f.Environment != "" && inc.Environment != f.Environment) {
		return false
	}
	if !f.OpenedSince.IsZero() && inc.OpenedAt.Before(f.OpenedSince) {
		return false
	}
	if !f.OpenedUntil.IsZero() && inc.OpenedAt.After(f.OpenedUntil) {
		return false
	}
	if f.ClassPrefix != "" && !strings.HasPrefix(inc.Class, f.ClassPrefix) {
		return false
	}
	return len(f.Severities) == 0 || slices.Contains(f.Severities, inc.Severity)
}

// Expiry of records that are not part of an incident: fingerprint ledgers and quarantine.
const RetainUnattached = 90 * 24 * time.Hour

// pageOf is the ledger page an event belongs in: its event-time minute. A redelivered
// event has the same time, so it lands on the same page, where its id is found.
func pageOf(t time.Time) string { return t.UTC().Truncate(time.Minute).Format("2006-01-02T15:04Z") }

// Timestamp format used in keys: fixed width, so lexical order is time order.
const keyTime = "2006-01-02T15:04:05.000000000Z"

func statusIn(s incident.Status, set []incident.Status) bool {
	if len(set) == 0 {
		return true
	}
	for _, x := range set {
		if x == s {
			return true
		}
	}
	return false
}

// quarantineKey identifies a payload: the same bytes delivered again are kept once.
func quarantineKey(payload []byte) string {
	sum := sha256.Sum256(payload)
	return hex.EncodeToString(sum[:16])
}

func sortApprovals(out []Approval) {
	sort.Slice(out, func(i, j int) bool {
		if !out[i].RequestedAt.Equal(out[j].RequestedAt) {
			return out[i].RequestedAt.Before(out[j].RequestedAt)
		}
		return out[i].Key < out[j].Key
	})
}

// applyChange applies c to inc (both stores use it, so they agree on what a change does).
func applyChange(inc *incident.Incident, c Change) {
	if c.Status != "" {
		inc.Status = c.Status
		inc.StateAt = c.At.UTC()
		switch c.Status {
		case incident.Acknowledged:
			inc.AcknowledgedAt, inc.AcknowledgedBy = c.At.UTC(), c.By
		case incident.Mitigated:
			inc.MitigatedAt = c.At.UTC()
		case incident.Resolved:
			inc.ResolvedAt = c.At.UTC()
			if inc.MitigatedAt.IsZero() {
				inc.MitigatedAt = inc.ResolvedAt
			}
		case incident.Open: // re-opened: it needs someone again
			inc.ResolvedAt, inc.AcknowledgedAt, inc.AcknowledgedBy, inc.MitigatedAt = time.Time{}, time.Time{}, "", time.Time{}
		}
	}
	if c.Severity != "" {
		inc.Severity, inc.SeverityAt = c.Severity, c.At.UTC()
	}
	if c.Team != "" {
		inc.Team = c.Team
	}
	if c.Parent != "" {
		inc.Parent, inc.ParentReason = c.Parent, c.ParentReason
	}
	if c.SilencedBy != "" {
		inc.SilencedBy = c.SilencedBy
	}
	if c.Touch {
		inc.LastUpdateAt = c.At.UTC()
	}
	// Whatever changed, the escalator looks again now; a closed incident never again.
	inc.DueAt = c.At.UTC()
	if inc.Status == incident.Closed {
		inc.DueAt = time.Time{}
	}
}
