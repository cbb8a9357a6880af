package api

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/lifecycle"
	"github.com/firebreak-ops/firebreak/internal/store"
)

const maxID = 128

func checkID(id string) error {
	if len(id) > maxID {
		return fail(errBadRequest, "an incident id is at most %d characters", maxID)
	}
	return nil
}

// missing turns the store's not-found into the route's message.
func missing(err error, id string) error {
	if errors.Is(err, store.ErrNotFound) {
		return fail(errNotFound, "incident %s not found", id)
	}
	return err
}

// list is GET /incidents?status=open,acknowledged&team=&client=&environment=&account=&limit=.
func (h *Handler) list(c *call) (any, error) {
	q := c.req.QueryStringParameters
	f := store.Filter{Team: q["team"], Limit: DefaultLimit}
	if err := directoryFilter(q, &f); err != nil { // accounts.go
		return nil, err
	}
	if v := q["status"]; v != "" {
		for _, s := range strings.Split(v, ",") {
			st := incident.Status(strings.TrimSpace(s))
			if !validStatus(st) {
				return nil, fail(errBadRequest, "status %q is not one of open, acknowledged, mitigated, resolved, closed", s)
			}
			f.Status = append(f.Status, st)
		}
	}
	if v := q["limit"]; v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxLimit {
			return nil, fail(errBadRequest, "limit %q is not a number from 1 to %d", v, MaxLimit)
		}
		f.Limit = n
	}
	incs, err := h.Store.List(c.ctx, f)
	if err != nil {
		return nil, err
	}
	if incs == nil {
		incs = []incident.Incident{}
	}
	return ListResponse{Incidents: incs, Count: len(incs)}, nil
}

func validStatus(s incident.Status) bool {
	for _, v := range incident.Statuses {
		if v == s {
			return true
		}
	}
	return false
}

// show is GET /incidents/{id}: the incident, its timeline and its approvals.
func (h *Handler) show(c *call) (any, error) {
	id := c.param("id")
	if err := checkID(id); err != nil {
		return nil, err
	}
	inc, err := h.Store.Get(c.ctx, id)
	if err != nil {
		return nil, missing(err, id)
	}
	tl, err := h.Store.Timeline(c.ctx, id)
	if err != nil {
		return nil, missing(err, id)
	}
	aps, err := h.Store.Approvals(c.ctx, id)
	if err != nil {
		return nil, err
	}
	for i := range aps {
		aps[i].Token = "" // never leaves the store (and is not encoded anyway)
	}
	return IncidentResponse{Incident: inc, Timeline: tl, Approvals: aps}, nil
}

const maxReason = 1000

// ack is POST /incidents/{id}/ack {note}.
func (h *Handler) ack(c *call) (any, error) {
	return h.transition(c, c.param("id"), incident.Acknowledged)
}

// resolve is POST /incidents/{id}/resolve {note}.
func (h *Handler) resolve(c *call) (any, error) {
	return h.transition(c, c.param("id"), incident.Resolved)
}

func (h *Handler) transition(c *call, id string, to incident.Status) (any, error) {
	var b NoteRequest
	if err := decode(c.body, &b); err != nil {
		return nil, err
	}
	return h.move(c, id, to, b.Note)
}

func (h *Handler) move(c *call, id string, to incident.Status, note string) (any, error) {
	if err := checkID(id); err != nil {
		return nil, err
	}
	if len(note) > maxReason {
		return nil, fail(errBadRequest, "note: at most %d characters", maxReason)
	}
	return h.apply(c, id, func(ctx context.Context, r lifecycle.Request) (incident.Incident, error) {
		return h.Lifecycle.Transition(ctx, r, to, strings.TrimSpace(note))
	})
}

// status is POST /incidents/{id}/status {status, note}: mitigated, closed, or open to
// re-open (acknowledge and resolve have their own routes).
func (h *Handler) status(c *call) (any, error) {
	id := c.param("id")
	var b StatusRequest
	if err := decode(c.body, &b); err != nil {
		return nil, err
	}
	switch to := incident.Status(b.Status); to {
	case incident.Mitigated, incident.Closed, incident.Open:
		return h.move(c, id, to, b.Note)
	case incident.Acknowledged, incident.Resolved:
		return nil, fail(errBadRequest, "status %q: use POST /incidents/%s/%s", b.Status, id, map[incident.Status]string{incident.Acknowledged: "ack", incident.Resolved: "resolve"}[to])
	case "":
		return nil, fail(errBadRequest, "status: missing (mitigated, closed, or open to re-open)")
	}
	return nil, fail(errBadRequest, "status %q is not one of mitigated, closed, open", b.Status)
}

// note is POST /incidents/{id}/notes {text}.
func (h *Handler) note(c *call) (any, error) {
	id := c.param("id")
	var b AddNoteRequest
	if err := decode(c.body, &b); err != nil {
		return nil, err
	}
	if err := checkID(id); err != nil {
		return nil, err
	}
	return h.apply(c, id, func(ctx context.Context, r lifecycle.Request) (incident.Incident, error) {
		return h.Lifecycle.Note(ctx, r, b.Text)
	})
}

// addLink is POST /incidents/{id}/links {url, title}.
func (h *Handler) addLink(c *call) (any, error) {
	id := c.param("id")
	var b LinkRequest
	if err := decode(c.body, &b); err != nil {
		return nil, err
	}
	if err := checkID(id); err != nil {
		return nil, err
	}
	if len(b.URL) > 2048 || len(b.Title) > 200 {
		return nil, fail(errBadRequest, "url: at most 2048 characters; title: at most 200")
	}
	return h.apply(c, id, func(ctx context.Context, r lifecycle.Request) (incident.Incident, error) {
		return h.Lifecycle.Link(ctx, r, b.URL, strings.TrimSpace(b.Title))
	})
}

// severity is POST /incidents/{id}/severity {severity, reason}.
func (h *Handler) severity(c *call) (any, error) {
	id := c.param("id")
	var b SeverityRequest
	if err := decode(c.body, &b); err != nil {
		return nil, err
	}
	if err := checkID(id); err != nil {
		return nil, err
	}
	if len(b.Reason) > maxReason {
		return nil, fail(errBadRequest, "reason: at most %d characters", maxReason)
	}
	return h.apply(c, id, func(ctx context.Context, r lifecycle.Request) (incident.Incident, error) {
		return h.Lifecycle.SetSeverity(ctx, r, incident.Severity(b.Severity), strings.TrimSpace(b.Reason))
	})
}

// owner is POST /incidents/{id}/owner {team, reason}.
func (h *Handler) owner(c *call) (any, error) {
	id := c.param("id")
	var b OwnerRequest
	if err := decode(c.body, &b); err != nil {
		return nil, err
	}
	if err := checkID(id); err != nil {
		return nil, err
	}
	if b.Team == "" {
		return nil, fail(errBadRequest, "team: missing")
	}
	if len(b.Reason) > maxReason {
		return nil, fail(errBadRequest, "reason: at most %d characters", maxReason)
	}
	return h.apply(c, id, func(ctx context.Context, r lifecycle.Request) (incident.Incident, error) {
		return h.Lifecycle.SetOwner(ctx, r, b.Team, strings.TrimSpace(b.Reason))
	})
}

// apply runs a lifecycle action on incident id for the caller, as one step, and answers
// with the incident.
func (h *Handler) apply(c *call, id string, f func(ctx context.Context, r lifecycle.Request) (incident.Incident, error)) (any, error) {
	r, err := request(c, id)
	if err != nil {
		return nil, err
	}
	inc, err := h.change(c.ctx, func(ctx context.Context) (incident.Incident, error) { return f(ctx, r) })
	if err != nil {
		return nil, missing(err, id)
	}
	return IncidentResponse{Incident: inc}, nil
}

// change runs a lifecycle action as one step (see Steps).
func (h *Handler) change(ctx context.Context, f func(ctx context.Context) (incident.Incident, error)) (incident.Incident, error) {
	var inc incident.Incident
	err := h.do(ctx, func(ctx context.Context) error {
		var err error
		inc, err = f(ctx)
		return err
	})
	return inc, err
}
