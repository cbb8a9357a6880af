package runbooks

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/asl"
	"github.com/firebreak-ops/firebreak/internal/asl/asltest"
)

// The runbooks every deployment has; a new runbook adds its name here and a scenario
// file in testdata.
var wantRunbooks = []string{
	"alarm-diagnostics",
	"cloudtrail-restart-logging",
	"ec2-restart",
	"kms-cancel-key-deletion",
	"s3-block-public-access",
	"sg-revoke-world-ingress",
}

const (
	// testFunctionARN stands in for ${RunbookFunctionArn}.
	testFunctionARN = "arn:aws:lambda:eu-west-1:123456789012:function:firebreak-runbook"
	lambdaInvoke    = "arn:aws:states:::lambda:invoke"
	lambdaCallback  = "arn:aws:states:::lambda:invoke.waitForTaskToken"
	sdkPrefix       = "arn:aws:states:::aws-sdk:"
)

// startTime is the virtual clock at the start of every scenario; "at" in a scenario is
// seconds after it.
var startTime = time.Date(2026, time.November, 2, 11, 0, 0, 0, time.UTC)

// The phases and statuses of the runbook Lambda's record action.
var (
	phases   = []string{"triage", "diagnose", "remediate", "verify", "document"}
	statuses = []string{"started", "succeeded", "failed", "skipped"}
)

// scenarioFile is testdata/<runbook>.json: the execution input shared by the cases and
// the cases, each an asltest.DiffCase (name, tasks, expect, knownDivergence) plus what
// only the Go interpreter can check.
type scenarioFile struct {
	Input json.RawMessage `json:"input"`
	Cases []scenario      `json:"cases"`
}

type scenario struct {
	asltest.DiffCase
	// About says in a sentence what the case shows.
	About string `json:"about"`
	// InputPatch is a JSON merge patch (RFC 7386) applied to the file's input; null
	// deletes a field.
	InputPatch json.RawMessage `json:"inputPatch,omitempty"`
	// Approval is how the human answers the approve task (kms-cancel-key-deletion).
	Approval *approval `json:"approval,omitempty"`
	// Calls are the AWS SDK calls, in order, retries included, with the parameters the
	// interpreter passes.
	Calls []call `json:"calls"`
	// Timeline is every payload sent to the runbook Lambda, in order: the incident
	// timeline (record), the owner notifications (notify) and approval requests.
	Timeline []entry `json:"timeline"`
	// End is when the execution ended, in seconds after startTime.
	End float64 `json:"end"`
}

type approval struct {
	After   float64         `json:"after"`             // seconds after the approval request: the answer, or the timeout
	Output  json.RawMessage `json:"output,omitempty"`  // SendTaskSuccess with this output
	Error   string          `json:"error,omitempty"`   // SendTaskFailure with this error
	Cause   string          `json:"cause,omitempty"`   // and cause
	Timeout bool            `json:"timeout,omitempty"` // nobody answers: the clock runs out
}

type call struct {
	At       float64         `json:"at"`
	State    string          `json:"state"`
	Resource string          `json:"resource"`
	Input    json.RawMessage `json:"input"`
}

// entry is one runbook Lambda payload. Action, phase, status and the text fields are
// always compared; Data only when the scenario gives it.
type entry struct {
	At      float64         `json:"at"`
	Action  string          `json:"action"`
	Phase   string          `json:"phase,omitempty"`
	Status  string          `json:"status,omitempty"`
	Detail  string          `json:"detail,omitempty"`
	Message string          `json:"message,omitempty"`
	Request string          `json:"request,omitempty"`
	Data    json.RawMessage `json:"data,omitempty"`
}

// payload is what the runbook Lambda receives.
type payload struct {
	Action    string          `json:"action"`
	Incident  string          `json:"incident"`
	Runbook   string          `json:"runbook"`
	Execution string          `json:"execution"`
	Phase     string          `json:"phase"`
	Status    string          `json:"status"`
	Detail    string          `json:"detail"`
	Message   string          `json:"message"`
	Request   string          `json:"request"`
	Token     string          `json:"token"`
	Data      json.RawMessage `json:"data"`
}

type lambdaParams struct {
	FunctionName string          `json:"FunctionName"`
	Payload      json.RawMessage `json:"Payload"`
}

func TestDefinitions(t *testing.T) {
	defs, err := Definitions()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for n := range defs {
		names = append(names, n)
	}
	sort.Strings(names)
	if !slices.Equal(names, wantRunbooks) {
		t.Errorf("Definitions() names = %v; want %v", names, wantRunbooks)
	}
	for _, n := range wantRunbooks {
		d, err := Definition(n)
		if err != nil {
			t.Errorf("Definition(%q) = %v", n, err)
			continue
		}
		if !bytes.Equal(d, defs[n]) {
			t.Errorf("Definition(%q) differs from Definitions()[%q]", n, n)
		}
	}
	_, err = Definition("no-such-runbook")
	if err == nil || !strings.Contains(err.Error(), `"no-such-runbook"`) || !strings.Contains(err.Error(), "ec2-restart") {
		t.Errorf(`Definition("no-such-runbook") = %v; want an error naming it and the runbooks there are`, err)
	}
}

func TestSubstitute(t *testing.T) {
	def := []byte(`{"A": "${Fn}", "B": "x ${Fn} y", "C": "${Quote}", "D": "${Nested}"}`)
	got, err := Substitute(def, map[string]string{"Fn": "arn:aws:lambda:eu-west-1:1:function:f", "Quote": `a"b\c<&>`, "Nested": "${Fn}", "Unused": "u"})
	if err != nil {
		t.Fatalf("Substitute = %v", err)
	}
	want := `{"A": "arn:aws:lambda:eu-west-1:1:function:f", "B": "x arn:aws:lambda:eu-west-1:1:function:f y", "C": "a\"b\\c<&>", "D": "${Fn}"}`
	if string(got) != want {
		t.Errorf("Substitute = %s; want %s", got, want)
	}
	for _, tt := range []struct {
		def, want string
	}{
		{`{"A": "${Fn}", "B": "${Other}", "C": "${Other}", "D": "${}"}`, "substitute: no value for ${Other}, ${}"},
		{`{"A": "${Fn"}`, `substitute: unterminated placeholder "${Fn\"}"`},
	} {
		_, err := Substitute([]byte(tt.def), map[string]string{"Fn": "f"})
		if err == nil || err.Error() != tt.want {
			t.Errorf("Substitute(%s) = %v; want %q", tt.def, err, tt.want)
		}
	}
}

// substituted is a runbook's definition ready to run: ${RunbookFunctionArn} replaced.
func substituted(t *testing.T, name string) []byte {
	t.Helper()
	def, err := Definition(name)
	if err != nil {
		t.Fatal(err)
	}
	def, err = Substitute(def, map[string]string{"RunbookFunctionArn": testFunctionARN})
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return def
}

func TestParseAndValidate(t *testing.T) {
	for _, name := range wantRunbooks {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			def, err := Definition(name)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := asl.Parse(def); err != nil {
				t.Fatalf("asl.Parse(%s) = %v", name, err)
			}
			asltest.Validate(t, def)
		})
	}
}

var (
	sdkResourceRE = regexp.MustCompile(`^arn:aws:states:::aws-sdk:[a-z0-9]+:[a-z][A-Za-z0-9]+$`)
	sdkErrorRE    = regexp.MustCompile(`^[A-Z][A-Za-z0-9]*\.[A-Z][A-Za-z0-9]*Exception$`)
)

// TestStructure checks what every runbook must do whatever its logic: only AWS SDK
// integrations and the runbook Lambda; a Retry with backoff on every Task; a Catch on
// every Task that is not on a failure path; the runbook Lambda's payload contract; no
// randomness.
func TestStructure(t *testing.T) {
	lambdaRetry := []string{"Lambda.ClientExecutionTimeoutException", "Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException", "Lambda.TooManyRequestsException"}
	for _, name := range wantRunbooks {
		t.Run(name, func(t *testing.T) {
			def, err := Definition(name)
			if err != nil {
				t.Fatal(err)
			}
			for _, fn := range []string{"States.UUID", "States.MathRandom"} {
				if bytes.Contains(def, []byte(fn)) {
					t.Errorf("%s uses %s; runbooks must be deterministic", name, fn)
				}
			}
			m, err := asl.Parse(def)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range m.Resources() {
				if r != lambdaInvoke && r != lambdaCallback && !sdkResourceRE.MatchString(r) {
					t.Errorf("Resources() has %q; want only aws-sdk integrations and %s(.waitForTaskToken)", r, lambdaInvoke)
				}
			}
			var root map[string]any
			if err := json.Unmarshal(def, &root); err != nil {
				t.Fatal(err)
			}
			tasks := 0
			walkMachines(root, "", func(where string, sm map[string]any) {
				states := sm["States"].(map[string]any)
				canSucceed := succeeding(states)
				for sname, v := range states {
					st := v.(map[string]any)
					if st["Type"] != "Task" {
						continue
					}
					tasks++
					at := where + sname
					checkTask(t, at, st, canSucceed[sname], lambdaRetry)
				}
			})
			if tasks == 0 {
				t.Errorf("%s has no Task states", name)
			}
		})
	}
}

func checkTask(t *testing.T, at string, st map[string]any, needsCatch bool, lambdaRetry []string) {
	t.Helper()
	res, _ := st["Resource"].(string)
	retry, _ := st["Retry"].([]any)
	if len(retry) == 0 {
		t.Errorf("%s: no Retry", at)
	}
	for _, r := range retry {
		r := r.(map[string]any)
		if br, _ := r["BackoffRate"].(float64); br <= 1 {
			t.Errorf("%s: Retry %v has no exponential backoff (BackoffRate %v)", at, r["ErrorEquals"], r["BackoffRate"])
		}
		if _, ok := r["MaxDelaySeconds"]; !ok || r["JitterStrategy"] != "FULL" {
			t.Errorf("%s: Retry %v lacks MaxDelaySeconds or JitterStrategy FULL", at, r["ErrorEquals"])
		}
		for _, e := range r["ErrorEquals"].([]any) {
			if e == "States.ALL" || e == "States.TaskFailed" {
				t.Errorf("%s: Retry on %s would retry every error; retry the service's transient errors only", at, e)
			}
		}
	}
	if _, ok := st["Catch"]; needsCatch && !ok {
		t.Errorf("%s: no Catch, and the state is not on a failure path", at)
	}
	params, _ := st["Parameters"].(map[string]any)
	switch {
	case strings.HasPrefix(res, sdkPrefix):
		service := strings.Split(strings.TrimPrefix(res, sdkPrefix), ":")[0]
		for _, r := range retry {
			for _, e := range r.(map[string]any)["ErrorEquals"].([]any) {
				e := e.(string)
				if !sdkErrorRE.MatchString(e) || !strings.EqualFold(strings.SplitN(e, ".", 2)[0], service) {
					t.Errorf("%s: Retry on %q; want <Service>.<Name>Exception errors of %s", at, e, service)
				}
			}
		}
	case res == lambdaInvoke || res == lambdaCallback:
		if len(retry) == 0 || !reflect.DeepEqual(toStrings(retry[0].(map[string]any)["ErrorEquals"]), lambdaRetry) {
			t.Errorf("%s: first Retry must be on %v", at, lambdaRetry)
		}
		if params["FunctionName"] != "${RunbookFunctionArn}" {
			t.Errorf("%s: FunctionName = %v; want ${RunbookFunctionArn}", at, params["FunctionName"])
		}
		checkPayload(t, at, res, st, params)
	}
}

// checkPayload checks the runbook Lambda contract on the payload template.
func checkPayload(t *testing.T, at, res string, st, params map[string]any) {
	t.Helper()
	p, _ := params["Payload"].(map[string]any)
	for k, want := range map[string]string{"incident.$": "$.incident.id", "runbook.$": "$.runbook", "execution.$": "$$.Execution.Name"} {
		if p[k] != want {
			t.Errorf("%s: Payload[%q] = %v; want %q", at, k, p[k], want)
		}
	}
	action, _ := p["action"].(string)
	var want []string
	switch action {
	case "record":
		want = []string{"phase", "status", "detail"}
		if ph, ok := p["phase"].(string); ok && !slices.Contains(phases, ph) {
			t.Errorf("%s: phase %q; want one of %v", at, ph, phases)
		}
		if s, ok := p["status"].(string); ok && !slices.Contains(statuses, s) {
			t.Errorf("%s: status %q; want one of %v", at, s, statuses)
		}
	case "notify":
		want = []string{"message"}
	case "approve":
		want = []string{"request"}
		if p["token.$"] != "$$.Task.Token" || res != lambdaCallback {
			t.Errorf("%s: approve must be %s with token.$ = $$.Task.Token", at, lambdaCallback)
		}
		if ts, _ := st["TimeoutSeconds"].(float64); ts <= 0 || ts >= 7*24*3600 {
			t.Errorf("%s: approve TimeoutSeconds = %v; want a timeout inside the 7-day minimum deletion window", at, st["TimeoutSeconds"])
		}
	default:
		t.Errorf("%s: Payload action %q; want record, notify or approve", at, action)
	}
	for _, k := range want {
		_, lit := p[k]
		_, dyn := p[k+".$"]
		if !lit && !dyn {
			t.Errorf("%s: %s payload without %s", at, action, k)
		}
	}
	if action != "approve" {
		if rp, ok := st["ResultPath"]; !ok || rp != nil {
			t.Errorf("%s: %s step has ResultPath %v; want null", at, action, st["ResultPath"])
		}
	}
}

func toStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

// walkMachines calls fn for the top-level state machine and every Parallel branch and
// Map processor in it.
func walkMachines(sm map[string]any, where string, fn func(where string, sm map[string]any)) {
	fn(where, sm)
	for name, v := range sm["States"].(map[string]any) {
		st := v.(map[string]any)
		if bs, ok := st["Branches"].([]any); ok {
			for i, b := range bs {
				walkMachines(b.(map[string]any), fmt.Sprintf("%s%s/%d/", where, name, i), fn)
			}
		}
		for _, k := range []string{"ItemProcessor", "Iterator"} {
			if p, ok := st[k].(map[string]any); ok {
				walkMachines(p, where+name+"/", fn)
			}
		}
	}
}

// succeeding reports, for each state of one state machine, whether some path from it
// ends without a Fail state: the states for which it is false are the failure path,
// the only Tasks allowed to go without a Catch.
func succeeding(states map[string]any) map[string]bool {
	ok := map[string]bool{}
	for changed := true; changed; {
		changed = false
		for name, v := range states {
			if ok[name] {
				continue
			}
			st := v.(map[string]any)
			var nexts []string
			terminal := false
			switch st["Type"] {
			case "Fail":
				continue
			case "Succeed":
				terminal = true
			case "Choice":
				for _, c := range st["Choices"].([]any) {
					nexts = append(nexts, c.(map[string]any)["Next"].(string))
				}
				if d, ok := st["Default"].(string); ok {
					nexts = append(nexts, d)
				}
			default:
				if st["End"] == true {
					terminal = true
				}
				if n, ok := st["Next"].(string); ok {
					nexts = append(nexts, n)
				}
				if cs, ok := st["Catch"].([]any); ok {
					for _, c := range cs {
						nexts = append(nexts, c.(map[string]any)["Next"].(string))
					}
				}
			}
			good := terminal
			for _, n := range nexts {
				good = good || ok[n]
			}
			if good {
				ok[name] = true
				changed = true
			}
		}
	}
	return ok
}

// TestScenarios runs every scenario of testdata/<runbook>.json through internal/asl
// and checks, worked out by hand: the path, every AWS call with its parameters and
// time, the incident timeline (every runbook Lambda payload), the outcome and the end
// time. TestDifferential runs the same scenarios through aws-local-stepfunctions.
func TestScenarios(t *testing.T) {
	for _, name := range wantRunbooks {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			def := substituted(t, name)
			m, err := asl.Parse(def)
			if err != nil {
				t.Fatal(err)
			}
			for _, sc := range loadScenarios(t, name, m) {
				t.Run(sc.Name, func(t *testing.T) { runScenario(t, m, sc) })
			}
		})
	}
}

// TestDifferential runs every scenario through internal/asl and aws-local-stepfunctions
// with the same input and Task answers and requires the same status, output and path
// (asltest.DiffCheckAll), plus the expected outcome.
//
// aws-local-stepfunctions has no task tokens, so for a runbook with an approve task the
// definition given to both engines is syncApproval's: the approve call becomes the
// synchronous invoke it amounts to once the human has answered, answering with what the
// human sent (the approval, Runbook.Rejected, or States.Timeout when nobody answers).
// TestScenarios checks the real token flow.
func TestDifferential(t *testing.T) {
	for _, name := range wantRunbooks {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			def := substituted(t, name)
			m, err := asl.Parse(def)
			if err != nil {
				t.Fatal(err)
			}
			scs := loadScenarios(t, name, m)
			cases := make([]asltest.DiffCase, len(scs))
			for i, sc := range scs {
				cases[i] = sc.DiffCase
				if sc.Approval != nil {
					cases[i].Tasks = withHumanAnswer(sc)
				}
			}
			if hasCallback(def) {
				def = syncApproval(t, def)
			}
			asltest.DiffCheckAll(t, def, cases)
		})
	}
}

// loadScenarios reads testdata/<name>.json, applies input patches and gives every
// runbook Lambda state the scenario does not answer a default answer.
func loadScenarios(t *testing.T, name string, m *asl.Machine) []scenario {
	t.Helper()
	path := filepath.Join("testdata", name+".json")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var f scenarioFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(f.Cases) == 0 {
		t.Fatalf("%s: no cases", path)
	}
	lambdaStates := lambdaStateActions(t, name)
	for i := range f.Cases {
		sc := &f.Cases[i]
		if sc.Expect == nil {
			t.Fatalf("%s: case %q has no expect", path, sc.Name)
		}
		in := f.Input
		if len(sc.Input) > 0 {
			in = sc.Input
		}
		if len(sc.InputPatch) > 0 {
			in = mergePatch(t, in, sc.InputPatch)
		}
		sc.Input = in
		tasks := map[string][]asltest.TaskAnswer{}
		for k, v := range sc.Tasks {
			tasks[k] = v
		}
		for state, action := range lambdaStates {
			if _, ok := tasks[state]; ok || action == "approve" {
				continue
			}
			out := fmt.Sprintf(`{"ExecutedVersion": "$LATEST", "Payload": {"%s": true}, "StatusCode": 200}`, map[string]string{"record": "recorded", "notify": "notified"}[action])
			tasks[state] = []asltest.TaskAnswer{{Output: json.RawMessage(out)}, {Output: json.RawMessage(out)}}
		}
		sc.Tasks = tasks
	}
	return f.Cases
}

// lambdaStateActions maps every runbook Lambda Task state to its payload action.
func lambdaStateActions(t *testing.T, name string) map[string]string {
	t.Helper()
	def, err := Definition(name)
	if err != nil {
		t.Fatal(err)
	}
	var root map[string]any
	if err := json.Unmarshal(def, &root); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	walkMachines(root, "", func(_ string, sm map[string]any) {
		for sname, v := range sm["States"].(map[string]any) {
			st := v.(map[string]any)
			if r, _ := st["Resource"].(string); r == lambdaInvoke || r == lambdaCallback {
				p := st["Parameters"].(map[string]any)["Payload"].(map[string]any)
				out[sname], _ = p["action"].(string)
			}
		}
	})
	return out
}

// withHumanAnswer appends what the human did to the approve task's answers, for the
// synchronous stand-in of syncApproval.
func withHumanAnswer(sc scenario) map[string][]asltest.TaskAnswer {
	tasks := map[string][]asltest.TaskAnswer{}
	for k, v := range sc.Tasks {
		tasks[k] = slices.Clone(v)
	}
	a := sc.Approval
	var ans asltest.TaskAnswer
	switch {
	case a.Timeout:
		ans = asltest.TaskAnswer{Error: asl.ErrTimeout, Cause: "the approval was not answered within TimeoutSeconds"}
	case a.Error != "":
		ans = asltest.TaskAnswer{Error: a.Error, Cause: a.Cause}
	default:
		ans = asltest.TaskAnswer{Output: a.Output}
	}
	tasks[approveState] = append(tasks[approveState], ans)
	return tasks
}

// approveState is the approve task of kms-cancel-key-deletion.
const approveState = "RequestApproval"

func hasCallback(def []byte) bool { return bytes.Contains(def, []byte(lambdaCallback)) }

// syncApproval rewrites every lambda:invoke.waitForTaskToken Task into a plain
// lambda:invoke whose payload carries a fixed token, so that an engine without task
// tokens can run it; the Task's answer then stands for the human's.
func syncApproval(t *testing.T, def []byte) []byte {
	t.Helper()
	var root map[string]any
	if err := json.Unmarshal(def, &root); err != nil {
		t.Fatal(err)
	}
	walkMachines(root, "", func(_ string, sm map[string]any) {
		for _, v := range sm["States"].(map[string]any) {
			st := v.(map[string]any)
			if st["Resource"] != lambdaCallback {
				continue
			}
			st["Resource"] = lambdaInvoke
			p := st["Parameters"].(map[string]any)["Payload"].(map[string]any)
			delete(p, "token.$")
			p["token"] = "synchronous-stand-in"
		}
	})
	out, err := json.Marshal(root)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// mergePatch applies a JSON merge patch (RFC 7386).
func mergePatch(t *testing.T, doc, patch json.RawMessage) json.RawMessage {
	t.Helper()
	var d, p any
	if err := json.Unmarshal(doc, &d); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(patch, &p); err != nil {
		t.Fatal(err)
	}
	var merge func(d, p any) any
	merge = func(d, p any) any {
		pm, ok := p.(map[string]any)
		if !ok {
			return p
		}
		dm, ok := d.(map[string]any)
		if !ok {
			dm = map[string]any{}
		}
		for k, v := range pm {
			if v == nil {
				delete(dm, k)
				continue
			}
			dm[k] = merge(dm[k], v)
		}
		return dm
	}
	out, err := json.Marshal(merge(d, p))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// halfJitter is a rand.Source that makes every FULL-jitter pause exactly half of its
// cap (rand.Float64 of a constant 1<<52 is 0.5), so scenarios can state backoff times.
type halfJitter struct{}

func (halfJitter) Uint64() uint64 { return 1 << 52 }

// recorder answers Task calls from a scenario's answers, as asltest.Run does, and
// records every call.
type recorder struct {
	tasks map[string][]asltest.TaskAnswer
	used  map[string][]bool
	calls []asl.Call
}

func (r *recorder) Invoke(_ context.Context, c asl.Call) (json.RawMessage, error) {
	r.calls = append(r.calls, c)
	answers := r.tasks[c.State]
	marks := r.used[c.State]
	if marks == nil {
		marks = make([]bool, len(answers))
		r.used[c.State] = marks
	}
	for i, a := range answers {
		if marks[i] || (len(a.Input) > 0 && !sameJSON(a.Input, c.Input)) {
			continue
		}
		marks[i] = true
		if a.Error != "" {
			return nil, &asl.Error{Name: a.Error, Cause: a.Cause}
		}
		if len(a.Output) == 0 {
			return json.RawMessage("null"), nil
		}
		return a.Output, nil
	}
	if c.TaskToken != "" {
		// The approval request was delivered; the human answers later.
		return json.RawMessage(`{"ExecutedVersion": "$LATEST", "Payload": {"requested": true}, "StatusCode": 200}`), nil
	}
	return nil, &asl.Error{Name: asltest.NoAnswerError, Cause: fmt.Sprintf("no answer left for Task state %s and input %s", c.State, c.Input)}
}

func runScenario(t *testing.T, m *asl.Machine, sc scenario) {
	ctx := context.Background()
	rec := &recorder{tasks: sc.Tasks, used: map[string][]bool{}}
	e, err := m.Start(ctx, sc.Input, asl.Options{
		Name:             asltest.ExecutionName,
		StateMachineName: asltest.StateMachineName,
		StartTime:        startTime,
		Invoker:          rec,
		Rand:             rand.New(halfJitter{}),
	})
	if err != nil {
		t.Fatal(err)
	}
	if a := sc.Approval; a != nil {
		answerApproval(t, e, rec, a)
	}
	if e.Status() == asl.StatusWaiting {
		t.Fatalf("execution still waits for tokens %v", e.WaitingTokens())
	}

	got := asltest.Outcome{Status: string(e.Status()), Path: topLevel(m, e.Path())}
	switch e.Status() {
	case asl.StatusSucceeded:
		got.Output = e.Output()
	case asl.StatusFailed:
		got.Error, got.Cause = e.Err().Name, e.Err().Cause
	}
	want := *sc.Expect
	if got.Status != want.Status || !slices.Equal(got.Path, want.Path) || got.Error != want.Error ||
		(want.Cause != "" && got.Cause != want.Cause) || (want.Status == "SUCCEEDED" && !sameJSON(got.Output, want.Output)) {
		t.Errorf("outcome = %s\nwant %s", describe(got), describe(want))
	}

	var sdkCalls []call
	var timeline []entry
	for _, c := range rec.calls {
		at := c.Time.Sub(startTime).Seconds()
		if strings.HasPrefix(c.Resource, sdkPrefix) {
			sdkCalls = append(sdkCalls, call{At: at, State: c.State, Resource: c.Resource, Input: c.Input})
			continue
		}
		timeline = append(timeline, lambdaEntry(t, c, at, sc))
	}
	compareCalls(t, sdkCalls, sc.Calls)
	compareTimeline(t, timeline, sc.Timeline)
	if end := e.Now().Sub(startTime).Seconds(); end != sc.End {
		t.Errorf("execution ended at +%gs; want +%gs", end, sc.End)
	}
	for state, marks := range rec.used {
		if _, given := sc.DiffCase.Tasks[state]; !given {
			continue
		}
		for i, used := range marks {
			if !used && !isDefaultAnswer(sc.Tasks[state][i]) {
				t.Errorf("answer %d of Task state %s was never used", i, state)
			}
		}
	}
	for state := range sc.Tasks {
		if _, called := rec.used[state]; !called && !isDefaultAnswer(sc.Tasks[state][0]) {
			t.Errorf("Task state %s has answers but was never called", state)
		}
	}
}

func isDefaultAnswer(a asltest.TaskAnswer) bool {
	return a.Error == "" && bytes.Contains(a.Output, []byte(`"ExecutedVersion": "$LATEST"`))
}

// answerApproval plays the human: once the execution waits on the approve task, the
// clock moves on and the approver answers, or nobody does until the task times out.
func answerApproval(t *testing.T, e *asl.Execution, rec *recorder, a *approval) {
	t.Helper()
	ctx := context.Background()
	tokens := e.WaitingTokens()
	if e.Status() != asl.StatusWaiting || len(tokens) != 1 {
		t.Fatalf("status %s, waiting tokens %v; want WAITING on one approval token", e.Status(), tokens)
	}
	var sent string
	for _, c := range rec.calls {
		if c.TaskToken != "" {
			var p lambdaParams
			var pl payload
			if err := json.Unmarshal(c.Input, &p); err != nil || json.Unmarshal(p.Payload, &pl) != nil {
				t.Fatalf("approve call input %s", c.Input)
			}
			if pl.Token != c.TaskToken {
				t.Errorf("approve payload token = %q; want the task token %q", pl.Token, c.TaskToken)
			}
			sent = pl.Token
		}
	}
	if sent != tokens[0] {
		t.Fatalf("approve payload carried token %q; the execution waits on %q", sent, tokens[0])
	}
	after := time.Duration(a.After * float64(time.Second))
	if a.Timeout {
		// Nobody answers: one second before the timeout the execution still waits, at
		// the timeout it moves on.
		if err := e.Advance(ctx, after-time.Second); err != nil {
			t.Fatal(err)
		}
		if e.Status() != asl.StatusWaiting {
			t.Fatalf("status %s one second before the approval timeout; want WAITING", e.Status())
		}
		if err := e.Advance(ctx, time.Second); err != nil {
			t.Fatal(err)
		}
		return
	}
	if err := e.Advance(ctx, after); err != nil {
		t.Fatal(err)
	}
	var err error
	if a.Error != "" {
		err = e.SendTaskFailure(ctx, sent, a.Error, a.Cause)
	} else {
		err = e.SendTaskSuccess(ctx, sent, a.Output)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// lambdaEntry checks one runbook Lambda call against the contract and turns it into a
// timeline entry.
func lambdaEntry(t *testing.T, c asl.Call, at float64, sc scenario) entry {
	t.Helper()
	var p lambdaParams
	if err := json.Unmarshal(c.Input, &p); err != nil {
		t.Fatalf("%s: input %s: %v", c.State, c.Input, err)
	}
	if p.FunctionName != testFunctionARN {
		t.Errorf("%s: FunctionName = %q; want %q", c.State, p.FunctionName, testFunctionARN)
	}
	var pl payload
	dec := json.NewDecoder(bytes.NewReader(p.Payload))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&pl); err != nil {
		t.Errorf("%s: payload %s: %v", c.State, p.Payload, err)
	}
	var in struct {
		Incident struct {
			ID string `json:"id"`
		} `json:"incident"`
		Runbook string `json:"runbook"`
	}
	if err := json.Unmarshal(sc.Input, &in); err != nil {
		t.Fatal(err)
	}
	if pl.Incident != in.Incident.ID || pl.Runbook != in.Runbook || pl.Execution != asltest.ExecutionName {
		t.Errorf("%s: payload names incident %q, runbook %q, execution %q; want %q, %q, %q", c.State, pl.Incident, pl.Runbook, pl.Execution, in.Incident.ID, in.Runbook, asltest.ExecutionName)
	}
	if pl.Action == "record" && (!slices.Contains(phases, pl.Phase) || !slices.Contains(statuses, pl.Status)) {
		t.Errorf("%s: record phase %q status %q", c.State, pl.Phase, pl.Status)
	}
	if (c.Resource == lambdaCallback) != (pl.Action == "approve") {
		t.Errorf("%s: action %s on %s", c.State, pl.Action, c.Resource)
	}
	return entry{At: at, Action: pl.Action, Phase: pl.Phase, Status: pl.Status, Detail: pl.Detail, Message: pl.Message, Request: pl.Request, Data: pl.Data}
}

func compareCalls(t *testing.T, got, want []call) {
	t.Helper()
	for i := 0; i < max(len(got), len(want)); i++ {
		switch {
		case i >= len(got):
			t.Errorf("AWS call %d: missing; want %s", i, describe(want[i]))
		case i >= len(want):
			t.Errorf("AWS call %d: unexpected %s", i, describe(got[i]))
		case got[i].State != want[i].State || got[i].Resource != want[i].Resource || got[i].At != want[i].At || !sameJSON(got[i].Input, want[i].Input):
			t.Errorf("AWS call %d = %s\nwant %s", i, describe(got[i]), describe(want[i]))
		}
	}
}

func compareTimeline(t *testing.T, got, want []entry) {
	t.Helper()
	for i := 0; i < max(len(got), len(want)); i++ {
		switch {
		case i >= len(got):
			t.Errorf("timeline %d: missing; want %s", i, describe(want[i]))
		case i >= len(want):
			t.Errorf("timeline %d: unexpected %s", i, describe(got[i]))
		default:
			g, w := got[i], want[i]
			if w.Data == nil {
				g.Data = nil
			}
			if g.At != w.At || g.Action != w.Action || g.Phase != w.Phase || g.Status != w.Status || g.Detail != w.Detail ||
				g.Message != w.Message || g.Request != w.Request || (w.Data != nil && !sameJSON(g.Data, w.Data)) {
				t.Errorf("timeline %d = %s\nwant %s", i, describe(g), describe(w))
			}
		}
	}
}

func topLevel(m *asl.Machine, path []string) []string {
	out := []string{}
	for _, p := range path {
		if slices.Contains(m.States(), p) {
			out = append(out, p)
		}
	}
	return out
}

func sameJSON(a, b []byte) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

func describe(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
