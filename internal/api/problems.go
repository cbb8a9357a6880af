package api

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/firebreak-ops/firebreak/internal/action"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/problem"
	"github.com/firebreak-ops/firebreak/internal/report"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// Problems is what the problem routes and the report need of a store.
type Problems interface {
	problem.ServiceStore
	problem.ActionLister // a problem's tracked actions
	ListProblems(ctx context.Context, f problem.Filter) ([]problem.Problem, error)
	ProblemTimeline(ctx context.Context, id string) ([]problem.Entry, error)
	List(ctx context.Context, f store.Filter) ([]incident.Incident, error)
}

var (
	_ Problems = (*store.Memory)(nil)
	_ Problems = (*store.Dynamo)(nil)
)

// ProblemsResponse is GET /problems. Actions are the listed problems' tracked actions,
// by problem id (a problem with none is absent).
type ProblemsResponse struct {
	Problems []problem.Problem          `json:"problems"`
	Count    int                        `json:"count"`
	Actions  map[string][]ProblemAction `json:"actions"`
}

// ProblemResponse is GET /problems/{id} and the answer to every change of a problem.
// Actions are its tracked actions with their status (problem.ActionsOf).
type ProblemResponse struct {
	Problem  problem.Problem `json:"problem"`
	Actions  []ProblemAction `json:"actions"`
	Timeline []problem.Entry `json:"timeline"`
}

// ProblemAction is one of a problem's tracked actions, and whether it is overdue.
type ProblemAction struct {
	action.Action
	Overdue bool `json:"overdue"`
}

// problemActions are p's tracked actions as of now.
func (h *Handler) problemActions(ctx context.Context, p problem.Problem) ([]ProblemAction, error) {
	acts, err := problem.ActionsOf(ctx, h.Problems, p)
	if err != nil {
		return nil, err
	}
	now := h.now()
	out := make([]ProblemAction, 0, len(acts))
	for _, a := range acts {
		out = append(out, ProblemAction{Action: a, Overdue: a.Overdue(now)})
	}
	return out, nil
}

// OpenProblemRequest is POST /problems: a problem opened by hand linking any incidents.
type OpenProblemRequest struct {
	Title     string   `json:"title"`
	Team      string   `json:"team"`
	Reason    string   `json:"reason,omitempty"`
	Incidents []string `json:"incidents,omitempty"`
}

// LinkProblemRequest is POST /problems/{id}/link.
type LinkProblemRequest struct {
	Incidents []string `json:"incidents"`
}

// ProblemStatusRequest is POST /problems/{id}/status.
type ProblemStatusRequest struct {
	Status string `json:"status"`
	Reason string `json:"reason,omitempty"`
}

// ProblemNoteRequest is POST /problems/{id}/note: a note, and optionally the root
// cause, the workaround and tracked action ids.
type ProblemNoteRequest struct {
	Text       string   `json:"text,omitempty"`
	RootCause  string   `json:"root_cause,omitempty"`
	Workaround string   `json:"workaround,omitempty"`
	Actions    []string `json:"actions,omitempty"`
}

// ReportResponse is GET /report?since=RFC3339|7d&by=severity|team|class|account.
type ReportResponse = report.Report

// MaxReportSpan bounds a report's period (it reads the incidents opened in it).
const MaxReportSpan = 366 * 24 * time.Hour

// problems serves a /problems or /report endpoint (routes.go): 404 where problems are
// not served.
func problems(f func(h *Handler, c *call) (any, error)) func(h *Handler, c *call) (any, error) {
	return func(h *Handler, c *call) (any, error) {
		if h.Problems == nil {
			return nil, fail(errNotFound, "problems are not served here")
		}
		return f(h, c)
	}
}

func (h *Handler) problemService() *problem.Service {
	return &problem.Service{Store: h.Problems, Actions: h.Problems, Now: h.now}
}

// problemErr turns the problem model's refusals into answers the caller may read.
func problemErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, problem.ErrNotFound):
		return fail(errNotFound, "%s", err.Error())
	case errors.Is(err, problem.ErrInvalid):
		return fail(errBadRequest, "%s", strings.TrimPrefix(err.Error(), problem.ErrInvalid.Error()+": "))
	case errors.Is(err, problem.ErrTransition), errors.Is(err, problem.ErrActiveIncidents), errors.Is(err, problem.ErrOpenActions):
		return fail(errConflict, "%s", err.Error())
	}
	return err
}

func (h *Handler) listProblems(c *call) (any, error) {
	q := c.req.QueryStringParameters
	f := problem.Filter{Team: q["team"], Limit: DefaultLimit}
	if v := q["status"]; v != "" {
		for _, raw := range strings.Split(v, ",") {
			st, err := problem.ParseStatus(raw)
			if err != nil {
				return nil, fail(errBadRequest, "%s", err.Error())
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
	ps, err := h.Problems.ListProblems(c.ctx, f)
	if err != nil {
		return nil, err
	}
	// One query of the action index per problem listed: bounded by the page.
	acts := map[string][]ProblemAction{}
	for _, p := range ps {
		list, err := h.problemActions(c.ctx, p)
		if err != nil {
			return nil, err
		}
		if len(list) > 0 {
			acts[p.ID] = list
		}
	}
	return ProblemsResponse{Problems: ps, Count: len(ps), Actions: acts}, nil
}

func (h *Handler) showProblem(ctx context.Context, id string) (ProblemResponse, error) {
	p, err := h.Problems.GetProblem(ctx, id)
	if err != nil {
		return ProblemResponse{}, err
	}
	tl, err := h.Problems.ProblemTimeline(ctx, id)
	if err != nil {
		return ProblemResponse{}, err
	}
	if tl == nil {
		tl = []problem.Entry{}
	}
	acts, err := h.problemActions(ctx, p)
	if err != nil {
		return ProblemResponse{}, err
	}
	return ProblemResponse{Problem: p, Actions: acts, Timeline: tl}, nil
}

func (h *Handler) openProblem(c *call) (any, error) {
	var body OpenProblemRequest
	if err := decode(c.body, &body); err != nil {
		return nil, err
	}
	var p problem.Problem
	err := h.do(c.ctx, func(ctx context.Context) error {
		var err error
		p, err = h.problemService().Open(ctx, problem.OpenRequest{Title: body.Title, Team: body.Team, Reason: body.Reason,
			Incidents: body.Incidents, By: c.actor})
		return err
	})
	if err != nil {
		return nil, problemErr(err)
	}
	v, err := h.showProblem(c.ctx, p.ID)
	if err != nil {
		return nil, err
	}
	return createdBody{v}, nil
}

func (h *Handler) changeProblem(c *call, id, what string) (any, error) {
	svc := h.problemService()
	var change func(ctx context.Context) error
	switch what {
	case "link":
		var body LinkProblemRequest
		if err := decode(c.body, &body); err != nil {
			return nil, err
		}
		change = func(ctx context.Context) error { _, err := svc.Link(ctx, id, body.Incidents, c.actor); return err }
	case "status":
		var body ProblemStatusRequest
		if err := decode(c.body, &body); err != nil {
			return nil, err
		}
		st, err := problem.ParseStatus(body.Status)
		if err != nil {
			return nil, fail(errBadRequest, "%s", err.Error())
		}
		change = func(ctx context.Context) error {
			_, err := svc.SetStatus(ctx, id, st, c.actor, body.Reason)
			return err
		}
	default:
		var body ProblemNoteRequest
		if err := decode(c.body, &body); err != nil {
			return nil, err
		}
		change = func(ctx context.Context) error {
			_, err := svc.Note(ctx, id, problem.NoteRequest{Text: body.Text, RootCause: body.RootCause, Workaround: body.Workaround,
				Actions: body.Actions, By: c.actor})
			return err
		}
	}
	if err := h.do(c.ctx, change); err != nil {
		return nil, problemErr(err)
	}
	v, err := h.showProblem(c.ctx, id)
	return v, problemErr(err)
}

// ParseSince reads a report's start: an RFC 3339 time, or a span back from now such as
// 7d, 36h or 90m.
func ParseSince(v string, now time.Time) (time.Time, error) {
	if v == "" {
		return now.Add(-7 * 24 * time.Hour), nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t.UTC(), nil
	}
	span := v
	mult := time.Duration(1)
	if strings.HasSuffix(v, "d") {
		span, mult = strings.TrimSuffix(v, "d")+"h", 24
	}
	d, err := time.ParseDuration(span)
	if err != nil || d <= 0 {
		return time.Time{}, errors.New("since " + strconv.Quote(v) + " is neither an RFC 3339 time nor a span like 7d, 36h or 90m")
	}
	return now.Add(-d * mult), nil
}

func (h *Handler) report(c *call) (any, error) {
	q := c.req.QueryStringParameters
	now := h.now()
	since, err := ParseSince(q["since"], now)
	if err != nil {
		return nil, fail(errBadRequest, "%s", err.Error())
	}
	if now.Sub(since) > MaxReportSpan {
		return nil, fail(errBadRequest, "since %s is more than %d days back", since.Format(time.RFC3339), int(MaxReportSpan.Hours()/24))
	}
	by, err := report.ParseBy(q["by"])
	if err != nil {
		return nil, fail(errBadRequest, "%s", strings.TrimPrefix(err.Error(), "--"))
	}
	in, err := ReportInput(c.ctx, h.Problems, since, now)
	if err != nil {
		return nil, err
	}
	in.By, in.Contributors = by, h.ReportSections
	if h.Lifecycle != nil {
		in.Config = h.Lifecycle.Config
	}
	return report.Build(c.ctx, in)
}

// ReportInput reads what a report of [since, now] is built from: the incidents opened in
// it, the problems opened and resolved in it (key conditions on the list index) and the
// problems open now.
func ReportInput(ctx context.Context, st Problems, since, now time.Time) (report.Input, error) {
	incs, err := st.List(ctx, store.Filter{OpenedSince: since})
	if err != nil {
		return report.Input{}, err
	}
	opened, err := st.ListProblems(ctx, problem.Filter{OpenedSince: since})
	if err != nil {
		return report.Input{}, err
	}
	resolved, err := st.ListProblems(ctx, problem.Filter{Status: []problem.Status{problem.Resolved}, ResolvedSince: since})
	if err != nil {
		return report.Input{}, err
	}
	open, err := st.ListProblems(ctx, problem.Filter{Status: []problem.Status{problem.Open, problem.Investigating, problem.KnownError}})
	if err != nil {
		return report.Input{}, err
	}
	return report.Input{Since: since, Until: now, Incidents: incs, Opened: opened, Resolved: resolved, OpenProblems: len(open)}, nil
}
