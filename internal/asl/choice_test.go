package asl

import (
	"strings"
	"testing"
)

func TestChoiceRules(t *testing.T) {
	const input = `{
	  "s": "beta", "n": 10, "f": 2.5, "b": true, "nul": null,
	  "ts": "2024-03-01T12:00:00Z", "tsOff": "2024-03-01T13:00:00+01:00", "notTs": "yesterday",
	  "other": {"s": "alpha", "n": 10, "b": true, "ts": "2024-03-01T11:59:59.5Z"},
	  "arr": [1, 2], "file": "logs/2024/app*.log", "path": "C:\\temp"
	}`
	tests := []struct {
		rule string
		want bool
	}{
		{`{"Variable": "$.s", "StringEquals": "beta"}`, true},
		{`{"Variable": "$.s", "StringEquals": "Beta"}`, false},
		{`{"Variable": "$.n", "StringEquals": "10"}`, false}, // wrong type is false
		{`{"Variable": "$.s", "StringLessThan": "gamma"}`, true},
		{`{"Variable": "$.s", "StringGreaterThan": "alpha"}`, true},
		{`{"Variable": "$.s", "StringLessThanEquals": "beta"}`, true},
		{`{"Variable": "$.s", "StringGreaterThanEquals": "betb"}`, false},
		{`{"Variable": "$.s", "StringEqualsPath": "$.other.s"}`, false},
		{`{"Variable": "$.s", "StringGreaterThanPath": "$.other.s"}`, true},
		{`{"Variable": "$.s", "StringLessThanPath": "$.other.s"}`, false},
		{`{"Variable": "$.s", "StringLessThanEqualsPath": "$.s"}`, true},
		{`{"Variable": "$.s", "StringGreaterThanEqualsPath": "$.other.s"}`, true},
		{`{"Variable": "$.s", "StringEqualsPath": "$.n"}`, false},
		{`{"Variable": "$.s", "StringMatches": "b*"}`, true},
		{`{"Variable": "$.s", "StringMatches": "*t*"}`, true},
		{`{"Variable": "$.s", "StringMatches": "*a"}`, true},
		{`{"Variable": "$.s", "StringMatches": "*x*"}`, false},
		{`{"Variable": "$.s", "StringMatches": "beta*"}`, true},
		{`{"Variable": "$.s", "StringMatches": "b*t*a"}`, true},
		{`{"Variable": "$.s", "StringMatches": "b**a"}`, true},
		{`{"Variable": "$.s", "StringMatches": "*"}`, true},
		{`{"Variable": "$.file", "StringMatches": "logs/*/app\\*.log"}`, true},
		{`{"Variable": "$.file", "StringMatches": "logs/*/app\\*x.log"}`, false},
		{`{"Variable": "$.path", "StringMatches": "C:\\\\*"}`, true},
		{`{"Variable": "$.n", "StringMatches": "*"}`, false},
		{`{"Variable": "$.n", "NumericEquals": 10}`, true},
		{`{"Variable": "$.n", "NumericEquals": 10.0}`, true},
		{`{"Variable": "$.f", "NumericLessThan": 3}`, true},
		{`{"Variable": "$.f", "NumericGreaterThan": 2.5}`, false},
		{`{"Variable": "$.f", "NumericGreaterThanEquals": 2.5}`, true},
		{`{"Variable": "$.n", "NumericLessThanEquals": 9}`, false},
		{`{"Variable": "$.s", "NumericLessThan": 1}`, false},
		{`{"Variable": "$.n", "NumericEqualsPath": "$.other.n"}`, true},
		{`{"Variable": "$.f", "NumericLessThanPath": "$.n"}`, true},
		{`{"Variable": "$.n", "NumericGreaterThanPath": "$.f"}`, true},
		{`{"Variable": "$.n", "NumericLessThanEqualsPath": "$.other.n"}`, true},
		{`{"Variable": "$.n", "NumericGreaterThanEqualsPath": "$.s"}`, false},
		{`{"Variable": "$.b", "BooleanEquals": true}`, true},
		{`{"Variable": "$.b", "BooleanEquals": false}`, false},
		{`{"Variable": "$.s", "BooleanEquals": true}`, false},
		{`{"Variable": "$.b", "BooleanEqualsPath": "$.other.b"}`, true},
		{`{"Variable": "$.ts", "TimestampEquals": "2024-03-01T12:00:00Z"}`, true},
		{`{"Variable": "$.tsOff", "TimestampEquals": "2024-03-01T12:00:00Z"}`, true},
		{`{"Variable": "$.ts", "TimestampLessThan": "2024-03-01T12:00:00.001Z"}`, true},
		{`{"Variable": "$.ts", "TimestampGreaterThan": "2024-03-01T12:00:00Z"}`, false},
		{`{"Variable": "$.ts", "TimestampLessThanEquals": "2024-03-01T12:00:00Z"}`, true},
		{`{"Variable": "$.ts", "TimestampGreaterThanEquals": "2025-01-01T00:00:00Z"}`, false},
		{`{"Variable": "$.notTs", "TimestampLessThan": "2099-01-01T00:00:00Z"}`, false},
		{`{"Variable": "$.ts", "TimestampGreaterThanPath": "$.other.ts"}`, true},
		{`{"Variable": "$.ts", "TimestampEqualsPath": "$.tsOff"}`, true},
		{`{"Variable": "$.ts", "TimestampLessThanPath": "$.notTs"}`, false},
		{`{"Variable": "$.ts", "TimestampLessThanEqualsPath": "$.ts"}`, true},
		{`{"Variable": "$.ts", "TimestampGreaterThanEqualsPath": "$.other.ts"}`, true},
		{`{"Variable": "$.nul", "IsNull": true}`, true},
		{`{"Variable": "$.s", "IsNull": true}`, false},
		{`{"Variable": "$.s", "IsNull": false}`, true},
		{`{"Variable": "$.s", "IsPresent": true}`, true},
		{`{"Variable": "$.missing", "IsPresent": true}`, false},
		{`{"Variable": "$.missing", "IsPresent": false}`, true},
		{`{"Variable": "$.nul", "IsPresent": true}`, true},
		{`{"Variable": "$.arr[5]", "IsPresent": false}`, true},
		{`{"Variable": "$.f", "IsNumeric": true}`, true},
		{`{"Variable": "$.s", "IsNumeric": false}`, true},
		{`{"Variable": "$.s", "IsString": true}`, true},
		{`{"Variable": "$.nul", "IsString": true}`, false},
		{`{"Variable": "$.b", "IsBoolean": true}`, true},
		{`{"Variable": "$.ts", "IsTimestamp": true}`, true},
		{`{"Variable": "$.notTs", "IsTimestamp": true}`, false},
		{`{"Variable": "$.n", "IsTimestamp": false}`, true},
		{`{"Variable": "$$.Execution.Name", "StringEquals": "run-1"}`, true},
		{`{"And": [{"Variable": "$.n", "NumericEquals": 10}, {"Variable": "$.b", "BooleanEquals": true}]}`, true},
		{`{"And": [{"Variable": "$.n", "NumericEquals": 10}, {"Variable": "$.b", "BooleanEquals": false}]}`, false},
		{`{"Or": [{"Variable": "$.n", "NumericEquals": 1}, {"Variable": "$.b", "BooleanEquals": true}]}`, true},
		{`{"Or": [{"Variable": "$.n", "NumericEquals": 1}, {"Variable": "$.b", "BooleanEquals": false}]}`, false},
		{`{"Not": {"Variable": "$.n", "NumericEquals": 1}}`, true},
		{`{"Not": {"Not": {"Variable": "$.n", "NumericEquals": 1}}}`, false},
		// And stops at the first false rule, so the missing path is never read.
		{`{"And": [{"Variable": "$.b", "BooleanEquals": false}, {"Variable": "$.missing", "IsNull": true}]}`, false},
		{`{"Or": [{"Variable": "$.b", "BooleanEquals": true}, {"Variable": "$.missing", "IsNull": true}]}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			r, err := compileChoiceRule(mustDecode(t, tt.rule), false, "rule")
			if err != nil {
				t.Fatalf("compileChoiceRule(%s) = %v", tt.rule, err)
			}
			env := &evalEnv{input: mustDecode(t, input), context: func() any { return mustDecode(t, `{"Execution":{"Name":"run-1"}}`) }}
			got, rerr := r.eval(env)
			if rerr != nil {
				t.Fatalf("eval(%s) = %v", tt.rule, rerr)
			}
			if got != tt.want {
				t.Errorf("eval(%s) = %v; want %v", tt.rule, got, tt.want)
			}
		})
	}
}

func TestChoiceRuntimeErrors(t *testing.T) {
	for _, rule := range []string{
		`{"Variable": "$.missing", "StringEquals": "x"}`,
		`{"Variable": "$.missing", "IsNull": true}`,
		`{"Variable": "$.s", "StringEqualsPath": "$.missing"}`,
		`{"Not": {"Variable": "$.missing", "NumericEquals": 1}}`,
	} {
		r, err := compileChoiceRule(mustDecode(t, rule), false, "rule")
		if err != nil {
			t.Fatalf("compileChoiceRule(%s) = %v", rule, err)
		}
		env := &evalEnv{input: mustDecode(t, `{"s": "x"}`)}
		if _, rerr := r.eval(env); rerr == nil || rerr.Name != ErrRuntime {
			t.Errorf("eval(%s) = %v; want States.Runtime", rule, rerr)
		}
	}
}

func TestChoiceCompileErrors(t *testing.T) {
	tests := []struct {
		rule string
		top  bool
		want string
	}{
		{`{"Variable": "$.a", "StringEquals": "x"}`, true, "Next is required"},
		{`{"Variable": "$.a", "StringEquals": "x", "Next": "B"}`, false, "Next is only allowed in a top-level"},
		{`{"Variable": "$.a", "Next": "B"}`, true, "needs one comparison operator"},
		{`{"Variable": "$.a", "StringEquals": "x", "NumericEquals": 1, "Next": "B"}`, true, "more than one operator (NumericEquals, StringEquals)"},
		{`{"Variable": "$.a", "StringEquals": 1, "Next": "B"}`, true, "StringEquals must be a string"},
		{`{"Variable": "$.a", "NumericEquals": "1", "Next": "B"}`, true, "NumericEquals must be a number"},
		{`{"Variable": "$.a", "BooleanEquals": "true", "Next": "B"}`, true, "BooleanEquals must be true or false"},
		{`{"Variable": "$.a", "TimestampEquals": "2024-13-01", "Next": "B"}`, true, "not an RFC 3339 timestamp"},
		{`{"Variable": "$.a", "IsNull": "yes", "Next": "B"}`, true, "IsNull must be true or false"},
		{`{"Variable": "$.a", "StringEqualsPath": "$.b[*]", "Next": "B"}`, true, "not a reference path"},
		{`{"Variable": "$.a", "StringMatches": "abc\\", "Next": "B"}`, true, "open escape"},
		{`{"Variable": "a", "StringEquals": "x", "Next": "B"}`, true, "must begin with $"},
		{`{"StringEquals": "x", "Next": "B"}`, true, "needs a Variable"},
		{`{"And": [], "Next": "B"}`, true, "non-empty array"},
		{`{"And": [{"Variable": "$.a", "IsNull": true}], "Variable": "$.a", "Next": "B"}`, true, "may not be combined"},
		{`{"Not": {"Variable": "$.a", "IsNull": true, "Next": "C"}, "Next": "B"}`, true, "Next is only allowed"},
		{`{"Variable": "$.a", "StringEquals": "x", "Nxt": "B"}`, true, `unknown field "Nxt"`},
		{`{"Condition": "{% true %}", "Next": "B"}`, true, "JSONata"},
		{`"not an object"`, true, "must be an object"},
	}
	for _, tt := range tests {
		_, err := compileChoiceRule(mustDecode(t, tt.rule), tt.top, "Choices[0]")
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("compileChoiceRule(%s) = %v; want an error containing %q", tt.rule, err, tt.want)
		}
	}
}
