package asl

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"
)

// What each state type does, and the input/output processing around it. Every function
// here runs inside the scheduler (see Execution) on behalf of one thread and either
// moves the thread on (exitState, threadDone), blocks it (sleep, a token wait, children)
// or hands a failure to stateError.

// applyInputPath selects the state's input.
func (e *Execution) applyInputPath(th *thread) (any, *Error) {
	ip := th.st.inputPath
	switch {
	case ip.null:
		return newObject(0), nil
	case ip.path == nil:
		return th.raw, nil
	}
	v, err := e.env(th, th.raw, nil).path(ip.path)
	if err != nil {
		return nil, runtimeErr("invalid path %s: the InputPath selects nothing in the state's input", ip.path)
	}
	return v, nil
}

// effectiveInput applies InputPath then Parameters.
func (e *Execution) effectiveInput(th *thread, extra func(*object)) (in, eff any, err *Error) {
	if in, err = e.applyInputPath(th); err != nil {
		return nil, nil, err
	}
	if th.st.parameters == nil {
		return in, in, nil
	}
	eff, err = th.st.parameters.eval(e.env(th, in, extra))
	return in, eff, err
}

// applyOutputPath selects the state's output.
func (e *Execution) applyOutputPath(th *thread, v any) (any, *Error) {
	op := th.st.outputPath
	switch {
	case op.null:
		return newObject(0), nil
	case op.path == nil:
		return v, nil
	}
	out, err := e.env(th, v, nil).path(op.path)
	if err != nil {
		return nil, runtimeErr("invalid path %s: the OutputPath selects nothing in the state's output", op.path)
	}
	return out, nil
}

// applyResultPath places result into raw.
func applyResultPath(rp resultPath, raw, result any) (any, *Error) {
	switch {
	case rp.null:
		return raw, nil
	case rp.path == nil:
		return result, nil
	}
	out, err := rp.path.set(raw, result)
	if err != nil {
		return nil, &Error{Name: ErrResultPathMatchFailure, Cause: fmt.Sprintf("unable to apply ResultPath %s to the state's input: %v", rp.path, err)}
	}
	return out, nil
}

// processResult applies ResultSelector, ResultPath and OutputPath to a state's result.
func (e *Execution) processResult(th *thread, result any) (any, *Error) {
	st := th.st
	if st.resultSelector != nil {
		v, err := st.resultSelector.eval(e.env(th, result, nil))
		if err != nil {
			return nil, err
		}
		result = v
	}
	v, err := applyResultPath(st.resultPath, th.raw, result)
	if err != nil {
		return nil, err
	}
	return e.applyOutputPath(th, v)
}

// enter starts state name in th with the given raw input.
func (e *Execution) enter(th *thread, name string, input any) {
	if !e.step() {
		return
	}
	st := th.sm.states[name]
	th.st = st
	th.raw = input
	th.entered = e.now
	th.retries = make([]int64, len(st.retry))
	th.attempt = 0
	q := qualify(th.prefix, name)
	e.path = append(e.path, q)
	e.event(HistoryEvent{Type: EventStateEntered, State: q, Input: encodeJSON(input)})
	e.attemptState(th)
}

func (e *Execution) attemptState(th *thread) {
	switch th.st.typ {
	case "Pass":
		e.runPass(th)
	case "Task":
		e.runTask(th)
	case "Choice":
		e.runChoice(th)
	case "Wait":
		e.runWait(th)
	case "Succeed":
		e.runSucceed(th)
	case "Fail":
		e.runFail(th)
	case "Parallel":
		e.runParallel(th)
	case "Map":
		e.runMap(th)
	default:
		e.finish(nil, runtimeErr("internal error in the ASL interpreter: unknown state type %q", th.st.typ))
	}
}

// exitState records the state's output and moves th on to next, or ends th.
func (e *Execution) exitState(th *thread, out any, next string) {
	e.event(HistoryEvent{Type: EventStateExited, State: qualify(th.prefix, th.st.name), Output: encodeJSON(out)})
	if next == "" {
		e.threadDone(th, out, nil)
		return
	}
	e.schedule(th, func() { e.enter(th, next, out) }, true)
}

func (e *Execution) threadDone(th *thread, out any, err *Error) {
	th.done = true
	if th.parent == nil {
		e.finish(out, err)
		return
	}
	th.onDone(out, err)
}

// errorMatches reports whether a retrier's or catcher's ErrorEquals matches name.
// States.ALL matches everything and States.TaskFailed everything but timeouts;
// States.Timeout also matches heartbeat timeouts. States.Runtime is never matched (see
// stateError).
func errorMatches(equals []string, name string) bool {
	for _, want := range equals {
		switch {
		case want == name, want == ErrAll:
			return true
		case want == ErrTaskFailed && name != ErrTimeout && name != ErrHeartbeatTimeout:
			return true
		case want == ErrTimeout && name == ErrHeartbeatTimeout:
			return true
		}
	}
	return false
}

// delay is the pause before retry number n (0-based) of this retrier.
func (r *retrier) delay(n int64, rng *rand.Rand) time.Duration {
	secs := float64(r.interval) * math.Pow(r.backoff, float64(n))
	if r.maxDelay > 0 && secs > float64(r.maxDelay) {
		secs = float64(r.maxDelay)
	}
	if secs > maxSeconds || math.IsInf(secs, 0) || math.IsNaN(secs) {
		secs = maxSeconds
	}
	if r.jitterFull {
		secs = rng.Float64() * secs
	}
	return time.Duration(secs * float64(time.Second))
}

func errorOutput(err *Error) *object {
	o := newObject(2)
	o.set("Error", err.Name)
	if err.Cause != "" {
		o.set("Cause", err.Cause)
	}
	return o
}

// stateError handles a failure of th's current state: the first retrier whose
// ErrorEquals matches retries it (if it has attempts left), else the first matching
// catcher moves on, else th fails. States.Runtime is neither retried nor caught.
func (e *Execution) stateError(th *thread, err *Error) {
	st := th.st
	q := qualify(th.prefix, st.name)
	if err.Name != ErrRuntime {
		for i := range st.retry {
			r := &st.retry[i]
			if !errorMatches(r.errorEquals, err.Name) {
				continue
			}
			if th.retries[i] >= r.maxAttempts {
				break
			}
			d := r.delay(th.retries[i], e.rng)
			th.retries[i]++
			th.attempt++
			if !e.step() {
				return
			}
			e.event(HistoryEvent{Type: EventRetryScheduled, State: q, Error: err.Name, Cause: err.Cause, Attempt: th.attempt})
			e.sleep(th, e.now.Add(d), func() { e.attemptState(th) })
			return
		}
		for _, c := range st.catch {
			if !errorMatches(c.errorEquals, err.Name) {
				continue
			}
			out, rerr := applyResultPath(c.resultPath, th.raw, errorOutput(err))
			if rerr != nil {
				err = rerr
				break
			}
			e.event(HistoryEvent{Type: EventCatchTaken, State: q, Error: err.Name, Cause: err.Cause, Output: encodeJSON(out)})
			e.exitState(th, out, c.next)
			return
		}
	}
	e.event(HistoryEvent{Type: EventStateFailed, State: q, Error: err.Name, Cause: err.Cause})
	e.threadDone(th, nil, err)
}

// finishResult processes a state's result and moves on.
func (e *Execution) finishResult(th *thread, result any) {
	out, err := e.processResult(th, result)
	if err != nil {
		e.stateError(th, err)
		return
	}
	e.exitState(th, out, th.st.next)
}

func (e *Execution) runPass(th *thread) {
	_, eff, err := e.effectiveInput(th, nil)
	if err != nil {
		e.stateError(th, err)
		return
	}
	if th.st.hasResult {
		eff = th.st.result
	}
	e.finishResult(th, eff)
}

func (e *Execution) runChoice(th *thread) {
	st := th.st
	in, err := e.applyInputPath(th)
	if err != nil {
		e.stateError(th, err)
		return
	}
	env := e.env(th, in, nil)
	next := ""
	for _, r := range st.choices {
		ok, err := r.eval(env)
		if err != nil {
			e.stateError(th, err)
			return
		}
		if ok {
			next = r.next
			break
		}
	}
	if next == "" {
		next = st.defaultNext
	}
	if next == "" {
		e.stateError(th, &Error{Name: ErrNoChoiceMatched, Cause: "no choice rule matched and there is no Default"})
		return
	}
	out, err := e.applyOutputPath(th, in)
	if err != nil {
		e.stateError(th, err)
		return
	}
	e.exitState(th, out, next)
}

func (e *Execution) runWait(th *thread) {
	st := th.st
	in, err := e.applyInputPath(th)
	if err != nil {
		e.stateError(th, err)
		return
	}
	var until time.Time
	env := e.env(th, in, nil)
	switch {
	case st.hasSeconds:
		until = e.now.Add(time.Duration(st.seconds) * time.Second)
	case st.hasTimestamp:
		until = st.timestamp
	case st.secondsPath != nil:
		v, perr := env.path(st.secondsPath)
		if perr != nil {
			e.stateError(th, runtimeErr("invalid path %s: the SecondsPath selects nothing", st.secondsPath))
			return
		}
		n, ok := intOf(v)
		if !ok || n < 0 || n > maxSeconds {
			e.stateError(th, runtimeErr("the SecondsPath %s must select a non-negative integer, got %s", st.secondsPath, encodeJSON(v)))
			return
		}
		until = e.now.Add(time.Duration(n) * time.Second)
	case st.timestampPath != nil:
		v, perr := env.path(st.timestampPath)
		if perr != nil {
			e.stateError(th, runtimeErr("invalid path %s: the TimestampPath selects nothing", st.timestampPath))
			return
		}
		s, _ := v.(string)
		ts, ok := parseTimestamp(s)
		if !ok {
			e.stateError(th, runtimeErr("the TimestampPath %s must select an RFC 3339 timestamp, got %s", st.timestampPath, encodeJSON(v)))
			return
		}
		until = ts
	}
	e.event(HistoryEvent{Type: EventWaitStarted, State: qualify(th.prefix, st.name), Output: encodeJSON(formatTime(maxTime(until, e.now)))})
	e.sleep(th, until, func() {
		out, err := e.applyOutputPath(th, in)
		if err != nil {
			e.stateError(th, err)
			return
		}
		e.exitState(th, out, st.next)
	})
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func (e *Execution) runSucceed(th *thread) {
	in, err := e.applyInputPath(th)
	if err != nil {
		e.stateError(th, err)
		return
	}
	out, err := e.applyOutputPath(th, in)
	if err != nil {
		e.stateError(th, err)
		return
	}
	e.exitState(th, out, "")
}

func (e *Execution) runFail(th *thread) {
	st := th.st
	name, cause := st.errorName, st.cause
	env := e.env(th, th.raw, nil)
	for _, f := range []struct {
		dyn   *dynString
		field string
		dst   *string
	}{{st.errorDyn, "ErrorPath", &name}, {st.causeDyn, "CausePath", &cause}} {
		if f.dyn == nil {
			continue
		}
		var v any
		if f.dyn.path != nil {
			pv, perr := env.path(f.dyn.path)
			if perr != nil {
				e.stateError(th, runtimeErr("invalid path %s: the %s selects nothing", f.dyn.path, f.field))
				return
			}
			v = pv
		} else {
			fv, ferr := f.dyn.fn.eval(env)
			if ferr != nil {
				e.stateError(th, ferr)
				return
			}
			v = fv
		}
		s, ok := v.(string)
		if !ok {
			e.stateError(th, runtimeErr("the %s %s must produce a string, got %s", f.field, f.dyn.src, typeName(v)))
			return
		}
		*f.dst = s
	}
	err := &Error{Name: name, Cause: cause}
	e.event(HistoryEvent{Type: EventStateFailed, State: qualify(th.prefix, st.name), Error: name, Cause: cause})
	e.threadDone(th, nil, err)
}

// secondsAt reads a TimeoutSecondsPath or HeartbeatSecondsPath.
func (e *Execution) secondsAt(env *evalEnv, p *Path, field string) (int64, *Error) {
	v, err := env.path(p)
	if err != nil {
		return 0, runtimeErr("invalid path %s: the %s selects nothing", p, field)
	}
	n, ok := intOf(v)
	if !ok || n < 1 || n > maxSeconds {
		return 0, runtimeErr("the %s %s must select a positive integer, got %s", field, p, encodeJSON(v))
	}
	return n, nil
}

func (e *Execution) newToken(q string) string {
	e.tokenSeq++
	sum := sha256.Sum256([]byte(fmt.Sprintf("%s\x00%s\x00%s\x00%d", e.smName, e.name, q, e.tokenSeq)))
	return hex.EncodeToString(sum[:16])
}

func (e *Execution) runTask(th *thread) {
	st := th.st
	q := qualify(th.prefix, st.name)
	token := ""
	if st.waitForToken {
		token = e.newToken(q)
	}
	var extra func(*object)
	if token != "" {
		extra = func(c *object) {
			t := newObject(1)
			t.set("Token", token)
			c.set("Task", t)
		}
	}
	in, eff, err := e.effectiveInput(th, extra)
	if err != nil {
		e.stateError(th, err)
		return
	}
	timeout, heartbeat := st.timeoutSeconds, st.heartbeatSeconds
	env := e.env(th, in, nil)
	if st.timeoutPath != nil {
		if timeout, err = e.secondsAt(env, st.timeoutPath, "TimeoutSecondsPath"); err != nil {
			e.stateError(th, err)
			return
		}
	}
	if st.heartbeatPath != nil {
		if heartbeat, err = e.secondsAt(env, st.heartbeatPath, "HeartbeatSecondsPath"); err != nil {
			e.stateError(th, err)
			return
		}
	}
	params := encodeJSON(eff)
	call := Call{
		Resource:  st.resource,
		State:     st.name,
		Input:     params,
		TaskToken: token,
		Attempt:   th.attempt,
		Time:      e.now,
		Execution: e.name,
	}
	e.event(HistoryEvent{Type: EventTaskScheduled, State: q, Resource: st.resource, Input: params, Attempt: th.attempt, Token: token})
	var w *tokenWait
	if token != "" {
		w = &tokenWait{token: token, th: th, state: q, resource: st.resource, invoking: true}
		e.waits[token] = w
		e.order = append(e.order, w)
		th.wait = w
	}
	res, ierr := e.invoker.Invoke(e.ctx, call)
	if e.status != StatusRunning || th.cancelled {
		return // the execution ended while Invoke ran (e.g. a panic guard or a reply race)
	}
	if ierr != nil {
		if w != nil {
			e.dropWait(w)
			th.wait = nil
		}
		if cerr := e.ctx.Err(); cerr != nil {
			e.abort(cerr)
			return
		}
		terr := &Error{Name: ErrTaskFailed, Cause: ierr.Error()}
		var aerr *Error
		if errors.As(ierr, &aerr) {
			terr = &Error{Name: aerr.Name, Cause: aerr.Cause}
			if terr.Name == "" {
				terr.Name = ErrTaskFailed
			}
		}
		e.event(HistoryEvent{Type: EventTaskFailed, State: q, Resource: st.resource, Error: terr.Name, Cause: terr.Cause, Attempt: th.attempt})
		e.stateError(th, terr)
		return
	}
	if w != nil {
		w.invoking = false
		e.event(HistoryEvent{Type: EventTaskWaiting, State: q, Resource: st.resource, Token: token, Attempt: th.attempt})
		if timeout > 0 {
			w.timeout = e.addTimer(e.now.Add(time.Duration(timeout)*time.Second), false, func() {
				w.timeout = nil
				e.applyReply(w, tokenReply{token: token, err: &Error{Name: ErrTimeout, Cause: fmt.Sprintf("the task did not complete within its TimeoutSeconds (%d)", timeout)}})
			})
		}
		if heartbeat > 0 {
			w.hbEvery = time.Duration(heartbeat) * time.Second
			e.armHeartbeat(w)
		}
		return
	}
	var result any
	if len(bytes.TrimSpace(res)) > 0 {
		v, derr := decodeJSON(res)
		if derr != nil {
			e.event(HistoryEvent{Type: EventTaskFailed, State: q, Resource: st.resource, Error: ErrRuntime, Cause: "the invoker returned invalid JSON: " + derr.Error(), Attempt: th.attempt})
			e.stateError(th, runtimeErr("the invoker returned invalid JSON for %s: %v", q, derr))
			return
		}
		result = v
	}
	e.event(HistoryEvent{Type: EventTaskSucceeded, State: q, Resource: st.resource, Output: encodeJSON(result), Attempt: th.attempt})
	e.finishResult(th, result)
}

func (e *Execution) armHeartbeat(w *tokenWait) {
	e.cancelTimer(w.heartbeat)
	every := w.hbEvery
	w.heartbeat = e.addTimer(e.now.Add(every), false, func() {
		w.heartbeat = nil
		e.applyReply(w, tokenReply{token: w.token, err: &Error{Name: ErrHeartbeatTimeout, Cause: fmt.Sprintf("no heartbeat within HeartbeatSeconds (%d)", int64(every/time.Second))}})
	})
}

// dropWait forgets a token wait and its deadlines.
func (e *Execution) dropWait(w *tokenWait) {
	delete(e.waits, w.token)
	if i := slices.Index(e.order, w); i >= 0 {
		e.order = slices.Delete(e.order, i, i+1)
	}
	e.cancelTimer(w.timeout)
	e.cancelTimer(w.heartbeat)
	w.timeout, w.heartbeat = nil, nil
}

// applyReply settles (or heartbeats) a token wait.
func (e *Execution) applyReply(w *tokenWait, r tokenReply) {
	if r.heartbeat {
		e.event(HistoryEvent{Type: EventTaskHeartbeat, State: w.state, Resource: w.resource, Token: w.token})
		if w.hbEvery > 0 && !w.invoking {
			e.armHeartbeat(w)
		}
		return
	}
	e.dropWait(w)
	th := w.th
	th.wait = nil
	if r.err != nil {
		e.event(HistoryEvent{Type: EventTaskFailed, State: w.state, Resource: w.resource, Error: r.err.Name, Cause: r.err.Cause, Attempt: th.attempt, Token: w.token})
		err := r.err
		e.schedule(th, func() { e.stateError(th, err) }, false)
		return
	}
	e.event(HistoryEvent{Type: EventTaskSucceeded, State: w.state, Resource: w.resource, Output: encodeJSON(r.output), Attempt: th.attempt, Token: w.token})
	out := r.output
	e.schedule(th, func() { e.finishResult(th, out) }, false)
}

// fanout runs kids (Parallel branches or Map iterations) under th: it collects their
// outputs in index order and fails th with the first failure, aborting the others.
type fanout struct {
	e         *Execution
	th        *thread
	results   []any
	remaining int
	settled   bool
	next      int // Map: index of the next iteration to start
	active    int
	spawn     func(i int) *thread
}

func (f *fanout) done(kid *thread, i int, out any, err *Error) {
	e, th := f.e, f.th
	if f.settled || th.cancelled {
		return
	}
	f.active--
	if err != nil {
		f.settled = true
		typ := EventParallelBranchFailed
		if kid.isMap {
			typ = EventMapIterationFailed
		}
		e.event(HistoryEvent{Type: typ, State: kid.label, Error: err.Name, Cause: err.Cause})
		for _, k := range th.kids {
			if k != kid && k.started && !k.done && !k.cancelled {
				typ := EventParallelBranchAborted
				if k.isMap {
					typ = EventMapIterationAborted
				}
				e.event(HistoryEvent{Type: typ, State: k.label})
			}
			if k != kid {
				e.cancel(k, true)
			}
		}
		th.kids = nil
		e.schedule(th, func() { e.stateError(th, err) }, true)
		return
	}
	f.results[i] = out
	f.remaining--
	typ := EventParallelBranchSucceeded
	if kid.isMap {
		typ = EventMapIterationSucceeded
	}
	e.event(HistoryEvent{Type: typ, State: kid.label, Output: encodeJSON(out)})
	if f.remaining == 0 {
		f.settled = true
		th.kids = nil
		results := f.results
		e.schedule(th, func() { e.finishResult(th, results) }, true)
		return
	}
	if f.spawn != nil && f.next < len(f.results) {
		k := f.spawn(f.next)
		f.next++
		e.runq = append([]*thread{k}, e.runq...)
	}
}

func (e *Execution) newKid(th *thread, sm *stateMachine, i int, isMap bool) *thread {
	return &thread{
		sm:     sm,
		parent: th,
		prefix: childPrefix(th.prefix, th.st.name, i),
		label:  qualify(th.prefix, th.st.name) + "/" + strconv.Itoa(i),
		isMap:  isMap,
	}
}

func (e *Execution) runParallel(th *thread) {
	st := th.st
	_, eff, err := e.effectiveInput(th, nil)
	if err != nil {
		e.stateError(th, err)
		return
	}
	f := &fanout{e: e, th: th, results: make([]any, len(st.branches)), remaining: len(st.branches)}
	th.kids = nil
	for i, b := range st.branches {
		kid := e.newKid(th, b, i, false)
		kid.onDone = func(out any, kerr *Error) { f.done(kid, i, out, kerr) }
		kid.resume = func() {
			kid.started = true
			e.event(HistoryEvent{Type: EventParallelBranchStarted, State: kid.label, Input: encodeJSON(eff)})
			e.enter(kid, b.startAt, eff)
		}
		th.kids = append(th.kids, kid)
	}
	f.active = len(th.kids)
	e.runq = append(slices.Clone(th.kids), e.runq...)
}

func (e *Execution) runMap(th *thread) {
	st := th.st
	in, err := e.applyInputPath(th)
	if err != nil {
		e.stateError(th, err)
		return
	}
	env := e.env(th, in, nil)
	items := in
	if st.itemsPath != nil {
		v, perr := env.path(st.itemsPath)
		if perr != nil {
			e.stateError(th, runtimeErr("invalid path %s: the ItemsPath selects nothing", st.itemsPath))
			return
		}
		items = v
	}
	list, ok := items.([]any)
	if !ok {
		e.stateError(th, runtimeErr("the Map state's items must be an array, got %s", typeName(items)))
		return
	}
	limit := int(st.maxConcurrency)
	if st.maxConcurrencyPath != nil {
		v, perr := env.path(st.maxConcurrencyPath)
		n, isInt := intOf(v)
		if perr != nil || !isInt || n < 0 || n > 1<<31-1 {
			e.stateError(th, runtimeErr("the MaxConcurrencyPath %s must select a non-negative integer", st.maxConcurrencyPath))
			return
		}
		limit = int(n)
	}
	if len(list) == 0 {
		e.finishResult(th, []any{})
		return
	}
	f := &fanout{e: e, th: th, results: make([]any, len(list)), remaining: len(list)}
	th.kids = nil
	f.spawn = func(i int) *thread {
		kid := e.newKid(th, st.processor, i, true)
		kid.onDone = func(out any, kerr *Error) { f.done(kid, i, out, kerr) }
		kid.resume = func() {
			kid.started = true
			item := list[i]
			e.event(HistoryEvent{Type: EventMapIterationStarted, State: kid.label, Input: encodeJSON(item)})
			input := item
			if st.parameters != nil {
				v, perr := st.parameters.eval(e.env(th, in, func(c *object) {
					it := newObject(2)
					it.set("Index", intNumber(int64(i)))
					it.set("Value", item)
					m := newObject(1)
					m.set("Item", it)
					c.set("Map", m)
				}))
				if perr != nil {
					kid.done = true
					f.done(kid, i, nil, perr)
					return
				}
				input = v
			}
			e.enter(kid, st.processor.startAt, input)
		}
		th.kids = append(th.kids, kid)
		f.active++
		return kid
	}
	var first []*thread
	for f.next < len(list) && (limit == 0 || f.active < limit) {
		first = append(first, f.spawn(f.next))
		f.next++
	}
	e.runq = append(first, e.runq...)
}
