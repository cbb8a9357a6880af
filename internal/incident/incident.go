// Package incident is the incident model: severities, the lifecycle, fingerprints and the
// timeline.
//
// An incident is an event, or a group of correlated events, that needs a response. All
// events with the same fingerprint while an incident is open belong to it.
package incident

import (
	"crypto/sha256"
	"encoding/base32"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Severity ranks incidents; sev1 is the most severe. Info is recorded but never pages.
type Severity string

// Severities, most severe first.
const (
	Sev1 Severity = "sev1" // critical
	Sev2 Severity = "sev2" // high
	Sev3 Severity = "sev3" // medium
	Sev4 Severity = "sev4" // low
	Info Severity = "info" // recorded, never pages
)

// Severities lists every severity, most severe first.
var Severities = []Severity{Sev1, Sev2, Sev3, Sev4, Info}

// ParseSeverity accepts sev1..sev4 and info.
func ParseSeverity(s string) (Severity, error) {
	for _, v := range Severities {
		if string(v) == s {
			return v, nil
		}
	}
	return "", fmt.Errorf("severity %q is not one of sev1, sev2, sev3, sev4, info", s)
}

// Rank is 1 for sev1 … 4 for sev4 and 5 for info; lower is more severe.
func (s Severity) Rank() int {
	for i, v := range Severities {
		if v == s {
			return i + 1
		}
	}
	return len(Severities) + 1
}

// Label is the human name: critical, high, medium, low, info.
func (s Severity) Label() string {
	switch s {
	case Sev1:
		return "critical"
	case Sev2:
		return "high"
	case Sev3:
		return "medium"
	case Sev4:
		return "low"
	}
	return "info"
}

// Status is where an incident is in its lifecycle.
type Status string

// Lifecycle states, in order.
const (
	Open         Status = "open"
	Acknowledged Status = "acknowledged"
	Mitigated    Status = "mitigated"
	Resolved     Status = "resolved"
	Closed       Status = "closed"
)

// Statuses lists the lifecycle states in order.
var Statuses = []Status{Open, Acknowledged, Mitigated, Resolved, Closed}

// ActiveStatuses are the statuses of an active incident: not yet resolved or closed.
var ActiveStatuses = []Status{Open, Acknowledged, Mitigated}

// Active reports whether events with the incident's fingerprint join it (it is one of
// ActiveStatuses).
func (s Status) Active() bool {
	for _, a := range ActiveStatuses {
		if s == a {
			return true
		}
	}
	return false
}

// transitions is the one place that says which lifecycle moves are allowed.
var transitions = map[Status][]Status{
	Open:         {Acknowledged, Mitigated, Resolved},
	Acknowledged: {Open, Mitigated, Resolved},
	Mitigated:    {Open, Acknowledged, Resolved},
	Resolved:     {Open, Closed},
	Closed:       {},
}

// From lists the statuses from which an incident may move to to.
func From(to Status) []Status {
	var out []Status
	for _, from := range Statuses {
		for _, s := range transitions[from] {
			if s == to {
				out = append(out, from)
			}
		}
	}
	return out
}

// ErrTransition is matched by every illegal lifecycle move.
var ErrTransition = fmt.Errorf("illegal transition")

// CanTransition reports whether from → to is allowed; the error says why not.
func CanTransition(from, to Status) error {
	for _, s := range transitions[from] {
		if s == to {
			return nil
		}
	}
	if from == to {
		return fmt.Errorf("%w: incident is already %s", ErrTransition, to)
	}
	var allowed []string
	for _, s := range transitions[from] {
		allowed = append(allowed, string(s))
	}
	if len(allowed) == 0 {
		return fmt.Errorf("%w: a %s incident cannot change state", ErrTransition, from)
	}
	return fmt.Errorf("%w: %s → %s (from %s only %s)", ErrTransition, from, to, from, strings.Join(allowed, ", "))
}

// Fingerprint identifies what an incident is about: the event class, the account, the
// region and the subject (the resource the signal concerns). Events with equal
// fingerprints correlate into one incident.
func Fingerprint(class, account, region, subject string) string {
	return strings.Join([]string{class, account, region, subject}, "|")
}

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// FingerprintKey is a short stable hash of a fingerprint for keys and ids.
func FingerprintKey(fp string) string {
	sum := sha256.Sum256([]byte(fp))
	return b32.EncodeToString(sum[:5]) // 8 characters, 40 bits
}

// ID is the incident id for the seq-th incident of a fingerprint: FB-<key>-<seq>.
// Deterministic, so concurrent writers opening "the next incident" agree on its id.
func ID(fp string, seq int) string {
	return "FB-" + FingerprintKey(fp) + "-" + strconv.Itoa(seq)
}

// Incident is one incident. Counters (Count, Recoveries, FirstSeen, LastSeen) are
// derived from the events recorded against it.
type Incident struct {
	ID          string   `json:"id"`
	Seq         int      `json:"seq"`
	Fingerprint string   `json:"fingerprint"`
	Class       string   `json:"class"`
	Title       string   `json:"title"`
	Severity    Severity `json:"severity"`
	Team        string   `json:"team"`
	Impact      string   `json:"impact,omitempty"`
	Runbook     string   `json:"runbook,omitempty"`
	Status      Status   `json:"status"`
	Source      string   `json:"source"`
	Account     string   `json:"account"`
	Region      string   `json:"region"`
	Resource    string   `json:"resource"`
	OpenedBy    string   `json:"opened_by"` // id of the event that opened it
	// Actor is who caused the opening event; Attrs are that event's source-specific facts
	// (instance_id, group_id, rule_ids, trail, bucket, key_id, alarm_name, …) that
	// notifications and runbooks use.
	Actor string            `json:"actor,omitempty"`
	Attrs map[string]string `json:"attrs,omitempty"`
	Tags  map[string]string `json:"tags,omitempty"` // resource tags the opening event carried
	// What the account directory said of Account when the incident opened
	// (internal/accounts): its name, client, environment and business tier ("" when the
	// directory does not list it), and how it shaped the severity, owner and objectives.
	AccountName   string `json:"account_name,omitempty"`
	Client        string `json:"client,omitempty"`
	Environment   string `json:"environment,omitempty"`
	Tier          string `json:"tier,omitempty"`
	AccountReason string `json:"account_reason,omitempty"`

	OpenedAt time.Time `json:"opened_at"` // event time of the opening event
	// StateAt is the event time of the last event that changed Status; older events
	// (late or redelivered) never change it again.
	StateAt time.Time `json:"state_at"`
	// SeverityAt is when the severity last changed (zero: it is the opening severity).
	// The clocks of a severity's policy never act before it.
	SeverityAt time.Time `json:"severity_at,omitzero"`
	// Repeat is the earliest trigger recorded after StateAt while the incident was open
	// or acknowledged: its event's id, time, summary and actor. It counts only while
	// RepeatAt is after StateAt (a change of status leaves it behind; a mitigation before
	// it does not). A recovery delivered after it but older mitigated the incident until
	// it: intake writes that mitigation and this re-trigger, as event time has them
	// (docs/architecture.md, "Lifecycle and event order"). Intake's bookkeeping: not part
	// of the incident's JSON.
	RepeatID      string    `json:"-"`
	RepeatAt      time.Time `json:"-"`
	RepeatSummary string    `json:"-"`
	RepeatActor   string    `json:"-"`
	UpdatedAt     time.Time `json:"updated_at"`
	Version       int       `json:"version"`

	AcknowledgedAt time.Time `json:"acknowledged_at,omitzero"`
	AcknowledgedBy string    `json:"acknowledged_by,omitempty"`
	ResolvedAt     time.Time `json:"resolved_at,omitzero"`
	// MitigatedAt is when its impact ended: the last recovery (or the resolution, when it
	// was resolved without one). Re-opening clears it, as it clears the acknowledgement.
	MitigatedAt time.Time `json:"mitigated_at,omitzero"`
	// LastUpdateAt is the last update a person posted (acknowledgement, note, severity
	// or owner change); the update cadence counts from it.
	LastUpdateAt time.Time `json:"last_update_at,omitzero"`
	// DueAt is when the escalator next looks at the incident (zero: never again).
	DueAt time.Time `json:"due_at,omitzero"`
	// Parent is the incident this one is grouped or inhibited under (ParentReason
	// "grouped" or "inhibited"): its pages go to the parent's responders only.
	Parent       string `json:"parent,omitempty"`
	ParentReason string `json:"parent_reason,omitempty"`
	// SilencedBy is the silence that kept the incident quiet when it opened.
	SilencedBy string `json:"silenced_by,omitempty"`

	Count      int       `json:"count"`      // trigger events, the opener included
	Recoveries int       `json:"recoveries"` // recovery events
	Events     int       `json:"events"`     // every event recorded against it
	FirstSeen  time.Time `json:"first_seen"`
	LastSeen   time.Time `json:"last_seen"`
	// LastTrigger is the latest trigger recorded against it (the ledger keeps seconds).
	LastTrigger time.Time `json:"last_trigger,omitzero"`
}

// Entry is one timeline entry. Entries are append-only; Key makes recording idempotent:
// an entry with a key already on the incident's timeline is not added again.
type Entry struct {
	Incident string            `json:"incident"`
	At       time.Time         `json:"at"`
	Kind     Kind              `json:"kind"`  // one of the Kind constants (kinds.go)
	Actor    string            `json:"actor"` // who: a principal, "firebreak", an event source
	Detail   string            `json:"detail"`
	Key      string            `json:"key"`
	Data     map[string]string `json:"data,omitempty"`
}
