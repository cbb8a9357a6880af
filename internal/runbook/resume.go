package runbook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/firebreak-ops/firebreak/internal/asl"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// A runbook waiting for a human (its approve action) is resumed with the decision: an
// approval is the waiting task's success, with approvedOutput as its result
// ($.approval); a rejection is its failure RejectedError, which runbooks catch.

// ErrGone is returned when resuming an execution that no longer waits for the approval
// (it ended, timed out, or is unknown).
var ErrGone = errors.New("the runbook no longer waits for this approval")

// RejectedError is the error a rejected approval fails the waiting task with; runbooks
// catch it.
const RejectedError = "Runbook.Rejected"

// approvedOutput is what an approved task returns to the runbook ($.approval).
func approvedOutput(by string) (string, error) {
	b, err := json.Marshal(map[string]any{"approved": true, "by": by})
	return string(b), err
}

// rejectedCause is the cause a rejection fails the task with (the runbook records
// "rejected by <cause>"), within the 256 characters Step Functions allows.
func rejectedCause(by string) string {
	s := "rejected by " + by
	if len(s) <= 256 {
		return s
	}
	return strings.ToValidUTF8(s[:256], "")
}

// ResumeAPI is the part of Step Functions that resumes waiting tasks.
type ResumeAPI interface {
	SendTaskSuccess(ctx context.Context, in *sfn.SendTaskSuccessInput, optFns ...func(*sfn.Options)) (*sfn.SendTaskSuccessOutput, error)
	SendTaskFailure(ctx context.Context, in *sfn.SendTaskFailureInput, optFns ...func(*sfn.Options)) (*sfn.SendTaskFailureOutput, error)
}

var _ ResumeAPI = (*sfn.Client)(nil)

// StepFunctionsApprovals resumes runbooks running in Step Functions.
type StepFunctionsApprovals struct{ Client ResumeAPI }

// Resume sends the task success (approved) or the failure RejectedError.
func (s StepFunctionsApprovals) Resume(ctx context.Context, a store.Approval, approved bool, by string) error {
	var err error
	if approved {
		out, merr := approvedOutput(by)
		if merr != nil {
			return merr
		}
		_, err = s.Client.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String(a.Token), Output: aws.String(out)})
	} else {
		_, err = s.Client.SendTaskFailure(ctx, &sfn.SendTaskFailureInput{TaskToken: aws.String(a.Token), Error: aws.String(RejectedError),
			Cause: aws.String(rejectedCause(by))})
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

// Resume drives a local execution on with the decision (`firebreak serve`, dry-run).
func (r *Runner) Resume(ctx context.Context, a store.Approval, approved bool, by string) error {
	r.driving.Lock() // an execution is driven by one caller at a time
	defer r.driving.Unlock()
	err := r.decide(ctx, a.Execution, a.Token, approved, by)
	if errors.Is(err, errNotHere) {
		return fmt.Errorf("%w: execution %s is not running here", ErrGone, a.Execution)
	}
	if errors.Is(err, asl.ErrNotRunning) || errors.Is(err, asl.ErrUnknownToken) {
		return fmt.Errorf("%w (execution %s)", ErrGone, a.Execution)
	}
	if err != nil {
		return fmt.Errorf("resume execution %s: %w", a.Execution, err)
	}
	return nil
}

var errNotHere = errors.New("not found")
