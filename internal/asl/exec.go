package asl

import (
	"bytes"
	"container/heap"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"
)

// Execution is one run of a Machine. It is driven by Start, SendTaskSuccess,
// SendTaskFailure, SendTaskHeartbeat and Advance, each of which returns once the
// execution has ended or every running branch waits for a task token. An Execution is
// not safe for concurrent use: callers serialise their calls.
//
// Scheduling is a discrete-event simulation on a virtual clock. Runnable threads (the
// top level, Parallel branches, Map iterations) run one at a time, depth first and in
// index order, each until it ends or blocks; a blocked thread sleeps until a virtual time
// (Wait states, Retry backoff) or waits for a task token. When nothing is runnable the
// clock jumps to the earliest sleeper, firing any task deadline that falls before it.
// Deadlines of task-token waits are otherwise fired only by Advance.
type Execution struct {
	m        *Machine
	name     string
	smName   string
	invoker  Invoker
	observer func(HistoryEvent)
	rng      *rand.Rand
	maxSteps int

	start  time.Time
	now    time.Time
	input  any
	status Status
	output any
	err    *Error

	history []HistoryEvent
	path    []string
	steps   int

	runq     []*thread
	timers   timerHeap
	seq      uint64
	sleepers int
	waits    map[string]*tokenWait
	order    []*tokenWait
	tokenSeq int
	root     *thread

	running  bool
	inbox    []tokenReply
	ctx      context.Context
	abortErr error
}

// thread runs one (sub-)state machine: the top level, a Parallel branch or a Map
// iteration.
type thread struct {
	sm     *stateMachine
	parent *thread
	prefix string // qualified-name prefix: "" at the top level, "P/0/" in branch 0 of P
	label  string // "P/0", for branch and iteration events
	isMap  bool   // a Map iteration rather than a Parallel branch

	st      *state
	raw     any // raw input of the current state
	entered time.Time
	retries []int64
	attempt int

	resume    func()
	timer     *timer
	wait      *tokenWait
	kids      []*thread
	started   bool
	done      bool
	cancelled bool
	onDone    func(out any, err *Error)
}

type tokenWait struct {
	token     string
	th        *thread
	state     string
	resource  string
	timeout   *timer
	heartbeat *timer
	hbEvery   time.Duration
	invoking  bool // Invoke has not returned yet
}

type tokenReply struct {
	token     string
	heartbeat bool
	ok        bool
	output    any
	err       *Error
}

// Start begins an execution with input (empty means {}) and runs it until it ends or
// waits for task tokens. The error is for bad options or input, or a cancelled ctx; how
// the execution itself ended is in Status and Err.
func (m *Machine) Start(ctx context.Context, input json.RawMessage, o Options) (*Execution, error) {
	if o.Name == "" {
		return nil, errors.New("asl: Options.Name (the execution name) is required")
	}
	if o.Invoker == nil && len(m.resources) > 0 {
		return nil, errors.New("asl: Options.Invoker is required: the state machine has Task states")
	}
	var in any = newObject(0)
	if len(bytes.TrimSpace(input)) > 0 {
		v, err := decodeJSON(input)
		if err != nil {
			return nil, fmt.Errorf("asl: execution input is not valid JSON: %w", err)
		}
		in = v
	}
	e := &Execution{
		m:        m,
		name:     o.Name,
		smName:   o.StateMachineName,
		invoker:  o.Invoker,
		observer: o.Observer,
		rng:      o.Rand,
		maxSteps: o.MaxSteps,
		start:    o.StartTime,
		input:    in,
		status:   StatusRunning,
		waits:    map[string]*tokenWait{},
	}
	if e.smName == "" {
		e.smName = DefaultStateMachineName
	}
	if e.rng == nil {
		e.rng = rand.New(rand.NewPCG(0x5eed, 0xa51))
	}
	if e.maxSteps <= 0 {
		e.maxSteps = DefaultMaxSteps
	}
	if e.start.IsZero() {
		e.start = time.Date(2024, time.January, 1, 0, 0, 0, 0, time.UTC)
	}
	e.start = e.start.UTC()
	e.now = e.start
	err := e.drive(ctx, e.begin, e.now)
	return e, err
}

// Status reports the state of the execution.
func (e *Execution) Status() Status { return e.status }

// Output returns the execution output when it SUCCEEDED, else nil.
func (e *Execution) Output() json.RawMessage {
	if e.status != StatusSucceeded {
		return nil
	}
	return encodeJSON(e.output)
}

// Err returns the error the execution FAILED with, else nil.
func (e *Execution) Err() *Error {
	if e.err == nil {
		return nil
	}
	c := *e.err
	return &c
}

// History returns the events recorded so far.
func (e *Execution) History() []HistoryEvent { return slices.Clone(e.history) }

// Path returns the names of the states entered, in order. States inside a Parallel
// branch or a Map iteration are qualified by the parent state and the branch or item
// index: "Fanout/1/Notify" is state Notify in branch 1 of Fanout, and nesting repeats
// the scheme ("Outer/0/Items/3/Check").
func (e *Execution) Path() []string { return slices.Clone(e.path) }

// Now returns the virtual clock.
func (e *Execution) Now() time.Time { return e.now }

// Compact keeps only the outcome of an execution that has ended (SUCCEEDED or FAILED):
// Status, Err, Output and Now still answer; History, Path and the input are dropped, and
// so are the machine, the invoker and the threads, so a host that runs many executions
// (replay of a million events) holds a few words per finished one. It reports whether
// the execution had ended; a running or waiting one is left whole.
func (e *Execution) Compact() bool {
	if e.status != StatusSucceeded && e.status != StatusFailed {
		return false
	}
	*e = Execution{name: e.name, smName: e.smName, start: e.start, now: e.now,
		status: e.status, output: e.output, err: e.err, steps: e.steps}
	return true
}

// WaitingTokens returns the task tokens currently awaited, oldest first.
func (e *Execution) WaitingTokens() []string {
	out := make([]string, 0, len(e.order))
	for _, w := range e.order {
		if !w.invoking {
			out = append(out, w.token)
		}
	}
	return out
}

// SendTaskSuccess completes the task waiting on token with output (empty means null)
// and runs the execution on until it ends or waits again.
func (e *Execution) SendTaskSuccess(ctx context.Context, token string, output json.RawMessage) error {
	var v any
	if len(bytes.TrimSpace(output)) > 0 {
		var err error
		if v, err = decodeJSON(output); err != nil {
			return fmt.Errorf("asl: task output is not valid JSON: %w", err)
		}
	}
	return e.reply(ctx, tokenReply{token: token, ok: true, output: v})
}

// SendTaskFailure fails the task waiting on token with the named error; Retry and Catch
// apply as for any task failure.
func (e *Execution) SendTaskFailure(ctx context.Context, token, errName, cause string) error {
	if errName == "" {
		errName = ErrTaskFailed
	}
	return e.reply(ctx, tokenReply{token: token, err: &Error{Name: errName, Cause: cause}})
}

// SendTaskHeartbeat restarts the HeartbeatSeconds clock of the task waiting on token.
func (e *Execution) SendTaskHeartbeat(ctx context.Context, token string) error {
	return e.reply(ctx, tokenReply{token: token, heartbeat: true})
}

// Advance moves the virtual clock forward by d, firing the TimeoutSeconds and
// HeartbeatSeconds deadlines of waiting tasks (States.Timeout, States.HeartbeatTimeout)
// and the execution's own TimeoutSeconds that fall within it, in time order.
func (e *Execution) Advance(ctx context.Context, d time.Duration) error {
	if d < 0 {
		return fmt.Errorf("asl: Advance by a negative duration %v", d)
	}
	if e.running {
		return errors.New("asl: Advance called while the execution is running")
	}
	target := e.now.Add(d)
	var err error
	if e.status == StatusWaiting || e.status == StatusRunning {
		err = e.drive(ctx, nil, target)
	}
	if e.now.Before(target) {
		e.now = target
	}
	return err
}

func (e *Execution) reply(ctx context.Context, r tokenReply) error {
	w, ok := e.waits[r.token]
	if !ok {
		if e.status == StatusSucceeded || e.status == StatusFailed {
			return fmt.Errorf("%w: %q (execution %s)", ErrNotRunning, r.token, e.status)
		}
		return fmt.Errorf("%w: %q", ErrUnknownToken, r.token)
	}
	if e.running {
		// Called from inside Invoke (or an Observer): apply once control returns.
		e.inbox = append(e.inbox, r)
		return nil
	}
	return e.drive(ctx, func() { e.applyReply(w, r) }, e.now)
}

// drive runs first (if any) and then the scheduler, guarding against bugs: a panic
// fails the execution with States.Runtime instead of escaping.
func (e *Execution) drive(ctx context.Context, first func(), limit time.Time) (err error) {
	e.running = true
	e.ctx = ctx
	e.abortErr = nil
	defer func() {
		if r := recover(); r != nil {
			e.finish(nil, &Error{Name: ErrRuntime, Cause: fmt.Sprintf("internal error in the ASL interpreter: %v", r)})
		}
		e.running = false
		e.ctx = nil
		err = e.abortErr
	}()
	if first != nil {
		first()
	}
	e.run(limit)
	return nil
}

// run is the scheduler loop.
func (e *Execution) run(limit time.Time) {
	for e.status == StatusRunning || e.status == StatusWaiting {
		e.status = StatusRunning
		if err := e.ctx.Err(); err != nil {
			e.abort(err)
			return
		}
		if len(e.inbox) > 0 {
			r := e.inbox[0]
			e.inbox = e.inbox[1:]
			if w, ok := e.waits[r.token]; ok {
				e.applyReply(w, r)
			}
			continue
		}
		if len(e.runq) > 0 {
			th := e.runq[0]
			e.runq = e.runq[1:]
			f := th.resume
			th.resume = nil
			if th.cancelled || f == nil {
				continue
			}
			f()
			continue
		}
		t := e.timers.peek()
		if t == nil {
			break
		}
		if !t.sleep && e.sleepers == 0 && t.at.After(limit) {
			break
		}
		heap.Pop(&e.timers)
		if t.at.After(e.now) {
			e.now = t.at
		}
		if t.sleep {
			e.sleepers--
		}
		t.fire()
	}
	if e.status == StatusRunning {
		if len(e.waits) > 0 {
			e.status = StatusWaiting
			return
		}
		e.finish(nil, &Error{Name: ErrRuntime, Cause: "internal error in the ASL interpreter: the execution stalled"})
	}
}

func (e *Execution) abort(err error) {
	e.abortErr = fmt.Errorf("asl: execution %s aborted: %w", e.name, err)
	e.finish(nil, &Error{Name: ErrRuntime, Cause: "execution aborted: " + err.Error()})
}

// begin starts the execution.
func (e *Execution) begin() {
	e.event(HistoryEvent{Type: EventExecutionStarted, Input: encodeJSON(e.input)})
	if e.m.timeout > 0 {
		e.addTimer(e.start.Add(time.Duration(e.m.timeout)*time.Second), false, func() {
			e.finish(nil, &Error{Name: ErrTimeout, Cause: fmt.Sprintf("the execution did not finish within its TimeoutSeconds (%d)", e.m.timeout)})
		})
	}
	e.root = &thread{sm: e.m.root, started: true}
	input := e.input
	e.schedule(e.root, func() { e.enter(e.root, e.m.root.startAt, input) }, true)
}

// finish ends the execution.
func (e *Execution) finish(out any, err *Error) {
	if e.status == StatusSucceeded || e.status == StatusFailed {
		return
	}
	if e.root != nil {
		e.cancel(e.root, false)
	}
	e.runq = nil
	for _, t := range e.timers {
		t.index = -1
	}
	e.timers = nil
	e.sleepers = 0
	e.waits = map[string]*tokenWait{}
	e.order = nil
	e.inbox = nil
	if err != nil {
		e.status = StatusFailed
		e.err = err
		e.event(HistoryEvent{Type: EventExecutionFailed, Error: err.Name, Cause: err.Cause})
		return
	}
	e.status = StatusSucceeded
	e.output = out
	e.event(HistoryEvent{Type: EventExecutionSucceeded, Output: encodeJSON(out)})
}

func (e *Execution) event(ev HistoryEvent) {
	ev.Time = e.now
	e.history = append(e.history, ev)
	if e.observer != nil {
		e.observer(ev)
	}
}

// schedule makes th runnable with continuation f, at the front of the queue (continuing
// depth first) or at the back.
func (e *Execution) schedule(th *thread, f func(), front bool) {
	th.resume = f
	if front {
		e.runq = append([]*thread{th}, e.runq...)
	} else {
		e.runq = append(e.runq, th)
	}
}

// sleep blocks th until the virtual time until, then continues with f.
func (e *Execution) sleep(th *thread, until time.Time, f func()) {
	if !until.After(e.now) {
		e.schedule(th, f, true)
		return
	}
	th.timer = e.addTimer(until, true, func() {
		th.timer = nil
		e.schedule(th, f, false)
	})
}

func (e *Execution) addTimer(at time.Time, sleep bool, fire func()) *timer {
	e.seq++
	t := &timer{at: at, seq: e.seq, sleep: sleep, fire: fire}
	heap.Push(&e.timers, t)
	if sleep {
		e.sleepers++
	}
	return t
}

func (e *Execution) cancelTimer(t *timer) {
	if t == nil || t.index < 0 || t.index >= len(e.timers) || e.timers[t.index] != t {
		return
	}
	heap.Remove(&e.timers, t.index)
	if t.sleep {
		e.sleepers--
	}
}

// cancel stops th and everything under it. When events is set, aborted branches and
// iterations are recorded.
func (e *Execution) cancel(th *thread, events bool) {
	if th.cancelled || th.done {
		return
	}
	th.cancelled = true
	th.resume = nil
	e.cancelTimer(th.timer)
	th.timer = nil
	if th.wait != nil {
		e.dropWait(th.wait)
		th.wait = nil
	}
	for _, k := range th.kids {
		if k.started && !k.done && !k.cancelled && events {
			typ := EventParallelBranchAborted
			if k.isMap {
				typ = EventMapIterationAborted
			}
			e.event(HistoryEvent{Type: typ, State: k.label})
		}
		e.cancel(k, events)
	}
}

// step counts a state entry or retry against MaxSteps.
func (e *Execution) step() bool {
	e.steps++
	if e.steps > e.maxSteps {
		e.finish(nil, &Error{Name: ErrRuntime, Cause: fmt.Sprintf("the execution exceeded MaxSteps (%d state entries and retries)", e.maxSteps)})
		return false
	}
	return true
}

// contextObject returns a lazily built $$ for th's current state; extra adds Task or
// Map fields.
func (e *Execution) contextObject(th *thread, extra func(*object)) func() any {
	var built any
	return func() any {
		if built != nil {
			return built
		}
		c := newObject(5)
		ex := newObject(5)
		ex.set("Id", ExecutionARN(e.smName, e.name))
		ex.set("Input", e.input)
		ex.set("Name", e.name)
		ex.set("RoleArn", RoleARN(e.smName))
		ex.set("StartTime", formatTime(e.start))
		c.set("Execution", ex)
		st := newObject(3)
		st.set("EnteredTime", formatTime(th.entered))
		st.set("Name", th.st.name)
		st.set("RetryCount", intNumber(int64(th.attempt)))
		c.set("State", st)
		sm := newObject(2)
		sm.set("Id", StateMachineARN(e.smName))
		sm.set("Name", e.smName)
		c.set("StateMachine", sm)
		if extra != nil {
			extra(c)
		}
		built = c
		return c
	}
}

func formatTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func (e *Execution) env(th *thread, input any, extra func(*object)) *evalEnv {
	return &evalEnv{input: input, context: e.contextObject(th, extra), rng: e.rng}
}

func runtimeErr(format string, a ...any) *Error {
	return &Error{Name: ErrRuntime, Cause: fmt.Sprintf(format, a...)}
}

// timerHeap orders timers by time, then by creation.
type timer struct {
	at    time.Time
	seq   uint64
	sleep bool // a Wait or Retry pause (always run through); else a deadline
	fire  func()
	index int
}

type timerHeap []*timer

func (h timerHeap) Len() int { return len(h) }
func (h timerHeap) Less(i, j int) bool {
	if !h[i].at.Equal(h[j].at) {
		return h[i].at.Before(h[j].at)
	}
	return h[i].seq < h[j].seq
}
func (h timerHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index = i
	h[j].index = j
}
func (h *timerHeap) Push(x any) {
	t := x.(*timer)
	t.index = len(*h)
	*h = append(*h, t)
}
func (h *timerHeap) Pop() any {
	old := *h
	n := len(old)
	t := old[n-1]
	old[n-1] = nil
	t.index = -1
	*h = old[:n-1]
	return t
}
func (h timerHeap) peek() *timer {
	if len(h) == 0 {
		return nil
	}
	return h[0]
}
