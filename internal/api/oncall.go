package api

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/firebreak-ops/firebreak/internal/oncall"
	paging "github.com/firebreak-ops/firebreak/internal/page"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// Overrides keeps the on-call overrides made through the API (store.Overrides).
type Overrides interface {
	PutOverride(ctx context.Context, o oncall.Override) (oncall.Override, error)
	Overrides(ctx context.Context, schedule string, from, to time.Time) ([]oncall.Override, error)
	RemoveOverride(ctx context.Context, schedule, id string) error
}

// OnCallResponse is GET /oncall: who is on call at the time asked (default now).
type OnCallResponse struct {
	At     time.Time       `json:"at"`
	OnCall []paging.OnCall `json:"oncall"`
}

// ShiftsResponse is GET /oncall/{schedule}/shifts: the shifts between two times,
// overrides (the configuration's and the stored ones) applied, gaps included.
type ShiftsResponse struct {
	Schedule string         `json:"schedule"`
	TimeZone string         `json:"time_zone"` // the schedule's, for showing the times
	Shifts   []oncall.Shift `json:"shifts"`
}

// OverrideRequest is the body of POST /oncall/overrides.
type OverrideRequest struct {
	Schedule string    `json:"schedule"`
	Layer    string    `json:"layer,omitempty"`
	Contact  string    `json:"contact"`
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
	Reason   string    `json:"reason,omitempty"`
}

// OverrideResponse answers POST /oncall/overrides and DELETE /oncall/overrides/{schedule}/{id}.
type OverrideResponse struct {
	Override oncall.Override `json:"override"`
}

// OverridesResponse is GET /oncall/overrides: the stored overrides not yet ended, by
// schedule and end (the configuration's are in firebreak.yaml).
type OverridesResponse struct {
	Overrides []oncall.Override `json:"overrides"`
}

// MaxOverride bounds how long an override made through the API may last: longer is a
// change of the rotation, made in the configuration.
const MaxOverride = 92 * 24 * time.Hour

// Default windows of the on-call routes.
const (
	defaultShifts  = 14 * 24 * time.Hour
	icsBack, icsOn = 7 * 24 * time.Hour, 90 * 24 * time.Hour
)

// resolver answers who is on call from the configuration and the stored overrides.
func (h *Handler) resolver() (*paging.Resolver, error) {
	if h.Lifecycle == nil || h.Lifecycle.Config == nil {
		return nil, errors.New("on call: the API has no configuration")
	}
	return &paging.Resolver{Config: h.Lifecycle.Config, Overrides: h.Store}, nil
}

// onCallNow is GET /oncall (routes.go).
func (h *Handler) onCallNow(c *call) (any, error) {
	r, err := h.resolver()
	if err != nil {
		return nil, err
	}
	return h.whoIsOnCall(c, r)
}

// removeStoredOverride is DELETE /oncall/overrides/{schedule}/{id} (routes.go).
func (h *Handler) removeStoredOverride(c *call) (any, error) {
	return h.removeOverride(c, c.param("schedule"), c.param("id"))
}

// shiftsOf is GET /oncall/{schedule}/shifts; icsOf GET /oncall/{schedule}/ics.
func (h *Handler) shiftsOf(c *call) (any, error) { return h.shiftsOrICS(c, false) }
func (h *Handler) icsOf(c *call) (any, error)    { return h.shiftsOrICS(c, true) }

func (h *Handler) shiftsOrICS(c *call, ics bool) (any, error) {
	r, err := h.resolver()
	if err != nil {
		return nil, err
	}
	schedule := c.param("schedule")
	now := h.now()
	back, on := time.Duration(0), defaultShifts
	if ics {
		back, on = icsBack, icsOn
	}
	from, err := queryTime(c, "from", now.Add(-back))
	if err != nil {
		return nil, err
	}
	to, err := queryTime(c, "to", now.Add(on))
	if err != nil {
		return nil, err
	}
	if !to.After(from) {
		return nil, fail(errBadRequest, "to %s is not after from %s", to.Format(time.RFC3339), from.Format(time.RFC3339))
	}
	if ics {
		cal, err := r.ICS(c.ctx, schedule, from, to, now)
		if err != nil {
			return nil, oncallError(err)
		}
		return rawBody{contentType: "text/calendar; charset=utf-8", body: cal}, nil
	}
	shifts, err := r.Shifts(c.ctx, schedule, from, to)
	if err != nil {
		return nil, oncallError(err)
	}
	return ShiftsResponse{Schedule: schedule, TimeZone: h.Lifecycle.Config.Schedules[schedule].Location().String(), Shifts: shifts}, nil
}

// whoIsOnCall is GET /oncall?at=T&schedule=a,b.
func (h *Handler) whoIsOnCall(c *call, r *paging.Resolver) (any, error) {
	at, err := queryTime(c, "at", h.now())
	if err != nil {
		return nil, err
	}
	var names []string
	if v := c.req.QueryStringParameters["schedule"]; v != "" {
		names = strings.Split(v, ",")
	}
	who, err := r.Who(c.ctx, names, at)
	if err != nil {
		return nil, oncallError(err)
	}
	return OnCallResponse{At: at, OnCall: who}, nil
}

// listOverrides is GET /oncall/overrides[?schedule=a,b]: the stored overrides not yet
// ended, of the named schedules (default every schedule): one query each.
func (h *Handler) listOverrides(c *call) (any, error) {
	cfg := h.Lifecycle.Config
	names := cfg.ScheduleNames()
	if v := c.req.QueryStringParameters["schedule"]; v != "" {
		names = strings.Split(v, ",")
	}
	now := h.now()
	out := OverridesResponse{Overrides: []oncall.Override{}}
	for _, name := range names {
		if cfg.Schedules[name] == nil {
			return nil, fail(errNotFound, "%q is not a schedule (schedules: %s)", name, strings.Join(cfg.ScheduleNames(), ", "))
		}
		ovs, err := h.Store.Overrides(c.ctx, name, now, now.Add(100*365*24*time.Hour))
		if err != nil {
			return nil, err
		}
		out.Overrides = append(out.Overrides, ovs...)
	}
	return out, nil
}

// addOverride is POST /oncall/overrides: checked against the configuration as its
// overrides are; the same request twice stores one override (its id is its content).
func (h *Handler) addOverride(c *call) (any, error) {
	var b OverrideRequest
	if err := decode(c.body, &b); err != nil {
		return nil, err
	}
	cfg := h.Lifecycle.Config
	s := cfg.Schedules[b.Schedule]
	switch {
	case b.Schedule == "":
		return nil, fail(errBadRequest, "schedule: missing (the schedule the contact takes over)")
	case s == nil:
		return nil, fail(errBadRequest, "schedule: %q is not a schedule (schedules: %s)", b.Schedule, strings.Join(cfg.ScheduleNames(), ", "))
	case b.Layer != "" && s.LayerNamed(b.Layer) == nil:
		return nil, fail(errBadRequest, "layer: %q is not a named layer of schedule %s", b.Layer, b.Schedule)
	case b.Contact == "":
		return nil, fail(errBadRequest, "contact: missing (who takes over)")
	case cfg.Contact(b.Contact) == nil:
		return nil, fail(errBadRequest, "contact: %q is not a contact", b.Contact)
	case b.Start.IsZero() || b.End.IsZero():
		return nil, fail(errBadRequest, "start and end: both required (RFC 3339)")
	case !b.End.After(b.Start):
		return nil, fail(errBadRequest, "end: %s is not after start %s", b.End.Format(time.RFC3339), b.Start.Format(time.RFC3339))
	case !b.End.After(h.now()):
		return nil, fail(errBadRequest, "end: %s is already past", b.End.Format(time.RFC3339))
	case b.End.Sub(b.Start) > MaxOverride:
		return nil, fail(errBadRequest, "an override lasts at most %d days; change the rotation in the configuration for longer", MaxOverride/(24*time.Hour))
	case len(b.Reason) > maxReason:
		return nil, fail(errBadRequest, "reason: at most %d characters", maxReason)
	}
	o, err := h.Store.PutOverride(c.ctx, oncall.Override{Schedule: b.Schedule, Layer: b.Layer, Contact: b.Contact,
		Start: b.Start, End: b.End, Reason: strings.TrimSpace(b.Reason)})
	if errors.Is(err, store.ErrBadOverride) {
		return nil, fail(errBadRequest, "%v", err)
	}
	if err != nil {
		return nil, err
	}
	h.log().InfoContext(c.ctx, "override stored", "request_id", c.reqID, "actor", c.actor, "schedule", o.Schedule, "contact", o.Contact, "id", o.ID)
	return createdBody{OverrideResponse{Override: o}}, nil
}

// removeOverride is DELETE /oncall/overrides/{schedule}/{id}.
func (h *Handler) removeOverride(c *call, schedule, id string) (any, error) {
	err := h.Store.RemoveOverride(c.ctx, schedule, id)
	switch {
	case errors.Is(err, store.ErrBadOverride):
		return nil, fail(errBadRequest, "%v", err)
	case errors.Is(err, store.ErrNotFound):
		return nil, fail(errNotFound, "no override %s of schedule %s", id, schedule)
	case err != nil:
		return nil, err
	}
	h.log().InfoContext(c.ctx, "override removed", "request_id", c.reqID, "actor", c.actor, "schedule", schedule, "id", id)
	return OverrideResponse{Override: oncall.Override{ID: id, Schedule: schedule}}, nil
}

// oncallError shows a schedule the configuration lacks as 404.
func oncallError(err error) error {
	if errors.Is(err, paging.ErrNoSchedule) {
		return fail(errNotFound, "%v", err)
	}
	return err
}

// queryTime reads an RFC 3339 query parameter, def when absent.
func queryTime(c *call, name string, def time.Time) (time.Time, error) {
	v := c.req.QueryStringParameters[name]
	if v == "" {
		return def, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, fail(errBadRequest, "%s: %q is not an RFC 3339 time like 2026-11-02T15:04:05Z", name, v)
	}
	return t, nil
}

// rawBody is a response that is not JSON (the iCalendar feed).
type rawBody struct{ contentType, body string }
