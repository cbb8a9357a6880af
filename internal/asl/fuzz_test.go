package asl

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// FuzzParse feeds arbitrary definitions to Parse; its seed corpus is in
// testdata/fuzz/FuzzParse. Parse must never panic, and a definition it accepts must run
// without tripping the interpreter's internal-error guard.
func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}`))
	f.Add([]byte(`{"StartAt": "A", "States": {"A": {"Type": "Choice", "Choices": [{"Not": {"Variable": "$.x", "IsPresent": true}, "Next": "A"}], "Default": "B"}, "B": {"Type": "Fail"}}}`))
	f.Fuzz(func(t *testing.T, def []byte) {
		m, err := Parse(def)
		if err != nil {
			if m != nil {
				t.Fatalf("Parse returned both a Machine and %v", err)
			}
			return
		}
		runFuzzed(t, m, []byte(`{"a": [1, {"b": "c"}], "n": 3, "s": "x"}`), []byte(`{"ok": true}`))
	})
}

// FuzzExecute runs the differential definitions on arbitrary inputs and Task answers:
// however odd they are, executions end or wait, and never hit the internal-error guard.
func FuzzExecute(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "differential", "*.json"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no differential definitions: %v", err)
	}
	var machines []*Machine
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		var df struct {
			Definition json.RawMessage `json:"definition"`
			Cases      []struct {
				Input json.RawMessage `json:"input"`
			} `json:"cases"`
		}
		if err := json.Unmarshal(data, &df); err != nil {
			f.Fatalf("%s: %v", file, err)
		}
		m, err := Parse(df.Definition)
		if err != nil {
			f.Fatalf("%s: %v", file, err)
		}
		for _, c := range df.Cases {
			f.Add(uint8(len(machines)), []byte(c.Input), []byte(`{"ok": true, "Payload": {"lines": []}}`))
		}
		machines = append(machines, m)
	}
	f.Add(uint8(0), []byte(`null`), []byte(`not json`))
	f.Add(uint8(1), []byte(`"string"`), []byte(`[]`))
	f.Add(uint8(2), []byte(`[1,2,3]`), []byte(`{"Reservations": 5}`))
	f.Fuzz(func(t *testing.T, which uint8, input, answer []byte) {
		runFuzzed(t, machines[int(which)%len(machines)], input, answer)
	})
}

func runFuzzed(t *testing.T, m *Machine, input, answer []byte) {
	t.Helper()
	calls := 0
	inv := InvokerFunc(func(_ context.Context, c Call) (json.RawMessage, error) {
		calls++
		if calls%3 == 0 {
			return nil, &Error{Name: "Fuzz.Error", Cause: string(answer)}
		}
		return answer, nil
	})
	e, err := m.Start(context.Background(), input, Options{Name: "fuzz", Invoker: inv, MaxSteps: 200})
	if err != nil {
		return // bad input JSON is reported by Start
	}
	for i := 0; i < 3 && e.Status() == StatusWaiting; i++ {
		toks := e.WaitingTokens()
		if len(toks) == 0 {
			t.Fatal("Status() = WAITING with no WaitingTokens()")
		}
		if i == 1 {
			_ = e.SendTaskFailure(context.Background(), toks[0], "Fuzz.Rejected", "")
		} else {
			_ = e.SendTaskSuccess(context.Background(), toks[0], answer)
		}
		if err := e.Advance(context.Background(), time.Hour); err != nil {
			t.Fatalf("Advance = %v", err)
		}
	}
	switch e.Status() {
	case StatusSucceeded:
		if !json.Valid(e.Output()) {
			t.Fatalf("Output() = %q is not JSON", e.Output())
		}
	case StatusFailed:
		if strings.Contains(e.Err().Cause, "internal error") {
			t.Fatalf("execution hit the internal-error guard: %v", e.Err())
		}
	case StatusWaiting:
	default:
		t.Fatalf("Status() = %s after the run", e.Status())
	}
	for _, ev := range e.History() {
		for _, raw := range []json.RawMessage{ev.Input, ev.Output} {
			if len(raw) > 0 && !json.Valid(raw) {
				t.Fatalf("history event %s has invalid JSON %q", ev.Type, raw)
			}
		}
	}
}
