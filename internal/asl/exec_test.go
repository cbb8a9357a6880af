package asl

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2024, time.May, 1, 10, 0, 0, 0, time.UTC)

// recorder is an Invoker answering each state from a list, in call order, and
// recording every call.
type recorder struct {
	answers map[string][]func(Call) (json.RawMessage, error)
	calls   []Call
}

func ok(out string) func(Call) (json.RawMessage, error) {
	return func(Call) (json.RawMessage, error) { return json.RawMessage(out), nil }
}

func fail(name, cause string) func(Call) (json.RawMessage, error) {
	return func(Call) (json.RawMessage, error) { return nil, &Error{Name: name, Cause: cause} }
}

func (r *recorder) Invoke(_ context.Context, c Call) (json.RawMessage, error) {
	r.calls = append(r.calls, c)
	list := r.answers[c.State]
	if len(list) == 0 {
		return nil, &Error{Name: "Test.NoAnswer", Cause: "no answer for " + c.State}
	}
	r.answers[c.State] = list[1:]
	return list[0](c)
}

func (r *recorder) times() []time.Duration {
	var out []time.Duration
	for _, c := range r.calls {
		out = append(out, c.Time.Sub(t0))
	}
	return out
}

func start(t *testing.T, def, input string, inv Invoker) *Execution {
	t.Helper()
	m, err := Parse([]byte(def))
	if err != nil {
		t.Fatalf("Parse = %v", err)
	}
	e, err := m.Start(context.Background(), json.RawMessage(input), Options{Name: "exec-1", StartTime: t0, Invoker: inv, StateMachineName: "Runbook"})
	if err != nil {
		t.Fatalf("Start = %v", err)
	}
	return e
}

func wantSucceeded(t *testing.T, e *Execution, want string) {
	t.Helper()
	if e.Status() != StatusSucceeded {
		t.Fatalf("Status() = %s (Err() = %v); want SUCCEEDED", e.Status(), e.Err())
	}
	if got := string(e.Output()); !sameJSONText(t, got, want) {
		t.Errorf("Output() = %s; want %s", got, want)
	}
}

func wantFailed(t *testing.T, e *Execution, name string) {
	t.Helper()
	if e.Status() != StatusFailed {
		t.Fatalf("Status() = %s (Output() = %s); want FAILED with %s", e.Status(), e.Output(), name)
	}
	if e.Err().Name != name {
		t.Errorf("Err() = %v; want %s", e.Err(), name)
	}
}

func sameJSONText(t *testing.T, a, b string) bool {
	t.Helper()
	return equalJSON(mustDecode(t, a), mustDecode(t, b))
}

func wantPath(t *testing.T, e *Execution, want ...string) {
	t.Helper()
	if got := e.Path(); !slices.Equal(got, want) {
		t.Errorf("Path() = %v; want %v", got, want)
	}
}

func TestSpecInputOutputExamples(t *testing.T) {
	t.Run("InputPath and ResultPath", func(t *testing.T) {
		def := `{"StartAt": "Add", "States": {"Add": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Add",
			"InputPath": "$.numbers", "ResultPath": "$.sum", "End": true}}}`
		rec := &recorder{answers: map[string][]func(Call) (json.RawMessage, error){"Add": {ok(`7`)}}}
		e := start(t, def, `{"title": "Numbers to add", "numbers": {"val1": 3, "val2": 4}}`, rec)
		wantSucceeded(t, e, `{"title": "Numbers to add", "numbers": {"val1": 3, "val2": 4}, "sum": 7}`)
		if got := string(rec.calls[0].Input); got != `{"val1":3,"val2":4}` {
			t.Errorf("Call.Input = %s; want {\"val1\":3,\"val2\":4}", got)
		}
	})
	t.Run("Parameters", func(t *testing.T) {
		def := `{"StartAt": "X", "States": {"X": {"Type": "Task", "Resource": "arn:aws:states:us-east-1:123456789012:task:X", "End": true,
			"Parameters": {"flagged": true, "parts": {"first.$": "$.vals[0]", "last3.$": "$.vals[-3:]"}, "execution.$": "$$.Execution.Name",
			"formattedOutput.$": "States.Format('Run {}', $$.Execution.Name)"}}}}`
		rec := &recorder{answers: map[string][]func(Call) (json.RawMessage, error){"X": {ok(`null`)}}}
		e := start(t, def, `{"flagged": 7, "vals": [0, 10, 20, 30, 40, 50]}`, rec)
		wantSucceeded(t, e, `null`)
		want := `{"flagged":true,"parts":{"first":0,"last3":[30,40,50]},"execution":"exec-1","formattedOutput":"Run exec-1"}`
		if got := string(rec.calls[0].Input); got != want {
			t.Errorf("Call.Input = %s; want %s", got, want)
		}
	})
	t.Run("ResultSelector then ResultPath then OutputPath", func(t *testing.T) {
		def := `{"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true,
			"ResultSelector": {"code.$": "$.StatusCode", "body.$": "$.Payload.body"}, "ResultPath": "$.result", "OutputPath": "$.result.body"}}}`
		rec := &recorder{answers: map[string][]func(Call) (json.RawMessage, error){"T": {ok(`{"StatusCode": 200, "Payload": {"body": "hi"}}`)}}}
		e := start(t, def, `{"a": 1}`, rec)
		wantSucceeded(t, e, `"hi"`)
	})
	t.Run("null paths", func(t *testing.T) {
		def := `{"StartAt": "A", "States": {
			"A": {"Type": "Pass", "InputPath": null, "Next": "B"},
			"B": {"Type": "Pass", "Result": {"x": 1}, "ResultPath": null, "Next": "C"},
			"C": {"Type": "Pass", "Result": 5, "ResultPath": "$.five", "OutputPath": null, "Next": "D"},
			"D": {"Type": "Succeed", "OutputPath": "$"}}}`
		e := start(t, def, `{"in": 1}`, nil)
		wantSucceeded(t, e, `{}`)
		wantPath(t, e, "A", "B", "C", "D")
	})
	t.Run("falsy Result is still the result", func(t *testing.T) {
		def := `{"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": false, "End": true}}}`
		wantSucceeded(t, start(t, def, `{"in": 1}`, nil), `false`)
	})
	t.Run("indefinite InputPath gathers an array", func(t *testing.T) {
		def := `{"StartAt": "A", "States": {"A": {"Type": "Pass", "InputPath": "$.a[0,1]", "End": true}}}`
		wantSucceeded(t, start(t, def, `{"a": [1, 2, 3, 4]}`, nil), `[1, 2]`)
	})
	t.Run("empty input is an empty object", func(t *testing.T) {
		def := `{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}`
		wantSucceeded(t, start(t, def, ``, nil), `{}`)
	})
}

func TestInputOutputErrors(t *testing.T) {
	tests := []struct {
		name, state, input, want string
	}{
		{"missing InputPath", `{"Type": "Pass", "InputPath": "$.nope", "End": true}`, `{}`, ErrRuntime},
		{"missing OutputPath", `{"Type": "Pass", "OutputPath": "$.nope", "End": true}`, `{}`, ErrRuntime},
		{"missing Parameters path", `{"Type": "Pass", "Parameters": {"a.$": "$.nope"}, "End": true}`, `{}`, ErrRuntime},
		{"missing context path", `{"Type": "Pass", "Parameters": {"a.$": "$$.Task.Token"}, "End": true}`, `{}`, ErrRuntime},
		{"ResultPath into a string", `{"Type": "Pass", "Result": 1, "ResultPath": "$.x", "End": true}`, `"foo"`, ErrResultPathMatchFailure},
		{"failing intrinsic", `{"Type": "Pass", "Parameters": {"a.$": "States.StringToJson('{')"}, "End": true}`, `{}`, ErrIntrinsicFailure},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := start(t, `{"StartAt": "S", "States": {"S": `+tt.state+`}}`, tt.input, nil)
			wantFailed(t, e, tt.want)
			wantPath(t, e, "S")
		})
	}
}

func TestContextObject(t *testing.T) {
	def := `{"StartAt": "Wait", "States": {
		"Wait": {"Type": "Wait", "Seconds": 60, "Next": "Ctx"},
		"Ctx": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
			"Parameters": {"ctx.$": "$$", "token.$": "$$.Task.Token"},
			"Retry": [{"ErrorEquals": ["Flaky"], "IntervalSeconds": 5}], "End": true}}}`
	rec := &recorder{answers: map[string][]func(Call) (json.RawMessage, error){"Ctx": {fail("Flaky", ""), ok(`null`)}}}
	e := start(t, def, `{"incident": "inc-9"}`, rec)
	if e.Status() != StatusWaiting {
		t.Fatalf("Status() = %s (Err() = %v); want WAITING", e.Status(), e.Err())
	}
	if len(rec.calls) != 2 {
		t.Fatalf("%d calls; want 2 (one failure, one retry)", len(rec.calls))
	}
	c := rec.calls[1]
	var params struct {
		Ctx   json.RawMessage `json:"ctx"`
		Token string          `json:"token"`
	}
	if err := json.Unmarshal(c.Input, &params); err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf(`{
		"Execution": {
			"Id": "arn:aws:states:us-east-1:123456789012:execution:Runbook:exec-1",
			"Input": {"incident": "inc-9"},
			"Name": "exec-1",
			"RoleArn": "arn:aws:iam::123456789012:role/StepFunctions-Runbook-role",
			"StartTime": "2024-05-01T10:00:00.000Z"
		},
		"State": {"EnteredTime": "2024-05-01T10:01:00.000Z", "Name": "Ctx", "RetryCount": 1},
		"StateMachine": {"Id": "arn:aws:states:us-east-1:123456789012:stateMachine:Runbook", "Name": "Runbook"},
		"Task": {"Token": %q}
	}`, c.TaskToken)
	if !sameJSONText(t, string(params.Ctx), want) {
		t.Errorf("$$ = %s; want %s", params.Ctx, want)
	}
	if c.TaskToken == "" || params.Token != c.TaskToken {
		t.Errorf("$$.Task.Token = %q; want Call.TaskToken %q", params.Token, c.TaskToken)
	}
	if c.Attempt != 1 || c.Execution != "exec-1" || c.State != "Ctx" {
		t.Errorf("Call = {Attempt: %d, Execution: %q, State: %q}; want {1, exec-1, Ctx}", c.Attempt, c.Execution, c.State)
	}
	if got := c.Time.Sub(t0); got != 65*time.Second {
		t.Errorf("Call.Time = t0+%v; want t0+65s (Wait 60s, retry after 5s)", got)
	}
	if got := e.WaitingTokens(); !slices.Equal(got, []string{c.TaskToken}) {
		t.Errorf("WaitingTokens() = %v; want [%s]", got, c.TaskToken)
	}
}

func TestMapContext(t *testing.T) {
	def := `{"StartAt": "M", "States": {"M": {"Type": "Map", "ItemsPath": "$.xs", "End": true,
		"ItemSelector": {"index.$": "$$.Map.Item.Index", "value.$": "$$.Map.Item.Value", "all.$": "$.tag", "state.$": "$$.State.Name"},
		"ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "Parameters": {"in.$": "$", "state.$": "$$.State.Name"}, "End": true}}}}}}`
	e := start(t, def, `{"xs": ["a", {"b": 1}], "tag": "t"}`, nil)
	wantSucceeded(t, e, `[
		{"in": {"index": 0, "value": "a", "all": "t", "state": "M"}, "state": "I"},
		{"in": {"index": 1, "value": {"b": 1}, "all": "t", "state": "M"}, "state": "I"}]`)
	wantPath(t, e, "M", "M/0/I", "M/1/I")
}

func TestRetryBackoff(t *testing.T) {
	tests := []struct {
		name    string
		retrier string
		errors  int // failures before success
		want    []time.Duration
		status  Status
	}{
		// The guide's example: 2 retries after 3 and 4.5 seconds.
		{"spec example", `{"ErrorEquals": ["E"], "IntervalSeconds": 3, "MaxAttempts": 2, "BackoffRate": 1.5}`, 2,
			[]time.Duration{0, 3 * time.Second, 7500 * time.Millisecond}, StatusSucceeded},
		{"defaults: 1s, x2, 3 attempts", `{"ErrorEquals": ["E"]}`, 3,
			[]time.Duration{0, 1 * time.Second, 3 * time.Second, 7 * time.Second}, StatusSucceeded},
		{"exhausted", `{"ErrorEquals": ["E"]}`, 4,
			[]time.Duration{0, 1 * time.Second, 3 * time.Second, 7 * time.Second}, StatusFailed},
		{"MaxDelaySeconds caps", `{"ErrorEquals": ["E"], "IntervalSeconds": 1, "BackoffRate": 10, "MaxDelaySeconds": 5, "MaxAttempts": 3}`, 3,
			[]time.Duration{0, 1 * time.Second, 6 * time.Second, 11 * time.Second}, StatusSucceeded},
		{"MaxAttempts 0", `{"ErrorEquals": ["E"], "MaxAttempts": 0}`, 1, []time.Duration{0}, StatusFailed},
		{"States.ALL", `{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 2, "BackoffRate": 1}`, 1,
			[]time.Duration{0, 2 * time.Second}, StatusSucceeded},
		{"States.TaskFailed", `{"ErrorEquals": ["States.TaskFailed"], "IntervalSeconds": 2}`, 1,
			[]time.Duration{0, 2 * time.Second}, StatusSucceeded},
		{"other error", `{"ErrorEquals": ["Other"]}`, 1, []time.Duration{0}, StatusFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var answers []func(Call) (json.RawMessage, error)
			for range tt.errors {
				answers = append(answers, fail("E", "boom"))
			}
			answers = append(answers, ok(`"done"`))
			rec := &recorder{answers: map[string][]func(Call) (json.RawMessage, error){"T": answers}}
			def := `{"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Retry": [` + tt.retrier + `], "End": true}}}`
			e := start(t, def, `{}`, rec)
			if e.Status() != tt.status {
				t.Fatalf("Status() = %s (Err() = %v); want %s", e.Status(), e.Err(), tt.status)
			}
			if got := rec.times(); !slices.Equal(got, tt.want) {
				t.Errorf("call times = %v; want %v", got, tt.want)
			}
			for i, c := range rec.calls {
				if c.Attempt != i {
					t.Errorf("calls[%d].Attempt = %d; want %d", i, c.Attempt, i)
				}
			}
		})
	}
}

func TestRetryJitter(t *testing.T) {
	def := `{"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:x", "End": true,
		"Retry": [{"ErrorEquals": ["E"], "IntervalSeconds": 10, "BackoffRate": 1, "MaxAttempts": 50, "JitterStrategy": "FULL"}]}}}`
	var answers []func(Call) (json.RawMessage, error)
	for range 50 {
		answers = append(answers, fail("E", ""))
	}
	answers = append(answers, ok(`1`))
	rec := &recorder{answers: map[string][]func(Call) (json.RawMessage, error){"T": answers}}
	m, err := Parse([]byte(def))
	if err != nil {
		t.Fatal(err)
	}
	e, err := m.Start(context.Background(), nil, Options{Name: "j", StartTime: t0, Invoker: rec, Rand: rand.New(rand.NewPCG(3, 4))})
	if err != nil || e.Status() != StatusSucceeded {
		t.Fatalf("Start = %v, %s", err, e.Status())
	}
	distinct := map[time.Duration]bool{}
	for i := 1; i < len(rec.calls); i++ {
		d := rec.calls[i].Time.Sub(rec.calls[i-1].Time)
		if d < 0 || d > 10*time.Second {
			t.Errorf("retry %d waited %v; want between 0 and 10s", i, d)
		}
		distinct[d] = true
	}
	if len(distinct) < 10 {
		t.Errorf("FULL jitter produced %d distinct delays in 50 retries; want them spread", len(distinct))
	}
}

// TestComplexRetry is the "complex retry scenarios" example of the guide, with the
// correction its author made (awslabs/states-language issue 5): a retrier's MaxAttempts
// counts every retry it makes, whatever the error name. ErrorA and ErrorB use up the
// first retrier's two attempts (waits of 1 and 2 seconds), ErrorC is retried by the
// second (5 seconds), and the next ErrorB goes to the catcher.
func TestComplexRetry(t *testing.T) {
	def := `{"StartAt": "X", "States": {
		"X": {"Type": "Task", "Resource": "arn:aws:states:us-east-1:123456789012:task:X", "Next": "Y",
			"Retry": [{"ErrorEquals": ["ErrorA", "ErrorB"], "IntervalSeconds": 1, "BackoffRate": 2.0, "MaxAttempts": 2},
			          {"ErrorEquals": ["ErrorC"], "IntervalSeconds": 5}],
			"Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Z"}]},
		"Y": {"Type": "Succeed"},
		"Z": {"Type": "Pass", "End": true}}}`
	rec := &recorder{answers: map[string][]func(Call) (json.RawMessage, error){"X": {
		fail("ErrorA", "a"), fail("ErrorB", "b"), fail("ErrorC", "c"), fail("ErrorB", "last"), ok(`"unused"`),
	}}}
	e := start(t, def, `{}`, rec)
	wantSucceeded(t, e, `{"Error": "ErrorB", "Cause": "last"}`)
	wantPath(t, e, "X", "Z")
	want := []time.Duration{0, 1 * time.Second, 3 * time.Second, 8 * time.Second}
	if got := rec.times(); !slices.Equal(got, want) {
		t.Errorf("call times = %v; want %v", got, want)
	}
}

func TestCatch(t *testing.T) {
	def := `{"StartAt": "T", "States": {
		"T": {"Type": "Task", "Resource": "arn:x", "Next": "Ok", "Catch": [
			{"ErrorEquals": ["A", "B"], "ResultPath": "$.error", "Next": "Handled"},
			{"ErrorEquals": ["States.Timeout"], "ResultPath": null, "Next": "TimedOut"},
			{"ErrorEquals": ["States.TaskFailed"], "Next": "Other"}]},
		"Ok": {"Type": "Succeed"},
		"Handled": {"Type": "Succeed"},
		"TimedOut": {"Type": "Succeed"},
		"Other": {"Type": "Succeed"}}}`
	tests := []struct {
		name   string
		answer func(Call) (json.RawMessage, error)
		path   []string
		output string
	}{
		{"named", fail("B", "bee"), []string{"T", "Handled"}, `{"in": 1, "error": {"Error": "B", "Cause": "bee"}}`},
		{"no cause", fail("A", ""), []string{"T", "Handled"}, `{"in": 1, "error": {"Error": "A"}}`},
		{"timeout keeps the input", fail(ErrTimeout, "slow"), []string{"T", "TimedOut"}, `{"in": 1}`},
		{"TaskFailed matches the rest", fail("Lambda.Unknown", "oom"), []string{"T", "Other"}, `{"Error": "Lambda.Unknown", "Cause": "oom"}`},
		{"plain Go error", func(Call) (json.RawMessage, error) { return nil, errors.New("dial tcp: refused") }, []string{"T", "Other"}, `{"Error": "States.TaskFailed", "Cause": "dial tcp: refused"}`},
		{"wrapped *Error", func(Call) (json.RawMessage, error) {
			return nil, fmt.Errorf("ec2: %w", &Error{Name: "A", Cause: "wrapped"})
		}, []string{"T", "Handled"}, `{"in": 1, "error": {"Error": "A", "Cause": "wrapped"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{answers: map[string][]func(Call) (json.RawMessage, error){"T": {tt.answer}}}
			e := start(t, def, `{"in": 1}`, rec)
			wantSucceeded(t, e, tt.output)
			wantPath(t, e, tt.path...)
		})
	}
	t.Run("heartbeat timeout is a timeout, not a task failure", func(t *testing.T) {
		rec := &recorder{answers: map[string][]func(Call) (json.RawMessage, error){"T": {fail(ErrHeartbeatTimeout, "")}}}
		e := start(t, def, `{"in": 1}`, rec)
		wantPath(t, e, "T", "TimedOut")
	})
	t.Run("catcher ResultPath that cannot apply", func(t *testing.T) {
		rec := &recorder{answers: map[string][]func(Call) (json.RawMessage, error){"T": {fail("A", "")}}}
		e := start(t, def, `[1]`, rec)
		wantFailed(t, e, ErrResultPathMatchFailure)
		wantPath(t, e, "T")
	})
}

func TestRuntimeErrorsAreNeverRetriedOrCaught(t *testing.T) {
	def := `{"StartAt": "T", "States": {
		"T": {"Type": "Task", "Resource": "arn:x", "Parameters": {"x.$": "$.missing"}, "Next": "Ok",
			"Retry": [{"ErrorEquals": ["States.ALL"]}], "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Ok"}]},
		"Ok": {"Type": "Succeed"}}}`
	rec := &recorder{answers: map[string][]func(Call) (json.RawMessage, error){}}
	e := start(t, def, `{}`, rec)
	wantFailed(t, e, ErrRuntime)
	if len(rec.calls) != 0 {
		t.Errorf("%d calls; want 0", len(rec.calls))
	}
	for _, ev := range e.History() {
		if ev.Type == EventRetryScheduled || ev.Type == EventCatchTaken {
			t.Errorf("history has %s; States.Runtime must not be retried or caught", ev.Type)
		}
	}
}

func TestTaskToken(t *testing.T) {
	def := `{"StartAt": "Approve", "States": {
		"Approve": {"Type": "Task", "Resource": "arn:aws:states:::sns:publish.waitForTaskToken",
			"Parameters": {"Message.$": "States.Format('approve {}', $$.Task.Token)"}, "ResultPath": "$.approval", "Next": "Done",
			"Catch": [{"ErrorEquals": ["Rejected"], "Next": "No"}]},
		"Done": {"Type": "Succeed"},
		"No": {"Type": "Fail", "Error": "Runbook.Rejected"}}}`
	newRun := func(t *testing.T) (*Execution, *recorder, string) {
		rec := &recorder{answers: map[string][]func(Call) (json.RawMessage, error){"Approve": {ok(`{"MessageId": "ignored"}`)}}}
		e := start(t, def, `{"id": 1}`, rec)
		if e.Status() != StatusWaiting {
			t.Fatalf("Status() = %s; want WAITING", e.Status())
		}
		tok := rec.calls[0].TaskToken
		if got := string(rec.calls[0].Input); got != `{"Message":"approve `+tok+`"}` {
			t.Errorf("Call.Input = %s; want the token in the message", got)
		}
		return e, rec, tok
	}
	t.Run("success", func(t *testing.T) {
		e, _, tok := newRun(t)
		if err := e.SendTaskSuccess(context.Background(), tok, json.RawMessage(`{"by": "alice"}`)); err != nil {
			t.Fatalf("SendTaskSuccess = %v", err)
		}
		wantSucceeded(t, e, `{"id": 1, "approval": {"by": "alice"}}`)
		if got := e.WaitingTokens(); len(got) != 0 {
			t.Errorf("WaitingTokens() = %v; want none", got)
		}
		if err := e.SendTaskSuccess(context.Background(), tok, nil); !errors.Is(err, ErrNotRunning) {
			t.Errorf("second SendTaskSuccess = %v; want ErrNotRunning", err)
		}
	})
	t.Run("failure is caught", func(t *testing.T) {
		e, _, tok := newRun(t)
		if err := e.SendTaskFailure(context.Background(), tok, "Rejected", "no"); err != nil {
			t.Fatalf("SendTaskFailure = %v", err)
		}
		wantFailed(t, e, "Runbook.Rejected")
		wantPath(t, e, "Approve", "No")
	})
	t.Run("unknown token", func(t *testing.T) {
		e, _, _ := newRun(t)
		if err := e.SendTaskSuccess(context.Background(), "nope", nil); !errors.Is(err, ErrUnknownToken) {
			t.Errorf("SendTaskSuccess(nope) = %v; want ErrUnknownToken", err)
		}
		if e.Status() != StatusWaiting {
			t.Errorf("Status() = %s; want WAITING", e.Status())
		}
	})
	t.Run("bad output", func(t *testing.T) {
		e, _, tok := newRun(t)
		if err := e.SendTaskSuccess(context.Background(), tok, json.RawMessage(`{`)); err == nil {
			t.Error("SendTaskSuccess({) = nil; want an error")
		}
		if e.Status() != StatusWaiting {
			t.Errorf("Status() = %s; want WAITING", e.Status())
		}
	})
	t.Run("invoker error fails the task without waiting", func(t *testing.T) {
		rec := &recorder{answers: map[string][]func(Call) (json.RawMessage, error){"Approve": {fail("Rejected", "sns down")}}}
		e := start(t, def, `{}`, rec)
		wantFailed(t, e, "Runbook.Rejected")
		if got := e.WaitingTokens(); len(got) != 0 {
			t.Errorf("WaitingTokens() = %v; want none", got)
		}
	})
}

func TestTaskTimeouts(t *testing.T) {
	def := `{"StartAt": "Wait", "States": {
		"Wait": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken", "TimeoutSeconds": 60, "HeartbeatSeconds": 20,
			"Next": "Done", "Catch": [{"ErrorEquals": ["States.HeartbeatTimeout"], "Next": "NoHeartbeat"}, {"ErrorEquals": ["States.Timeout"], "Next": "TooSlow"}]},
		"Done": {"Type": "Succeed"},
		"NoHeartbeat": {"Type": "Succeed"},
		"TooSlow": {"Type": "Succeed"}}}`
	ctx := context.Background()
	begin := func(t *testing.T) (*Execution, string) {
		rec := &recorder{answers: map[string][]func(Call) (json.RawMessage, error){"Wait": {ok(`null`)}}}
		e := start(t, def, `{}`, rec)
		return e, rec.calls[0].TaskToken
	}
	t.Run("timeout", func(t *testing.T) {
		e, tok := begin(t)
		for range 3 {
			if err := e.Advance(ctx, 19*time.Second); err != nil {
				t.Fatal(err)
			}
			if err := e.SendTaskHeartbeat(ctx, tok); err != nil {
				t.Fatal(err)
			}
		}
		if e.Status() != StatusWaiting {
			t.Fatalf("Status() at +57s = %s; want WAITING", e.Status())
		}
		if err := e.Advance(ctx, 3*time.Second); err != nil {
			t.Fatal(err)
		}
		wantPath(t, e, "Wait", "TooSlow")
		if got := e.Now().Sub(t0); got != 60*time.Second {
			t.Errorf("Now() = t0+%v; want t0+60s", got)
		}
	})
	t.Run("heartbeat", func(t *testing.T) {
		e, _ := begin(t)
		if err := e.Advance(ctx, 19*time.Second); err != nil {
			t.Fatal(err)
		}
		if e.Status() != StatusWaiting {
			t.Fatalf("Status() at +19s = %s; want WAITING", e.Status())
		}
		if err := e.Advance(ctx, time.Hour); err != nil {
			t.Fatal(err)
		}
		wantPath(t, e, "Wait", "NoHeartbeat")
		if got := e.Now().Sub(t0); got != time.Hour+19*time.Second {
			t.Errorf("Now() = t0+%v; want t0+1h0m19s (Advance moves the clock the whole way)", got)
		}
		var failed *HistoryEvent
		for _, ev := range e.History() {
			if ev.Type == EventTaskFailed {
				failed = &ev
			}
		}
		if failed == nil || failed.Error != ErrHeartbeatTimeout || !failed.Time.Equal(t0.Add(20*time.Second)) {
			t.Errorf("TaskFailed event = %+v; want States.HeartbeatTimeout at t0+20s", failed)
		}
	})
	t.Run("answered in time", func(t *testing.T) {
		e, tok := begin(t)
		if err := e.Advance(ctx, 10*time.Second); err != nil {
			t.Fatal(err)
		}
		if err := e.SendTaskSuccess(ctx, tok, json.RawMessage(`1`)); err != nil {
			t.Fatal(err)
		}
		wantPath(t, e, "Wait", "Done")
		if err := e.Advance(ctx, time.Hour); err != nil {
			t.Errorf("Advance after the end = %v; want nil", err)
		}
	})
	t.Run("negative advance", func(t *testing.T) {
		e, _ := begin(t)
		if err := e.Advance(ctx, -time.Second); err == nil {
			t.Error("Advance(-1s) = nil; want an error")
		}
	})
	t.Run("TimeoutSecondsPath", func(t *testing.T) {
		def := `{"StartAt": "W", "States": {"W": {"Type": "Task", "Resource": "arn:x.waitForTaskToken", "TimeoutSecondsPath": "$.t", "End": true}}}`
		rec := &recorder{answers: map[string][]func(Call) (json.RawMessage, error){"W": {ok(`null`)}}}
		e := start(t, def, `{"t": 5}`, rec)
		if err := e.Advance(ctx, 5*time.Second); err != nil {
			t.Fatal(err)
		}
		wantFailed(t, e, ErrTimeout)
	})
}

func TestExecutionTimeout(t *testing.T) {
	def := `{"TimeoutSeconds": 100, "StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 200, "End": true}}}`
	e := start(t, def, `{}`, nil)
	wantFailed(t, e, ErrTimeout)
	if got := e.Now().Sub(t0); got != 100*time.Second {
		t.Errorf("Now() = t0+%v; want t0+100s", got)
	}
	def = `{"TimeoutSeconds": 100, "StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:x.waitForTaskToken", "End": true}}}`
	rec := &recorder{answers: map[string][]func(Call) (json.RawMessage, error){"T": {ok(`null`)}}}
	e = start(t, def, `{}`, rec)
	if e.Status() != StatusWaiting {
		t.Fatalf("Status() = %s; want WAITING", e.Status())
	}
	if err := e.Advance(context.Background(), 150*time.Second); err != nil {
		t.Fatal(err)
	}
	wantFailed(t, e, ErrTimeout)
	if len(e.WaitingTokens()) != 0 {
		t.Errorf("WaitingTokens() = %v; want none after the timeout", e.WaitingTokens())
	}
}

func TestWaitStates(t *testing.T) {
	tests := []struct {
		name, state, input string
		want               time.Duration
		fail               string
	}{
		{"Seconds", `{"Type": "Wait", "Seconds": 90, "End": true}`, `{}`, 90 * time.Second, ""},
		{"Seconds 0", `{"Type": "Wait", "Seconds": 0, "End": true}`, `{}`, 0, ""},
		{"SecondsPath", `{"Type": "Wait", "SecondsPath": "$.s", "End": true}`, `{"s": 42}`, 42 * time.Second, ""},
		{"future Timestamp", `{"Type": "Wait", "Timestamp": "2024-05-01T11:00:00Z", "End": true}`, `{}`, time.Hour, ""},
		{"past Timestamp", `{"Type": "Wait", "Timestamp": "2020-01-01T00:00:00Z", "End": true}`, `{}`, 0, ""},
		{"TimestampPath with offset", `{"Type": "Wait", "TimestampPath": "$.at", "End": true}`, `{"at": "2024-05-01T12:30:00+02:00"}`, 30 * time.Minute, ""},
		{"SecondsPath not an integer", `{"Type": "Wait", "SecondsPath": "$.s", "End": true}`, `{"s": "ten"}`, 0, ErrRuntime},
		{"SecondsPath negative", `{"Type": "Wait", "SecondsPath": "$.s", "End": true}`, `{"s": -1}`, 0, ErrRuntime},
		{"SecondsPath missing", `{"Type": "Wait", "SecondsPath": "$.s", "End": true}`, `{}`, 0, ErrRuntime},
		{"TimestampPath not a timestamp", `{"Type": "Wait", "TimestampPath": "$.at", "End": true}`, `{"at": "noon"}`, 0, ErrRuntime},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := start(t, `{"StartAt": "W", "States": {"W": `+tt.state+`}}`, tt.input, nil)
			if tt.fail != "" {
				wantFailed(t, e, tt.fail)
				return
			}
			wantSucceeded(t, e, tt.input)
			if got := e.Now().Sub(t0); got != tt.want {
				t.Errorf("Now() = t0+%v; want t0+%v", got, tt.want)
			}
		})
	}
}

func TestFailState(t *testing.T) {
	tests := []struct {
		state, input, name, cause string
	}{
		{`{"Type": "Fail", "Error": "E", "Cause": "c"}`, `{}`, "E", "c"},
		{`{"Type": "Fail"}`, `{}`, "", ""},
		{`{"Type": "Fail", "ErrorPath": "$.e", "CausePath": "$.c"}`, `{"e": "Dyn", "c": "why"}`, "Dyn", "why"},
		{`{"Type": "Fail", "Error": "E", "CausePath": "States.Format('bad {} ({})', $.id, $$.Execution.Name)"}`, `{"id": 4}`, "E", "bad 4 (exec-1)"},
		{`{"Type": "Fail", "ErrorPath": "$.e"}`, `{"e": 5}`, ErrRuntime, ""},
		{`{"Type": "Fail", "ErrorPath": "$.e"}`, `{}`, ErrRuntime, ""},
	}
	for _, tt := range tests {
		t.Run(tt.state, func(t *testing.T) {
			e := start(t, `{"StartAt": "F", "States": {"F": `+tt.state+`}}`, tt.input, nil)
			if e.Status() != StatusFailed {
				t.Fatalf("Status() = %s; want FAILED", e.Status())
			}
			got := e.Err()
			if got.Name != tt.name || (tt.name != ErrRuntime && got.Cause != tt.cause) {
				t.Errorf("Err() = %q/%q; want %q/%q", got.Name, got.Cause, tt.name, tt.cause)
			}
		})
	}
}

func TestParallel(t *testing.T) {
	t.Run("concurrent timing and result order", func(t *testing.T) {
		def := `{"StartAt": "P", "States": {
			"P": {"Type": "Parallel", "Next": "After", "Branches": [
				{"StartAt": "Slow", "States": {"Slow": {"Type": "Wait", "Seconds": 20, "Next": "SlowDone"}, "SlowDone": {"Type": "Pass", "Result": "slow", "End": true}}},
				{"StartAt": "Fast", "States": {"Fast": {"Type": "Wait", "Seconds": 10, "Next": "FastDone"}, "FastDone": {"Type": "Pass", "Result": "fast", "End": true}}}]},
			"After": {"Type": "Task", "Resource": "arn:x", "End": true}}}`
		rec := &recorder{answers: map[string][]func(Call) (json.RawMessage, error){"After": {func(c Call) (json.RawMessage, error) { return c.Input, nil }}}}
		e := start(t, def, `{}`, rec)
		wantSucceeded(t, e, `["slow", "fast"]`)
		wantPath(t, e, "P", "P/0/Slow", "P/1/Fast", "P/1/FastDone", "P/0/SlowDone", "After")
		if got := rec.times(); !slices.Equal(got, []time.Duration{20 * time.Second}) {
			t.Errorf("After called at %v; want [20s] (branches wait concurrently)", got)
		}
	})
	t.Run("a branch waiting on a token does not block the others", func(t *testing.T) {
		def := `{"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true, "Branches": [
			{"StartAt": "Ask", "States": {"Ask": {"Type": "Task", "Resource": "arn:x.waitForTaskToken", "End": true}}},
			{"StartAt": "Work", "States": {"Work": {"Type": "Task", "Resource": "arn:y", "Next": "More"}, "More": {"Type": "Pass", "End": true}}}]}}}`
		rec := &recorder{answers: map[string][]func(Call) (json.RawMessage, error){"Ask": {ok(`null`)}, "Work": {ok(`"worked"`)}}}
		e := start(t, def, `{}`, rec)
		if e.Status() != StatusWaiting {
			t.Fatalf("Status() = %s; want WAITING", e.Status())
		}
		wantPath(t, e, "P", "P/0/Ask", "P/1/Work", "P/1/More")
		if err := e.SendTaskSuccess(context.Background(), rec.calls[0].TaskToken, json.RawMessage(`"yes"`)); err != nil {
			t.Fatal(err)
		}
		wantSucceeded(t, e, `["yes", "worked"]`)
	})
	t.Run("the first failing branch aborts the others", func(t *testing.T) {
		def := `{"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true, "Branches": [
			{"StartAt": "Ask", "States": {"Ask": {"Type": "Task", "Resource": "arn:x.waitForTaskToken", "End": true}}},
			{"StartAt": "Nap", "States": {"Nap": {"Type": "Wait", "Seconds": 5, "Next": "Boom"}, "Boom": {"Type": "Fail", "Error": "Boom"}}},
			{"StartAt": "Long", "States": {"Long": {"Type": "Wait", "Seconds": 50, "Next": "Never"}, "Never": {"Type": "Pass", "End": true}}}]}}}`
		rec := &recorder{answers: map[string][]func(Call) (json.RawMessage, error){"Ask": {ok(`null`)}}}
		e := start(t, def, `{}`, rec)
		wantFailed(t, e, "Boom")
		wantPath(t, e, "P", "P/0/Ask", "P/1/Nap", "P/2/Long", "P/1/Boom")
		if got := e.Now().Sub(t0); got != 5*time.Second {
			t.Errorf("Now() = t0+%v; want t0+5s", got)
		}
		var aborted []string
		for _, ev := range e.History() {
			if ev.Type == EventParallelBranchAborted {
				aborted = append(aborted, ev.State)
			}
		}
		if !slices.Equal(aborted, []string{"P/0", "P/2"}) {
			t.Errorf("aborted branches = %v; want [P/0 P/2]", aborted)
		}
		if len(e.WaitingTokens()) != 0 {
			t.Errorf("WaitingTokens() = %v; want none", e.WaitingTokens())
		}
	})
	t.Run("retry runs every branch again", func(t *testing.T) {
		def := `{"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true,
			"Retry": [{"ErrorEquals": ["Flaky"], "IntervalSeconds": 1}],
			"Branches": [
				{"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "arn:a", "End": true}}},
				{"StartAt": "B", "States": {"B": {"Type": "Task", "Resource": "arn:b", "End": true}}}]}}}`
		rec := &recorder{answers: map[string][]func(Call) (json.RawMessage, error){"A": {ok(`1`), ok(`2`)}, "B": {fail("Flaky", ""), ok(`3`)}}}
		e := start(t, def, `{}`, rec)
		wantSucceeded(t, e, `[2, 3]`)
		wantPath(t, e, "P", "P/0/A", "P/1/B", "P/0/A", "P/1/B")
	})
}

func TestMapConcurrency(t *testing.T) {
	tests := []struct {
		max  string
		want time.Duration
	}{
		{`"MaxConcurrency": 0`, 10 * time.Second},
		{`"MaxConcurrency": 1`, 30 * time.Second},
		{`"MaxConcurrency": 2`, 20 * time.Second},
		{`"MaxConcurrencyPath": "$.max"`, 20 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.max, func(t *testing.T) {
			def := `{"StartAt": "M", "States": {"M": {"Type": "Map", "End": true, ` + tt.max + `, "ItemsPath": "$.items",
				"ItemProcessor": {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 10, "End": true}}}}}}`
			e := start(t, def, `{"items": [1, 2, 3], "max": 2}`, nil)
			wantSucceeded(t, e, `[1, 2, 3]`)
			if got := e.Now().Sub(t0); got != tt.want {
				t.Errorf("Now() = t0+%v; want t0+%v", got, tt.want)
			}
		})
	}
	t.Run("failure aborts running iterations", func(t *testing.T) {
		def := `{"StartAt": "M", "States": {"M": {"Type": "Map", "End": true, "MaxConcurrency": 2,
			"Catch": [{"ErrorEquals": ["Bad"], "Next": "Caught"}],
			"ItemProcessor": {"StartAt": "W", "States": {
				"W": {"Type": "Wait", "SecondsPath": "$", "Next": "Check"},
				"Check": {"Type": "Choice", "Choices": [{"Variable": "$", "NumericEquals": 2, "Next": "Bad"}], "Default": "Good"},
				"Bad": {"Type": "Fail", "Error": "Bad"},
				"Good": {"Type": "Pass", "End": true}}}},
			"Caught": {"Type": "Succeed"}}}`
		e := start(t, def, `[5, 2, 9, 1]`, nil)
		wantSucceeded(t, e, `{"Error": "Bad"}`)
		wantPath(t, e, "M", "M/0/W", "M/1/W", "M/1/Check", "M/1/Bad", "Caught")
		if got := e.Now().Sub(t0); got != 2*time.Second {
			t.Errorf("Now() = t0+%v; want t0+2s", got)
		}
	})
}

func TestNestedPaths(t *testing.T) {
	def := `{"StartAt": "Outer", "States": {"Outer": {"Type": "Parallel", "End": true, "Branches": [
		{"StartAt": "Items", "States": {"Items": {"Type": "Map", "End": true, "ItemsPath": "$[0]",
			"ItemProcessor": {"StartAt": "Check", "States": {"Check": {"Type": "Pass", "End": true}}}}}}]}}}`
	e := start(t, def, `[[7, 8]]`, nil)
	wantSucceeded(t, e, `[[7, 8]]`)
	wantPath(t, e, "Outer", "Outer/0/Items", "Outer/0/Items/0/Check", "Outer/0/Items/1/Check")
	var states []string
	for _, ev := range e.History() {
		if ev.Type == EventStateEntered {
			states = append(states, ev.State)
		}
	}
	if !slices.Equal(states, e.Path()) {
		t.Errorf("StateEntered events = %v; want Path() %v", states, e.Path())
	}
}

func TestMaxSteps(t *testing.T) {
	def := `{"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "Next": "A"}}}`
	m, err := Parse([]byte(def))
	if err != nil {
		t.Fatal(err)
	}
	e, err := m.Start(context.Background(), nil, Options{Name: "loop", MaxSteps: 7})
	if err != nil {
		t.Fatal(err)
	}
	wantFailed(t, e, ErrRuntime)
	if n := len(e.Path()); n != 7 {
		t.Errorf("len(Path()) = %d; want 7", n)
	}
	e, err = m.Start(context.Background(), nil, Options{Name: "loop"})
	if err != nil {
		t.Fatal(err)
	}
	wantFailed(t, e, ErrRuntime)
	if n := len(e.Path()); n != DefaultMaxSteps {
		t.Errorf("len(Path()) = %d; want DefaultMaxSteps (%d)", n, DefaultMaxSteps)
	}
}

func TestStartErrors(t *testing.T) {
	m, err := Parse([]byte(`{"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:x", "End": true}}}`))
	if err != nil {
		t.Fatal(err)
	}
	inv := InvokerFunc(func(context.Context, Call) (json.RawMessage, error) { return nil, nil })
	tests := []struct {
		name  string
		input string
		opts  Options
		want  string
	}{
		{"no name", `{}`, Options{Invoker: inv}, "Options.Name"},
		{"no invoker", `{}`, Options{Name: "x"}, "Options.Invoker is required"},
		{"bad input", `{"a":`, Options{Name: "x", Invoker: inv}, "not valid JSON"},
	}
	for _, tt := range tests {
		_, err := m.Start(context.Background(), json.RawMessage(tt.input), tt.opts)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Start = %v; want an error containing %q", tt.name, err, tt.want)
		}
	}
}

func TestInvokerMisbehaviour(t *testing.T) {
	def := `{"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:x", "End": true, "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "C"}]}, "C": {"Type": "Succeed"}}}`
	t.Run("invalid JSON is States.Runtime", func(t *testing.T) {
		e := start(t, def, `{}`, InvokerFunc(func(context.Context, Call) (json.RawMessage, error) { return json.RawMessage(`{oops`), nil }))
		wantFailed(t, e, ErrRuntime)
	})
	t.Run("empty result is null", func(t *testing.T) {
		e := start(t, def, `{}`, InvokerFunc(func(context.Context, Call) (json.RawMessage, error) { return nil, nil }))
		wantSucceeded(t, e, `null`)
	})
	t.Run("cancelled context aborts", func(t *testing.T) {
		m, err := Parse([]byte(def))
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		inv := InvokerFunc(func(ctx context.Context, _ Call) (json.RawMessage, error) {
			cancel()
			return nil, ctx.Err()
		})
		e, err := m.Start(ctx, nil, Options{Name: "x", Invoker: inv})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Start = %v; want context.Canceled", err)
		}
		wantFailed(t, e, ErrRuntime)
	})
	t.Run("panicking invoker", func(t *testing.T) {
		e := start(t, def, `{}`, InvokerFunc(func(context.Context, Call) (json.RawMessage, error) { panic("bug") }))
		wantFailed(t, e, ErrRuntime)
		if !strings.Contains(e.Err().Cause, "bug") {
			t.Errorf("Err().Cause = %q; want it to mention the panic", e.Err().Cause)
		}
	})
}

func TestReentrantTaskReply(t *testing.T) {
	def := `{"StartAt": "First", "States": {
		"First": {"Type": "Task", "Resource": "arn:x.waitForTaskToken", "Next": "Second"},
		"Second": {"Type": "Task", "Resource": "arn:x.waitForTaskToken", "HeartbeatSeconds": 5, "End": true}}}`
	var e *Execution
	var replyErr error
	inv := InvokerFunc(func(ctx context.Context, c Call) (json.RawMessage, error) {
		if c.State == "Second" {
			// An auto-approving integration answers while it is being invoked.
			if err := e.SendTaskHeartbeat(ctx, c.TaskToken); err != nil {
				replyErr = err
			}
			replyErr = errors.Join(replyErr, e.SendTaskSuccess(ctx, c.TaskToken, json.RawMessage(`"auto"`)))
		}
		return nil, nil
	})
	e = start(t, def, `{}`, inv)
	toks := e.WaitingTokens()
	if len(toks) != 1 {
		t.Fatalf("WaitingTokens() = %v; want one", toks)
	}
	if err := e.SendTaskSuccess(context.Background(), toks[0], json.RawMessage(`"manual"`)); err != nil {
		t.Fatal(err)
	}
	if replyErr != nil {
		t.Fatalf("re-entrant replies = %v", replyErr)
	}
	wantSucceeded(t, e, `"auto"`)
}

func TestObserverAndDeterminism(t *testing.T) {
	def := `{"StartAt": "Id", "States": {
		"Id": {"Type": "Pass", "Parameters": {"id.$": "States.UUID()", "n.$": "States.MathRandom(1, 1000)"}, "Next": "Fan"},
		"Fan": {"Type": "Parallel", "Next": "Each", "Branches": [
			{"StartAt": "T1", "States": {"T1": {"Type": "Task", "Resource": "arn:a", "End": true,
				"Retry": [{"ErrorEquals": ["States.ALL"], "JitterStrategy": "FULL", "IntervalSeconds": 30}]}}},
			{"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 3, "End": true}}}]},
		"Each": {"Type": "Map", "ItemsPath": "$[0].items", "End": true,
			"ItemProcessor": {"StartAt": "T2", "States": {"T2": {"Type": "Task", "Resource": "arn:b", "End": true}}}}}}`
	m, err := Parse([]byte(def))
	if err != nil {
		t.Fatal(err)
	}
	run := func() (*Execution, []HistoryEvent) {
		n := 0
		inv := InvokerFunc(func(_ context.Context, c Call) (json.RawMessage, error) {
			n++
			if n == 1 {
				return nil, errors.New("transient")
			}
			if c.State == "T1" {
				return json.RawMessage(`{"items": ["a", "b"]}`), nil
			}
			return json.RawMessage(fmt.Sprintf(`{"call": %d}`, n)), nil
		})
		var seen []HistoryEvent
		e, err := m.Start(context.Background(), json.RawMessage(`{"x": 1}`), Options{
			Name: "same", StartTime: t0, Invoker: inv, Observer: func(ev HistoryEvent) { seen = append(seen, ev) },
		})
		if err != nil {
			t.Fatal(err)
		}
		return e, seen
	}
	a, seenA := run()
	b, _ := run()
	wantSucceeded(t, a, `[{"call": 3}, {"call": 4}]`)
	ha, hb := mustJSON(t, a.History()), mustJSON(t, b.History())
	if ha != hb {
		t.Errorf("two identical runs have different histories:\n%s\n%s", ha, hb)
	}
	if !slices.Equal(a.Path(), b.Path()) || string(a.Output()) != string(b.Output()) || !a.Now().Equal(b.Now()) {
		t.Errorf("two identical runs differ: %v %s %v / %v %s %v", a.Path(), a.Output(), a.Now(), b.Path(), b.Output(), b.Now())
	}
	if got := mustJSON(t, seenA); got != ha {
		t.Errorf("Observer saw %s; want History() %s", got, ha)
	}
	first, last := a.History()[0], a.History()[len(a.History())-1]
	if first.Type != EventExecutionStarted || last.Type != EventExecutionSucceeded {
		t.Errorf("history runs from %s to %s; want ExecutionStarted to ExecutionSucceeded", first.Type, last.Type)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestChoiceExecution(t *testing.T) {
	def := `{"StartAt": "C", "States": {
		"C": {"Type": "Choice", "InputPath": "$.detail", "OutputPath": "$.sev",
			"Choices": [{"Variable": "$.sev", "StringEquals": "high", "Next": "High"}], "Default": "Low"},
		"High": {"Type": "Pass", "End": true},
		"Low": {"Type": "Pass", "End": true}}}`
	e := start(t, def, `{"detail": {"sev": "high"}}`, nil)
	wantSucceeded(t, e, `"high"`)
	wantPath(t, e, "C", "High")
	e = start(t, def, `{"detail": {"sev": "low"}}`, nil)
	wantPath(t, e, "C", "Low")
}

// TestMachineConcurrentUse runs one Machine from many goroutines (run it with -race):
// a Machine is immutable, and executions share its literals without changing them.
func TestMachineConcurrentUse(t *testing.T) {
	def := `{"StartAt": "P", "States": {
		"P": {"Type": "Pass", "Result": {"list": [1, {"k": "v"}]}, "ResultPath": "$.lit", "Next": "Q"},
		"Q": {"Type": "Pass", "Parameters": {"merged.$": "States.JsonMerge($.lit.list[1], $.extra, false)", "fixed": {"a": [1]}}, "ResultPath": "$.lit.list[1]", "Next": "M"},
		"M": {"Type": "Map", "ItemsPath": "$.lit.list", "End": true, "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": true}}}}}}`
	m, err := Parse([]byte(def))
	if err != nil {
		t.Fatal(err)
	}
	const want = `[1, {"merged": {"k": "v", "x": %d}, "fixed": {"a": [1]}}]`
	errs := make(chan error, 16)
	for i := range 16 {
		go func() {
			e, err := m.Start(context.Background(), json.RawMessage(fmt.Sprintf(`{"extra": {"x": %d}}`, i)), Options{Name: fmt.Sprint("run-", i)})
			if err == nil && !equalJSON(mustDecodeNoT(e.Output()), mustDecodeNoT([]byte(fmt.Sprintf(want, i)))) {
				err = fmt.Errorf("run %d: Output() = %s; want %s", i, e.Output(), fmt.Sprintf(want, i))
			}
			errs <- err
		}()
	}
	for range 16 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

func mustDecodeNoT(b []byte) any {
	v, err := decodeJSON(b)
	if err != nil {
		return fmt.Sprintf("invalid JSON %q", b)
	}
	return v
}

// TestCompact: an ended execution keeps its outcome and clock, drops its history; a
// waiting one is left whole.
func TestCompact(t *testing.T) {
	ctx := context.Background()
	m, err := Parse([]byte(`{"StartAt": "Fail", "States": {"Fail": {"Type": "Fail", "Error": "E", "Cause": "c"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	e, err := m.Start(ctx, json.RawMessage(`{"big": "input"}`), Options{Name: "compact", StartTime: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	status, now, failure := e.Status(), e.Now(), e.Err()
	if !e.Compact() {
		t.Fatalf("Compact() of a %s execution = false; want true", status)
	}
	if e.Status() != status || !e.Now().Equal(now) || e.Err() == nil || *e.Err() != *failure {
		t.Errorf("after Compact: status %s, now %v, err %v; want %s, %v, %v", e.Status(), e.Now(), e.Err(), status, now, failure)
	}
	if h := e.History(); len(h) != 0 {
		t.Errorf("after Compact: %d history events; want none", len(h))
	}

	w, err := Parse([]byte(`{"StartAt": "Ask", "States": {"Ask": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken", "End": true}}}`))
	if err != nil {
		t.Fatal(err)
	}
	ex, err := w.Start(ctx, json.RawMessage(`{}`), Options{Name: "waiting", Invoker: InvokerFunc(func(context.Context, Call) (json.RawMessage, error) { return json.RawMessage(`{}`), nil })})
	if err != nil {
		t.Fatal(err)
	}
	if ex.Status() != StatusWaiting {
		t.Fatalf("status = %s; want WAITING", ex.Status())
	}
	if ex.Compact() || len(ex.History()) == 0 {
		t.Errorf("Compact() of a waiting execution dropped it; want it left whole")
	}
}
