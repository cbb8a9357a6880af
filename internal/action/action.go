// Package action is the tracked engineering action: a finding of a post-incident
// review (or of a problem, or of an incident) turned into work with an owner team, a due
// date and a status — open, done, or won't do with a reason. Overdue actions remind
// their owner (the escalator reads them from the store's due index) and are counted.
//
// An action's id is derived from what it is linked to and its title, so filing the
// same action twice (a retried request, a suggestion made again) files it once.
package action

import (
	"crypto/sha256"
	"encoding/base32"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Status is where an action is.
type Status string

// Statuses.
const (
	Open   Status = "open"
	Done   Status = "done"
	WontDo Status = "wont-do"
)

// Statuses lists every status.
var Statuses = []Status{Open, Done, WontDo}

// ParseStatus accepts open, done and wont-do.
func ParseStatus(s string) (Status, error) {
	for _, v := range Statuses {
		if string(v) == s {
			return v, nil
		}
	}
	return "", fmt.Errorf("status %q is not one of open, done, wont-do", s)
}

// LinkKind is what an action is linked to.
type LinkKind string

// Link kinds. A review's id is its incident's id, so the actions of an incident and of
// its review are listed together.
const (
	LinkIncident LinkKind = "incident"
	LinkReview   LinkKind = "review"
	LinkProblem  LinkKind = "problem"
)

// ParseLinkKind accepts incident, review and problem.
func ParseLinkKind(s string) (LinkKind, error) {
	switch k := LinkKind(s); k {
	case LinkIncident, LinkReview, LinkProblem:
		return k, nil
	}
	return "", fmt.Errorf("link kind %q is not one of incident, review, problem", s)
}

// Sources of actions.
const (
	SourcePerson     = ""            // filed by a person
	SourceRunbookGap = "runbook-gap" // suggested by a review: the runbook failed, or a recurring class has none
)

// Action is one tracked action.
type Action struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Owner string `json:"owner"` // a team
	// Due is when it must be done by.
	Due    time.Time `json:"due"`
	Status Status    `json:"status"`
	// Reason is why it won't be done (status wont-do).
	Reason string `json:"reason,omitempty"`
	// LinkKind and Link say what it came from: an incident, a review (by its incident's
	// id) or a problem (by its id).
	LinkKind LinkKind `json:"link_kind"`
	Link     string   `json:"link"`
	// Source is who suggested it: "" a person, "runbook-gap" a review.
	Source    string    `json:"source,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by"`
	ClosedAt  time.Time `json:"closed_at,omitzero"`
	ClosedBy  string    `json:"closed_by,omitempty"`
	// NextRemind is when the escalator next reminds the owner (zero: never again).
	NextRemind time.Time `json:"next_remind,omitzero"`
	Version    int       `json:"version"`
}

// Limits of the text an action carries.
const (
	MaxTitle  = 200
	MaxReason = 1000
)

// Errors callers branch on.
var (
	ErrInvalid  = errors.New("invalid action")
	ErrConflict = errors.New("action conflict")
)

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// ID is the id of the action titled title linked to link: "<link>.a<hash>". The same
// title (ignoring case and spacing) on the same link is the same action.
func ID(link, title string) string {
	norm := strings.ToLower(strings.Join(strings.Fields(title), " "))
	sum := sha256.Sum256([]byte(link + "\x00" + norm))
	return link + ".a" + strings.ToLower(b32.EncodeToString(sum[:5]))
}

// LinkOf is the link an action id names (see ID).
func LinkOf(id string) (string, error) {
	i := strings.LastIndex(id, ".a")
	if i <= 0 || len(id)-i != 10 {
		return "", fmt.Errorf("%w: %q is not an action id (<link>.a<8 characters>)", ErrInvalid, id)
	}
	return id[:i], nil
}

// Validate checks an action about to be filed; the error names the field.
func (a Action) Validate() error {
	var errs []string
	title := strings.TrimSpace(a.Title)
	switch {
	case title == "":
		errs = append(errs, "title: required")
	case utf8.RuneCountInString(title) > MaxTitle:
		errs = append(errs, fmt.Sprintf("title: at most %d characters", MaxTitle))
	}
	if a.Owner == "" {
		errs = append(errs, "owner: required (a team)")
	}
	if a.Due.IsZero() {
		errs = append(errs, "due: required")
	}
	if _, err := ParseLinkKind(string(a.LinkKind)); err != nil {
		errs = append(errs, "link_kind: "+err.Error())
	}
	if a.Link == "" || strings.ContainsAny(a.Link, "/#\x00 ") {
		errs = append(errs, fmt.Sprintf("link: %q is not an incident, review or problem id", a.Link))
	}
	if len(errs) > 0 {
		return fmt.Errorf("%w: %s", ErrInvalid, strings.Join(errs, "; "))
	}
	return nil
}

// Overdue reports whether the action is open after its due time.
func (a Action) Overdue(now time.Time) bool { return a.Status == Open && now.After(a.Due) }

// Late reports whether the action was closed as done after its due time.
func (a Action) Late() bool { return a.Status == Done && a.ClosedAt.After(a.Due) }

// Close returns the action closed as done or won't do at at by by; won't do needs a
// reason. Closing a closed action is a conflict, unless it is the same close again.
func (a Action) Close(to Status, reason, by string, at time.Time) (Action, error) {
	reason = strings.TrimSpace(reason)
	switch to {
	case Done:
	case WontDo:
		if reason == "" {
			return a, fmt.Errorf("%w: reason: required to close an action as won't do", ErrInvalid)
		}
		if utf8.RuneCountInString(reason) > MaxReason {
			return a, fmt.Errorf("%w: reason: at most %d characters", ErrInvalid, MaxReason)
		}
	default:
		return a, fmt.Errorf("%w: an action closes as done or wont-do, not %q", ErrInvalid, to)
	}
	if a.Status != Open {
		return a, fmt.Errorf("%w: action %s is already %s", ErrConflict, a.ID, a.Status)
	}
	a.Status, a.Reason, a.ClosedAt, a.ClosedBy, a.NextRemind = to, reason, at.UTC(), by, time.Time{}
	if to == Done {
		a.Reason = ""
	}
	return a, nil
}
