package api

import (
	"time"

	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/silence"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// The API's request and response bodies. The handlers decode and encode these, and the
// firebreak CLI sends and reads the same types: a field is named once, here. A new route
// adds its bodies to this file.

// ErrorResponse is the body of every JSON error: 4xx with a message that says what to
// fix, 5xx with "internal error" only.
type ErrorResponse struct {
	Error     string `json:"error"`
	RequestID string `json:"request_id"`
}

// NoteRequest is the body of POST /incidents/{id}/ack and /resolve, and of
// POST /incidents/{id}/approvals/{key}/approve and /reject: an optional note.
type NoteRequest struct {
	Note string `json:"note"`
}

// StatusRequest is the body of POST /incidents/{id}/status: mitigated, closed, or open
// to re-open.
type StatusRequest struct {
	Status string `json:"status"`
	Note   string `json:"note"`
}

// AddNoteRequest is the body of POST /incidents/{id}/notes.
type AddNoteRequest struct {
	Text string `json:"text"`
}

// LinkRequest is the body of POST /incidents/{id}/links.
type LinkRequest struct {
	URL   string `json:"url"`
	Title string `json:"title"`
}

// SeverityRequest is the body of POST /incidents/{id}/severity.
type SeverityRequest struct {
	Severity string `json:"severity"`
	Reason   string `json:"reason"`
}

// OwnerRequest is the body of POST /incidents/{id}/owner.
type OwnerRequest struct {
	Team   string `json:"team"`
	Reason string `json:"reason"`
}

// SilenceRequest is the body of POST /silences: matchers, a start (default now), and an
// end or a duration (one of them).
type SilenceRequest struct {
	Matchers silence.Matchers `json:"matchers"`
	Starts   time.Time        `json:"starts,omitzero"`
	Ends     time.Time        `json:"ends,omitzero"`
	Duration string           `json:"duration,omitempty"` // a Go duration, e.g. 2h or 90m
	Comment  string           `json:"comment"`
	// Force makes a silence that matches every incident or lasts longer than
	// defaults.max_silence; it is recorded with who forced it.
	Force bool `json:"force,omitempty"`
}

// ListResponse is GET /incidents.
type ListResponse struct {
	Incidents []incident.Incident `json:"incidents"`
	Count     int                 `json:"count"`
}

// IncidentResponse is GET /incidents/{id}; changes answer with the incident alone.
type IncidentResponse struct {
	Incident  incident.Incident `json:"incident"`
	Timeline  []incident.Entry  `json:"timeline,omitempty"`
	Approvals []store.Approval  `json:"approvals,omitempty"` // without their task tokens
}

// ApprovalResponse answers a decision on a runbook approval.
type ApprovalResponse struct {
	Approval store.Approval `json:"approval"`
}

// SilenceView is a silence with its state at the API's clock: active, pending (not yet
// started), waiting (a weekly window between occurrences) or ended.
type SilenceView struct {
	silence.Silence
	State string `json:"state"`
	// Origin is "config" for a planned window of the configuration, "api" for one made
	// through the API.
	Origin string `json:"origin"`
	// Next is the window in force now or, failing that, the next to come (a weekly
	// window's next occurrence); absent when the silence is over.
	Next *silence.Window `json:"next,omitempty"`
}

// Origins of silences.
const (
	OriginConfig = "config"
	OriginAPI    = "api"
)

// SilencesResponse is GET /silences.
type SilencesResponse struct {
	Silences []SilenceView `json:"silences"`
}

// SilenceResponse answers POST /silences and DELETE /silences/{id}.
type SilenceResponse struct {
	Silence SilenceView `json:"silence"`
}
