package api

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/firebreak-ops/firebreak/internal/action"
	"github.com/firebreak-ops/firebreak/internal/problem"
	"github.com/firebreak-ops/firebreak/internal/review"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// Post-incident reviews and tracked actions (packages review and action):
//
//	GET  /incidents/{id}/review            the review: structured, and its Markdown
//	POST /incidents/{id}/review/edit       {"section", "text"}: write a section
//	POST /incidents/{id}/review/complete   {"no_actions"}: mark it complete
//	GET  /actions?owner=&status=&overdue=&link=
//	POST /actions                          {"title", "owner", "due", "link_kind", "link"}: file one (201; 200 when filed before)
//	POST /actions/{id}/done                {}
//	POST /actions/{id}/wontdo              {"reason"}

// ReviewResponse is a review: the structured document and its Markdown.
type ReviewResponse struct {
	Document review.Document `json:"document"`
	Markdown string          `json:"markdown"`
}

// ReviewEditRequest is POST /incidents/{id}/review/edit.
type ReviewEditRequest struct {
	Section string `json:"section"`
	Text    string `json:"text"`
}

// ReviewCompleteRequest is POST /incidents/{id}/review/complete. NoActions says that
// the review needs no action: required to complete a review with none filed.
type ReviewCompleteRequest struct {
	NoActions bool `json:"no_actions"`
}

// ActionRequest is POST /actions.
type ActionRequest struct {
	Title    string    `json:"title"`
	Owner    string    `json:"owner"`
	Due      time.Time `json:"due"`
	LinkKind string    `json:"link_kind"` // incident, review or problem
	Link     string    `json:"link"`
}

// ActionCloseRequest is POST /actions/{id}/done and /actions/{id}/wontdo.
type ActionCloseRequest struct {
	Reason string `json:"reason,omitempty"` // required for wontdo
}

// ActionResponse is one action.
type ActionResponse struct {
	Action  action.Action `json:"action"`
	Overdue bool          `json:"overdue"`
	Late    bool          `json:"late"`
}

// ActionsResponse is GET /actions.
type ActionsResponse struct {
	Actions []action.Action `json:"actions"`
	Count   int             `json:"count"`
}

// followup serves a reviews or actions endpoint (routes.go): 404 where those are not
// served, and the services' errors mapped to the API's.
func followup(f func(h *Handler, c *call) (any, error)) func(h *Handler, c *call) (any, error) {
	return func(h *Handler, c *call) (any, error) {
		if h.Reviews == nil || h.Actions == nil {
			return nil, fail(errNotFound, "reviews and actions are not served here")
		}
		v, err := f(h, c)
		return v, followupError(err)
	}
}

// followupError maps the services' errors to the API's.
func followupError(err error) error {
	var p *public
	switch {
	case err == nil || errors.As(err, &p):
		return err
	case errors.Is(err, review.ErrInvalid) || errors.Is(err, action.ErrInvalid):
		return fail(errBadRequest, "%s", err.Error())
	case errors.Is(err, review.ErrConflict) || errors.Is(err, action.ErrConflict):
		return fail(errConflict, "%s", err.Error())
	case errors.Is(err, store.ErrNotFound):
		return fail(errNotFound, "%s", err.Error())
	}
	return err
}

func (h *Handler) showReview(c *call, id string) (any, error) {
	if err := checkID(id); err != nil {
		return nil, err
	}
	doc, err := h.Reviews.Document(c.ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fail(errNotFound, "incident %s has no review (reviews open when an incident at or above the configured severity is resolved)", id)
	}
	if err != nil {
		return nil, err
	}
	return ReviewResponse{Document: doc, Markdown: doc.Markdown()}, nil
}

func (h *Handler) editReview(c *call, id string) (any, error) {
	var req ReviewEditRequest
	if err := decode(c.body, &req); err != nil {
		return nil, err
	}
	if req.Section == "" {
		return nil, fail(errBadRequest, "section is required: one of %s", strings.Join(review.Sections, ", "))
	}
	err := h.do(c.ctx, func(ctx context.Context) error {
		_, err := h.Reviews.Edit(ctx, id, req.Section, req.Text, c.actor)
		return err
	})
	if err != nil {
		return nil, err
	}
	return h.showReview(c, id)
}

func (h *Handler) completeReview(c *call, id string) (any, error) {
	var req ReviewCompleteRequest
	if err := decode(c.body, &req); err != nil {
		return nil, err
	}
	err := h.do(c.ctx, func(ctx context.Context) error {
		_, err := h.Reviews.Complete(ctx, id, c.actor, req.NoActions)
		return err
	})
	if err != nil {
		return nil, err
	}
	return h.showReview(c, id)
}

func (h *Handler) listActions(c *call) (any, error) {
	q := c.req.QueryStringParameters
	query := action.Query{Owner: q["owner"], Link: q["link"], Status: action.Status(q["status"])}
	if v := q["overdue"]; v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return nil, fail(errBadRequest, "overdue %q is not true or false", v)
		}
		query.Overdue = b
	}
	list, err := h.Actions.List(c.ctx, query)
	if err != nil {
		return nil, err
	}
	if list == nil {
		list = []action.Action{}
	}
	return ActionsResponse{Actions: list, Count: len(list)}, nil
}

func (h *Handler) addAction(c *call) (any, error) {
	var req ActionRequest
	if err := decode(c.body, &req); err != nil {
		return nil, err
	}
	// An action keeps its problem open (problem.ActionsOf): it must name one that exists.
	// (Incidents are checked by the action service.)
	if action.LinkKind(req.LinkKind) == action.LinkProblem && req.Link != "" && h.Problems != nil {
		if _, err := h.Problems.GetProblem(c.ctx, req.Link); errors.Is(err, problem.ErrNotFound) {
			return nil, fail(errNotFound, "action linked to problem %s: there is no such problem", req.Link)
		} else if err != nil {
			return nil, err
		}
	}
	var (
		got     action.Action
		created bool
	)
	err := h.do(c.ctx, func(ctx context.Context) error {
		var err error
		got, created, err = h.Actions.Add(ctx, action.Action{Title: req.Title, Owner: req.Owner, Due: req.Due,
			LinkKind: action.LinkKind(req.LinkKind), Link: req.Link}, c.actor)
		return err
	})
	if err != nil {
		return nil, err
	}
	resp := h.actionResponse(got)
	if created {
		return createdBody{resp}, nil
	}
	return resp, nil
}

func (h *Handler) closeAction(c *call, id, verb string) (any, error) {
	var req ActionCloseRequest
	if err := decode(c.body, &req); err != nil {
		return nil, err
	}
	to := action.Done
	if verb == "wontdo" {
		to = action.WontDo
	}
	var got action.Action
	err := h.do(c.ctx, func(ctx context.Context) error {
		var err error
		got, err = h.Actions.Close(ctx, id, to, req.Reason, c.actor)
		return err
	})
	if err != nil {
		return nil, err
	}
	return h.actionResponse(got), nil
}

func (h *Handler) actionResponse(a action.Action) ActionResponse {
	return ActionResponse{Action: a, Overdue: a.Overdue(h.now()), Late: a.Late()}
}
