// Package review is the post-incident review: for every incident at or above a
// configured severity, resolving it opens a review with a due date and an owner (the
// incident's owner team), once however often the change is delivered. The review
// document is generated from the incident's record in Markdown — summary, impact,
// detection and response against the objectives, the timeline, the runbook's phases,
// contributing factors and lessons (sections people write), and the actions filed —
// and marking it complete requires its actions to be filed (none only when said so).
//
// The package holds the model and the rules; the store keeps reviews (store.Reviews),
// the escalator reminds their owners (escalate/followups.go), the API and CLI are thin
// adapters over Service.
package review

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/firebreak-ops/firebreak/internal/incident"
)

// Status is where a review is.
type Status string

// Statuses.
const (
	Open     Status = "open"
	Complete Status = "complete"
)

// Review is one post-incident review. Its id is its incident's id: an incident has at
// most one review.
type Review struct {
	ID       string            `json:"id"`
	Title    string            `json:"title"`
	Class    string            `json:"class"`
	Severity incident.Severity `json:"severity"`
	Owner    string            `json:"owner"`
	Status   Status            `json:"status"`
	OpenedAt time.Time         `json:"opened_at"` // when the incident was resolved
	Due      time.Time         `json:"due"`
	// Sections are the parts people write (Sections lists their names).
	Sections    map[string]string `json:"sections,omitempty"`
	CompletedAt time.Time         `json:"completed_at,omitzero"`
	CompletedBy string            `json:"completed_by,omitempty"`
	// NoActions records that it was completed with no action filed, said explicitly.
	NoActions bool `json:"no_actions,omitempty"`
	// EditedAt, EditedBy and EditedSection are the last edit's: a retried edit whose
	// entry was lost writes it from them (Service.Edit).
	EditedAt      time.Time `json:"edited_at,omitzero"`
	EditedBy      string    `json:"edited_by,omitempty"`
	EditedSection string    `json:"edited_section,omitempty"`
	// NextRemind is when the escalator next reminds the owner (zero: never again).
	NextRemind time.Time `json:"next_remind,omitzero"`
	Version    int       `json:"version"`
}

// Editable sections, in the order the document shows them.
const (
	SectionSummary = "summary"              // a narrative added under the generated summary
	SectionFactors = "contributing-factors" // what made it happen or made it worse
	SectionLessons = "lessons"              // what was learnt
)

// Sections lists the sections people write.
var Sections = []string{SectionSummary, SectionFactors, SectionLessons}

// MaxSection bounds one section's text (the review item stays far under DynamoDB's
// 400 KB limit with every section full).
const MaxSection = 16 << 10

// Errors callers branch on.
var (
	ErrInvalid  = errors.New("invalid review request")
	ErrConflict = errors.New("review conflict")
)

// Overdue reports whether the review is still open after its due time.
func (r Review) Overdue(now time.Time) bool { return r.Status == Open && now.After(r.Due) }

// Late reports whether the review was, or is, not complete by its due time.
func (r Review) Late(now time.Time) bool {
	if r.Status == Complete {
		return r.CompletedAt.After(r.Due)
	}
	return now.After(r.Due)
}

// Edit returns the review with section set to text.
func (r Review) Edit(section, text string) (Review, error) {
	if !validSection(section) {
		return r, fmt.Errorf("%w: section %q is not one of %s", ErrInvalid, section, strings.Join(Sections, ", "))
	}
	if !utf8.ValidString(text) {
		return r, fmt.Errorf("%w: section %s: the text is not UTF-8", ErrInvalid, section)
	}
	text = strings.TrimSpace(strings.ReplaceAll(text, "\r\n", "\n"))
	if len(text) > MaxSection {
		return r, fmt.Errorf("%w: section %s: %d bytes is over the limit of %d", ErrInvalid, section, len(text), MaxSection)
	}
	if r.Status == Complete {
		return r, fmt.Errorf("%w: review %s is complete; its sections no longer change", ErrConflict, r.ID)
	}
	s := make(map[string]string, len(r.Sections)+1)
	for k, v := range r.Sections {
		s[k] = v
	}
	if text == "" {
		delete(s, section)
	} else {
		s[section] = text
	}
	r.Sections = s
	return r, nil
}

// Complete returns the review marked complete. It needs actions filed (filed > 0), or
// noActions: zero actions is an answer only when said explicitly.
func (r Review) Complete(filed int, noActions bool, by string, at time.Time) (Review, error) {
	if r.Status == Complete {
		return r, fmt.Errorf("%w: review %s is already complete (by %s at %s)", ErrConflict, r.ID, r.CompletedBy, r.CompletedAt.UTC().Format(time.RFC3339))
	}
	if filed == 0 && !noActions {
		return r, fmt.Errorf("%w: review %s has no actions filed: file its actions first, or complete it with no_actions (--no-actions) to say it needs none", ErrConflict, r.ID)
	}
	if filed > 0 && noActions {
		return r, fmt.Errorf("%w: review %s has %d action(s) filed; no_actions says it has none", ErrInvalid, r.ID, filed)
	}
	r.Status, r.CompletedAt, r.CompletedBy, r.NoActions, r.NextRemind = Complete, at.UTC(), by, noActions, time.Time{}
	return r, nil
}

func validSection(s string) bool {
	for _, v := range Sections {
		if v == s {
			return true
		}
	}
	return false
}
