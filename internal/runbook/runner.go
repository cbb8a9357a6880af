package runbook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"text/template"
	"time"

	"github.com/firebreak-ops/firebreak/internal/asl"
	"github.com/firebreak-ops/firebreak/internal/incident"
)

// Answer is a dry-run answer to one AWS call: an output, an output rendered from the
// call's parameters (a text/template over .Input, with a json function, so answers name
// the resources the runbook asked about), or a named error.
type Answer struct {
	Output   json.RawMessage `json:"output,omitempty"`
	Template string          `json:"template,omitempty"`
	Error    string          `json:"error,omitempty"`
	Cause    string          `json:"cause,omitempty"`
}

var fixtureFuncs = template.FuncMap{"json": func(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}}

// render produces the answer's output for a call.
func (a *Answer) render(input json.RawMessage) (json.RawMessage, error) {
	if a.Template == "" {
		if len(a.Output) == 0 {
			return json.RawMessage(`{}`), nil
		}
		return a.Output, nil
	}
	t, err := template.New("fixture").Funcs(fixtureFuncs).Option("missingkey=error").Parse(a.Template)
	if err != nil {
		return nil, err
	}
	var in any
	if err := json.Unmarshal(input, &in); err != nil {
		return nil, err
	}
	var b strings.Builder
	if err := t.Execute(&b, map[string]any{"Input": in}); err != nil {
		return nil, err
	}
	out := json.RawMessage(b.String())
	if !json.Valid(out) {
		return nil, fmt.Errorf("template did not render JSON: %s", out)
	}
	return out, nil
}

// Fixtures are a runbook's dry-run answers: per Task state, in call order.
type Fixtures map[string][]Answer

// Error names of dry-run calls the fixtures cannot answer.
const (
	ErrNoFixture  = "DryRun.NoFixture"
	ErrBadFixture = "DryRun.BadFixture"
)

// LocalFunctionARN stands for the runbook task Lambda when runbooks run locally.
const LocalFunctionARN = "arn:aws:lambda:local:000000000000:function:firebreak-runbook"

// Runner executes runbooks in-process with internal/asl, in dry-run: the Lambda task runs
// in-process (it writes the timeline and asks for approvals) and every AWS call is
// recorded on the incident's timeline with its parameters and answered from fixtures.
// It is a Starter, so `firebreak replay`, `make demo` and runbooks marked dry_run in
// production use it in place of Step Functions, and it resumes its runs (Resume).
type Runner struct {
	Machines map[string]*asl.Machine
	Fixtures map[string]Fixtures
	Task     *Task
	Now      func() time.Time

	mu      sync.Mutex
	execs   map[string]*Run
	driving sync.Mutex // held by Resume: an execution is driven by one caller at a time
}

var _ Starter = (*Runner)(nil)

// Run is one local execution.
type Run struct {
	Runbook  string
	Incident string
	Name     string
	// Exec is the execution while it runs or waits for a human; nil once it has ended,
	// when only its outcome is kept (Status, Err): a replay runs runbooks for many
	// incidents, and a finished execution still held its output.
	Exec *asl.Execution

	end  *outcome    // the outcome of an ended run
	told atomic.Bool // the runbook told the owner something itself (its notify action)
}

// outcome is what is kept of an ended execution.
type outcome struct {
	status asl.Status
	err    error
	at     time.Time // the execution's clock when it ended
}

// Status is the run's execution status ("" before it started).
func (r *Run) Status() asl.Status {
	switch {
	case r.end != nil:
		return r.end.status
	case r.Exec != nil:
		return r.Exec.Status()
	}
	return ""
}

// Err is the error the run failed with, else nil.
func (r *Run) Err() error {
	switch {
	case r.end != nil:
		return r.end.err
	case r.Exec != nil:
		return r.Exec.Err()
	}
	return nil
}

// at is the run's execution clock.
func (r *Run) at() time.Time {
	if r.end != nil {
		return r.end.at
	}
	return r.Exec.Now()
}

// Result names the outcome of a run for summaries: succeeded, failed or waiting.
func (r *Run) Result() string {
	switch r.Status() {
	case asl.StatusSucceeded:
		return "succeeded"
	case asl.StatusFailed:
		return "failed"
	case asl.StatusWaiting:
		return "waiting"
	}
	return "running"
}

// Start runs the runbook until it ends or waits for a human.
func (r *Runner) Start(ctx context.Context, runbook, name string, input json.RawMessage) (Execution, error) {
	m, ok := r.Machines[runbook]
	if !ok {
		return Execution{}, cannotStart{fmt.Errorf("runbook %q is not loaded", runbook)}
	}
	var in Input
	if err := json.Unmarshal(input, &in); err != nil || in.Incident.ID == "" {
		return Execution{}, cannotStart{fmt.Errorf("runbook %s: input names no incident", runbook)}
	}
	r.mu.Lock()
	if r.execs == nil {
		r.execs = map[string]*Run{}
	}
	if prev, ok := r.execs[name]; ok {
		r.mu.Unlock()
		if prev.Exec != nil || prev.end != nil { // a failure notice that failed to go out goes out now
			if err := r.ended(ctx, prev); err != nil {
				return Execution{}, err
			}
		}
		return describe(prev, "already started"), nil
	}
	run := &Run{Runbook: runbook, Incident: in.Incident.ID, Name: name}
	r.execs[name] = run
	r.mu.Unlock()

	answers := map[string][]Answer{}
	for state, list := range r.Fixtures[runbook] {
		answers[state] = append([]Answer(nil), list...)
	}
	var mu sync.Mutex
	seq := 0
	inv := asl.InvokerFunc(func(ctx context.Context, c asl.Call) (json.RawMessage, error) {
		// The virtual clock stands still between tasks: stamp this run's entries with
		// their order in nanoseconds so the timeline reads in execution order.
		mu.Lock()
		seq++
		c.Time = c.Time.Add(time.Duration(seq) + 1) // after the runbook-started entry (its change's time + 1ns)
		mu.Unlock()
		if strings.HasPrefix(c.Resource, "arn:aws:states:::lambda:invoke") {
			return r.invokeTask(ctx, run, c)
		}
		mu.Lock()
		var a *Answer
		if list := answers[c.State]; len(list) > 0 {
			a = &list[0]
			if len(list) > 1 { // the last answer keeps answering (polls, retries)
				answers[c.State] = list[1:]
			}
		}
		mu.Unlock()
		if err := r.recordCall(ctx, run, c, a); err != nil {
			return nil, err
		}
		switch {
		case a == nil:
			return nil, &asl.Error{Name: ErrNoFixture, Cause: fmt.Sprintf("dry-run has no answer for state %s (%s)", c.State, c.Resource)}
		case a.Error != "":
			return nil, &asl.Error{Name: a.Error, Cause: a.Cause}
		}
		out, err := a.render(c.Input)
		if err != nil {
			return nil, &asl.Error{Name: ErrBadFixture, Cause: fmt.Sprintf("state %s: %v", c.State, err)}
		}
		return out, nil
	})
	ex, err := m.Start(ctx, input, asl.Options{Name: name, StartTime: r.now(), Invoker: inv, StateMachineName: "firebreak-" + runbook})
	if err != nil {
		return Execution{}, fmt.Errorf("run runbook %s: %w", runbook, err)
	}
	run.Exec = ex
	if err := r.finish(ctx, run); err != nil {
		return Execution{}, err
	}
	return describe(run, ""), nil
}

// finish tells the owner of a failed run if nothing did (ended), then keeps only the
// outcome of a run that has ended (its status, error and clock; not the execution and
// its output), so memory stays flat however many runs a replay makes.
func (r *Runner) finish(ctx context.Context, run *Run) error {
	if err := r.ended(ctx, run); err != nil {
		return err
	}
	if st := run.Exec.Status(); st == asl.StatusSucceeded || st == asl.StatusFailed {
		run.end = &outcome{status: st, err: run.Exec.Err(), at: run.Exec.Now()}
		run.Exec = nil
	}
	return nil
}

// ended tells the owner of a run that failed without telling them itself (a failure no
// Catch handled): what failed, at once.
func (r *Runner) ended(ctx context.Context, run *Run) error {
	if run.Status() != asl.StatusFailed || run.told.Load() {
		return nil
	}
	what := "unknown error"
	if e := run.Err(); e != nil {
		what = e.Error()
	}
	return r.Task.Failed(ctx, run.at(), run.Incident, run.Runbook, run.Name, what)
}

func describe(run *Run, status string) Execution {
	out := Execution{Name: run.Name, Status: status}
	if status == "" && (run.Exec != nil || run.end != nil) {
		switch run.Status() {
		case asl.StatusSucceeded:
			out.Status = "succeeded (dry-run)"
		case asl.StatusFailed:
			out.Status = "failed (dry-run)"
			if e := run.Err(); e != nil {
				out.Detail = e.Error()
			}
		case asl.StatusWaiting:
			out.Status = "waiting for approval (dry-run)"
		default:
			out.Status = "running (dry-run)"
		}
	}
	return out
}

// mutating reports whether an AWS action changes something (dry-run skips it): anything
// but Describe*, Get*, List*, Lookup*.
func mutating(resource string) bool {
	action := resource[strings.LastIndex(resource, ":")+1:]
	for _, p := range []string{"describe", "get", "list", "lookup"} {
		if strings.HasPrefix(action, p) {
			return false
		}
	}
	return true
}

func (r *Runner) recordCall(ctx context.Context, run *Run, c asl.Call, a *Answer) error {
	api := strings.TrimPrefix(c.Resource, "arn:aws:states:::aws-sdk:")
	verb := "answered from fixtures"
	if mutating(c.Resource) {
		verb = "would call (not made: dry-run)"
	}
	detail := fmt.Sprintf("dry-run: %s %s %s", api, verb, c.Input)
	data := map[string]string{"runbook": run.Runbook, "execution": run.Name, "state": c.State, "api": api, "parameters": string(c.Input), "dry_run": "true"}
	if a != nil && a.Error != "" {
		data["answer_error"] = a.Error
	}
	return r.Task.Store.AddEntries(ctx, incident.Entry{Incident: run.Incident, At: c.Time, Kind: incident.KindRunbookCall, Actor: "runbook:" + run.Runbook,
		Detail: detail, Key: fmt.Sprintf("dry:%s:%s:%d", run.Name, c.State, c.Attempt), Data: data})
}

// invokeTask answers lambda:invoke calls with the in-process task, in the shape the
// Lambda service integration returns.
func (r *Runner) invokeTask(ctx context.Context, run *Run, c asl.Call) (json.RawMessage, error) {
	var in struct {
		Payload Payload `json:"Payload"`
	}
	if err := json.Unmarshal(c.Input, &in); err != nil {
		return nil, &asl.Error{Name: "Runbook.BadPayload", Cause: err.Error()}
	}
	p := in.Payload
	p.At = c.Time.UTC().Format(time.RFC3339Nano) // the virtual clock, in execution order (see Start)
	if p.Action == "notify" {
		run.told.Store(true)
	}
	if c.TaskToken != "" && p.Token == "" {
		p.Token = c.TaskToken
	}
	out, err := r.Task.Handle(ctx, p)
	if err != nil {
		if errors.Is(err, ErrBadPayload) {
			return nil, &asl.Error{Name: "Runbook.BadPayload", Cause: err.Error()}
		}
		return nil, err
	}
	b, err := json.Marshal(map[string]any{"Payload": out, "StatusCode": 200, "ExecutedVersion": "$LATEST"})
	if err != nil {
		return nil, err
	}
	return b, nil
}

// Decide resumes the execution waiting on the approval token: approved → task success,
// otherwise task failure RejectedError.
func (r *Runner) Decide(ctx context.Context, execution, token string, approved bool, by string) error {
	return r.decide(ctx, execution, token, approved, by)
}

func (r *Runner) decide(ctx context.Context, execution, token string, approved bool, by string) error {
	r.mu.Lock()
	run, ok := r.execs[execution]
	r.mu.Unlock()
	if !ok {
		return fmt.Errorf("execution %s: %w", execution, errNotHere)
	}
	if run.end != nil {
		return fmt.Errorf("execution %s: %w", execution, asl.ErrNotRunning)
	}
	if run.Exec == nil {
		return fmt.Errorf("execution %s: not started yet", execution)
	}
	// The decision comes now: the execution's clock catches up first (a decision after
	// the approval's timeout finds the task timed out, as in Step Functions).
	if d := r.now().Sub(run.Exec.Now()); d > 0 {
		if err := run.Exec.Advance(ctx, d); err != nil {
			return err
		}
	}
	if approved {
		out, err := approvedOutput(by)
		if err != nil {
			return err
		}
		if err := run.Exec.SendTaskSuccess(ctx, token, json.RawMessage(out)); err != nil {
			return err
		}
		return r.finish(ctx, run)
	}
	if err := run.Exec.SendTaskFailure(ctx, token, RejectedError, by); err != nil { // the runbook records "rejected by <cause>"
		return err
	}
	return r.finish(ctx, run)
}

// Runs returns every local execution, by name.
func (r *Runner) Runs() []*Run {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]*Run, 0, len(r.execs))
	for _, x := range r.execs {
		out = append(out, x)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func (r *Runner) now() time.Time {
	if r.Now == nil {
		return time.Now().UTC()
	}
	return r.Now().UTC()
}
