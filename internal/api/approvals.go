package api

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/runbook"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// Approver resumes the runbook execution waiting on an approval
// (runbook.StepFunctionsApprovals, or the local runbook.Runner); it returns an error
// matching runbook.ErrGone when the execution no longer waits for it.
type Approver interface {
	Resume(ctx context.Context, a store.Approval, approved bool, by string) error
}

var (
	_ Approver = runbook.StepFunctionsApprovals{}
	_ Approver = (*runbook.Runner)(nil)
)

// approval is POST /incidents/{id}/approvals/{key}/approve|reject {note}.
func (h *Handler) approval(c *call, id, key string, approve bool) (any, error) {
	var b NoteRequest
	if err := decode(c.body, &b); err != nil {
		return nil, err
	}
	if err := checkID(id); err != nil {
		return nil, err
	}
	if len(key) > 512 {
		return nil, fail(errBadRequest, "an approval key is at most 512 characters")
	}
	if len(b.Note) > maxReason {
		return nil, fail(errBadRequest, "note: at most %d characters", maxReason)
	}
	a, err := h.decide(c.ctx, id, key, approve, c.actor, strings.TrimSpace(b.Note))
	if err != nil {
		return nil, err
	}
	return ApprovalResponse{Approval: a}, nil
}

// decide records the decision, resumes the runbook and writes the timeline, as one step
// (see Steps). Deciding again the same way by the same caller (a retry) resumes again
// and succeeds; any other second decision is a conflict.
func (h *Handler) decide(ctx context.Context, id, key string, approve bool, by, note string) (store.Approval, error) {
	var a store.Approval
	err := h.do(ctx, func(ctx context.Context) error {
		var err error
		a, err = h.decideNow(ctx, id, key, approve, by, note)
		return err
	})
	return a, err
}

func (h *Handler) decideNow(ctx context.Context, id, key string, approve bool, by, note string) (store.Approval, error) {
	decision, kind := "rejected", incident.KindApprovalRejected
	if approve {
		decision, kind = "approved", incident.KindApprovalApproved
	}
	if h.Approver == nil {
		return store.Approval{}, errors.New("no approver configured: runbooks cannot be resumed here")
	}
	a, err := h.Store.Decide(ctx, id, key, decision, by, h.now())
	retry := err != nil && errors.Is(err, store.ErrDecided) && a.Decision == decision && a.By == by
	switch {
	case retry:
		// A retry of this decision: resume again (a no-op if it went through).
	case errors.Is(err, store.ErrDecided):
		return store.Approval{}, fail(errConflict, "approval %s of %s was already %s by %s at %s", key, id, a.Decision, a.By, a.DecidedAt.UTC().Format(time.RFC3339))
	case errors.Is(err, store.ErrNotFound):
		return store.Approval{}, fail(errNotFound, "incident %s has no approval %s", id, key)
	case err != nil:
		return store.Approval{}, err
	}
	rerr := h.Approver.Resume(ctx, a, approve, by)
	if retry && errors.Is(rerr, runbook.ErrGone) {
		rerr = nil // resumed by the first attempt
	}
	if rerr != nil && !errors.Is(rerr, runbook.ErrGone) {
		return store.Approval{}, fmt.Errorf("approval %s of %s %s, runbook not resumed: %w", key, id, decision, rerr)
	}
	detail := fmt.Sprintf("%s by %s: %s", strings.ToUpper(decision[:1])+decision[1:], by, a.Request)
	if note != "" {
		detail += " — " + note
	}
	if rerr != nil {
		detail += " (the runbook no longer waited for it)"
	}
	at := a.DecidedAt
	if at.IsZero() {
		at = h.now()
	}
	e := incident.Entry{Incident: id, At: at, Kind: kind, Actor: by, Detail: detail, Key: "api:approval:" + key,
		Data: map[string]string{"approval": key, "runbook": a.Runbook, "execution": a.Execution, "decision": decision}}
	if err := h.Store.AddEntries(ctx, e); err != nil {
		return store.Approval{}, err
	}
	h.log().InfoContext(ctx, "approval decided", "incident", id, "approval", key, "decision", decision, "by", by, "resumed", rerr == nil)
	if rerr != nil {
		return store.Approval{}, fail(errConflict, "approval %s of %s %s, but the runbook no longer waited for it (its execution ended or timed out)", key, id, decision)
	}
	a.Token = ""
	return a, nil
}

func clipText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}
