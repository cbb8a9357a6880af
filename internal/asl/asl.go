package asl

import (
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"time"
)

// Predefined error names of the States Language (Appendix A of the specification).
const (
	ErrAll                    = "States.ALL"
	ErrTimeout                = "States.Timeout"
	ErrHeartbeatTimeout       = "States.HeartbeatTimeout"
	ErrTaskFailed             = "States.TaskFailed"
	ErrPermissions            = "States.Permissions"
	ErrResultPathMatchFailure = "States.ResultPathMatchFailure"
	ErrParameterPathFailure   = "States.ParameterPathFailure"
	ErrBranchFailed           = "States.BranchFailed"
	ErrNoChoiceMatched        = "States.NoChoiceMatched"
	ErrIntrinsicFailure       = "States.IntrinsicFailure"
	ErrRuntime                = "States.Runtime"
)

// Error is a named ASL error: what a Task reports, a Fail state raises, or the
// interpreter itself raises (States.Runtime, States.Timeout, ...). Retry and Catch match
// on Name.
type Error struct {
	Name  string
	Cause string
}

func (e *Error) Error() string {
	if e.Cause == "" {
		return e.Name
	}
	return e.Name + ": " + e.Cause
}

// A Call is one Task invocation as the interpreter resolved it.
type Call struct {
	Resource  string          // the Task's Resource string as written
	State     string          // state name
	Input     json.RawMessage // effective parameters after InputPath and Parameters
	TaskToken string          // set when Resource ends in ".waitForTaskToken"
	Attempt   int             // 0 for the first try, 1.. for retries
	Time      time.Time       // virtual time of the call
	Execution string          // execution name
}

// An Invoker answers Task calls. Return an *Error (possibly wrapped) to fail with a
// named error that Retry and Catch match; any other error becomes States.TaskFailed with
// the error text as Cause. For ".waitForTaskToken" tasks the result is ignored (unless
// it is an error) and the execution waits for SendTaskSuccess or SendTaskFailure.
//
// An Invoker must not call back into the Execution synchronously, except for
// SendTaskSuccess, SendTaskFailure and SendTaskHeartbeat on the token of the call it is
// answering (those are queued and applied when Invoke returns).
type Invoker interface {
	Invoke(ctx context.Context, c Call) (json.RawMessage, error)
}

// InvokerFunc adapts a function to the Invoker interface.
type InvokerFunc func(ctx context.Context, c Call) (json.RawMessage, error)

// Invoke calls f.
func (f InvokerFunc) Invoke(ctx context.Context, c Call) (json.RawMessage, error) {
	return f(ctx, c)
}

// Options configure one execution.
type Options struct {
	Name             string             // execution name (required); also $$.Execution.Name and part of $$.Execution.Id
	StartTime        time.Time          // virtual clock start; zero means 2024-01-01T00:00:00Z
	Invoker          Invoker            // answers Task states; required when the machine has Task states
	Observer         func(HistoryEvent) // optional; called for each history event as it is recorded
	StateMachineName string             // for $$.StateMachine; empty means "StateMachine"
	Rand             *rand.Rand         // seeds States.UUID, States.MathRandom and FULL jitter; nil means a fixed seed
	MaxSteps         int                // state entries and retries allowed before failing with States.Runtime; 0 means DefaultMaxSteps
}

const (
	// DefaultMaxSteps bounds the number of state entries and retries of an execution.
	DefaultMaxSteps = 10000
	// DefaultStateMachineName names the state machine in the context object when
	// Options.StateMachineName is empty.
	DefaultStateMachineName = "StateMachine"
	// Region and Account appear in the ARNs of the context object.
	Region  = "us-east-1"
	Account = "123456789012"
)

// StateMachineARN is $$.StateMachine.Id for a state machine name.
func StateMachineARN(stateMachine string) string {
	return "arn:aws:states:" + Region + ":" + Account + ":stateMachine:" + stateMachine
}

// ExecutionARN is $$.Execution.Id for a state machine and execution name.
func ExecutionARN(stateMachine, execution string) string {
	return "arn:aws:states:" + Region + ":" + Account + ":execution:" + stateMachine + ":" + execution
}

// RoleARN is $$.Execution.RoleArn for a state machine name.
func RoleARN(stateMachine string) string {
	return "arn:aws:iam::" + Account + ":role/StepFunctions-" + stateMachine + "-role"
}

// Status is the state of an execution.
type Status string

// Execution statuses.
const (
	StatusRunning   Status = "RUNNING"
	StatusWaiting   Status = "WAITING" // every running branch is blocked on a task token
	StatusSucceeded Status = "SUCCEEDED"
	StatusFailed    Status = "FAILED"
)

// HistoryEvent is one entry of an execution's history. State is the qualified state name
// used by Execution.Path ("Fanout/1/Notify"), or the branch or iteration ("Fanout/1")
// for the Parallel and Map events. Input is a state's raw input (StateEntered) or a
// Task's effective parameters (TaskScheduled); Output is a state's output, a Task's
// result, or for WaitStarted the time the Wait ends. Attempt numbers retries from 1.
type HistoryEvent struct {
	Type     string
	State    string
	Time     time.Time
	Input    json.RawMessage `json:",omitempty"`
	Output   json.RawMessage `json:",omitempty"`
	Resource string          `json:",omitempty"`
	Error    string          `json:",omitempty"`
	Cause    string          `json:",omitempty"`
	Attempt  int             `json:",omitempty"`
	Token    string          `json:",omitempty"`
}

// History event types.
const (
	EventExecutionStarted        = "ExecutionStarted"
	EventExecutionSucceeded      = "ExecutionSucceeded"
	EventExecutionFailed         = "ExecutionFailed"
	EventStateEntered            = "StateEntered"
	EventStateExited             = "StateExited"
	EventStateFailed             = "StateFailed"
	EventTaskScheduled           = "TaskScheduled"
	EventTaskSucceeded           = "TaskSucceeded"
	EventTaskFailed              = "TaskFailed"
	EventTaskWaiting             = "TaskWaiting"
	EventTaskHeartbeat           = "TaskHeartbeat"
	EventWaitStarted             = "WaitStarted"
	EventRetryScheduled          = "RetryScheduled"
	EventCatchTaken              = "CatchTaken"
	EventParallelBranchStarted   = "ParallelBranchStarted"
	EventParallelBranchSucceeded = "ParallelBranchSucceeded"
	EventParallelBranchFailed    = "ParallelBranchFailed"
	EventParallelBranchAborted   = "ParallelBranchAborted"
	EventMapIterationStarted     = "MapIterationStarted"
	EventMapIterationSucceeded   = "MapIterationSucceeded"
	EventMapIterationFailed      = "MapIterationFailed"
	EventMapIterationAborted     = "MapIterationAborted"
)

// Sentinel errors returned by Execution methods.
var (
	ErrUnknownToken = errors.New("asl: unknown or settled task token")
	ErrNotRunning   = errors.New("asl: execution is not running")
)
