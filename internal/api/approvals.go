package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/firebreak-ops/firebreak/internal/asl"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/runbook"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// Approver resumes the runbook execution waiting on an approval.
type Approver interface {
	Resume(ctx context.Context, a store.Approval, approved bool, by string) error
}

// ErrGone is returned by an Approver when the execution no longer waits for the
// approval (it ended, timed out, or is unknown).
var ErrGone = errors.New("the runbook no longer waits for this approval")

// RejectedError is the error a rejected approval fails the waiting task with; runbooks
// catch it.
const RejectedError = "Runbook.Rejected"

// resumeOutput is what an approved task returns to the runbook ($.approval).
func resumeOutput(by string) (string, error) {
	b, err := json.Marshal(map[string]any{"approved": true, "by": by})
	return string(b), err
}

// SFN is the part of Step Functions the API uses.
type SFN interface {
	SendTaskSuccess(ctx context.Context, in *sfn.SendTaskSuccessInput, optFns ...func(*sfn.Options)) (*sfn.SendTaskSuccessOutput, error)
	SendTaskFailure(ctx context.Context, in *sfn.SendTaskFailureInput, optFns ...func(*sfn.Options)) (*sfn.SendTaskFailureOutput, error)
}

var _ SFN = (*sfn.Client)(nil)

// StepFunctions resumes runbooks running in Step Functions.
type StepFunctions struct{ Client SFN }

// Resume sends the task success (approved) or the failure Runbook.Rejected.
func (s StepFunctions) Resume(ctx context.Context, a store.Approval, approved bool, by string) error {
	var err error
	if approved {
		out, merr := resumeOutput(by)
		if merr != nil {
			return merr
		}
		_, err = s.Client.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String(a.Token), Output: aws.String(out)})
	} else {
		_, err = s.Client.SendTaskFailure(ctx, &sfn.SendTaskFailureInput{TaskToken: aws.String(a.Token), Error: aws.String(RejectedError),
			Cause: aws.String(clipText("rejected by "+by, 256))})
	}
	var timedOut *types.TaskTimedOut
	var noTask *types.TaskDoesNotExist
	var invalid *types.InvalidToken
	if errors.As(err, &timedOut) || errors.As(err, &noTask) || errors.As(err, &invalid) {
		return fmt.Errorf("%w (execution %s): %w", ErrGone, a.Execution, err)
	}
	if err != nil {
		return fmt.Errorf("resume execution %s: %w", a.Execution, err)
	}
	return nil
}

// LocalRunner is the local runbook runner (runbook.Runner).
type LocalRunner interface {
	Decide(ctx context.Context, execution, token string, approved bool, by string) error
	Runs() []*runbook.Run
}

var _ LocalRunner = (*runbook.Runner)(nil)

// Local resumes runbooks running in-process (`firebreak serve`, dry-run).
type Local struct {
	Runner LocalRunner
	mu     sync.Mutex // an execution is driven by one caller at a time
}

// Resume drives the local execution on with the decision.
func (l *Local) Resume(ctx context.Context, a store.Approval, approved bool, by string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	known := false
	for _, r := range l.Runner.Runs() {
		if r.Name == a.Execution {
			known = true
		}
	}
	if !known {
		return fmt.Errorf("%w: execution %s is not running here", ErrGone, a.Execution)
	}
	err := l.Runner.Decide(ctx, a.Execution, a.Token, approved, by)
	if errors.Is(err, asl.ErrNotRunning) || errors.Is(err, asl.ErrUnknownToken) {
		return fmt.Errorf("%w (execution %s)", ErrGone, a.Execution)
	}
	if err != nil {
		return fmt.Errorf("resume execution %s: %w", a.Execution, err)
	}
	return nil
}

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
	decision := "rejected"
	if approve {
		decision = "approved"
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
	if retry && errors.Is(rerr, ErrGone) {
		rerr = nil // resumed by the first attempt
	}
	if rerr != nil && !errors.Is(rerr, ErrGone) {
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
	e := incident.Entry{Incident: id, At: at, Kind: "approval-" + decision, Actor: by, Detail: detail, Key: "api:approval:" + key,
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
