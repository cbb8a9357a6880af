package asl

import (
	"slices"
	"strings"
	"testing"
)

func TestParseAccessors(t *testing.T) {
	def := `{
	  "Comment": "accessors", "Version": "1.0", "TimeoutSeconds": 300, "QueryLanguage": "JSONPath",
	  "StartAt": "First",
	  "States": {
	    "First": {"Type": "Task", "Resource": "arn:aws:states:::sns:publish", "Next": "Fan"},
	    "Fan": {"Type": "Parallel", "Next": "Each", "Branches": [
	      {"StartAt": "B1", "States": {"B1": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:ec2:startInstances", "End": true}}},
	      {"StartAt": "B2", "States": {"B2": {"Type": "Task", "Resource": "arn:aws:states:::sns:publish", "End": true}}}
	    ]},
	    "Each": {"Type": "Map", "End": true, "ItemProcessor": {"StartAt": "M", "States": {
	      "M": {"Type": "Task", "Resource": "${IncidentFn}", "Next": "Approve"},
	      "Approve": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken", "Parameters": {"t.$": "$$.Task.Token"}, "End": true}
	    }}}
	  }
	}`
	m, err := Parse([]byte(def))
	if err != nil {
		t.Fatalf("Parse = %v", err)
	}
	if got := m.StartAt(); got != "First" {
		t.Errorf("StartAt() = %q; want %q", got, "First")
	}
	if got, want := m.States(), []string{"First", "Fan", "Each"}; !slices.Equal(got, want) {
		t.Errorf("States() = %v; want %v", got, want)
	}
	want := []string{
		"${IncidentFn}",
		"arn:aws:states:::aws-sdk:ec2:startInstances",
		"arn:aws:states:::lambda:invoke.waitForTaskToken",
		"arn:aws:states:::sns:publish",
	}
	if got := m.Resources(); !slices.Equal(got, want) {
		t.Errorf("Resources() = %v; want %v", got, want)
	}
	m.States()[0] = "changed"
	if m.States()[0] != "First" {
		t.Error("States() returned the Machine's own slice")
	}
}

func TestParseAcceptsResourceForms(t *testing.T) {
	for _, res := range []string{
		"arn:aws:states:::aws-sdk:ec2:startInstances",
		"arn:aws:states:::aws-sdk:ssm:sendCommand.waitForTaskToken",
		"arn:aws:states:::lambda:invoke",
		"arn:aws:states:::lambda:invoke.waitForTaskToken",
		"arn:aws:states:::sns:publish",
		"arn:aws:states:::states:startExecution",
		"arn:aws:states:::states:startExecution.sync",
		"arn:aws:states:::states:startExecution.sync:2",
		"arn:aws:lambda:us-east-1:123456789012:function:Remediate",
		"${IncidentFn}",
	} {
		def := `{"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "` + res + `", "End": true}}}`
		if _, err := Parse([]byte(def)); err != nil {
			t.Errorf("Parse(Resource %q) = %v; want nil", res, err)
		}
	}
}

// oneState wraps one state named S (whose Next/Default may name "Done") into a definition.
func oneState(s string) string {
	return `{"StartAt": "S", "States": {"S": ` + s + `, "Done": {"Type": "Succeed"}}}`
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, def, want string
	}{
		{"not JSON", `{"StartAt": `, "definition is not valid JSON"},
		{"syntax error position", "{\n  \"StartAt\": x\n}", "line 2, column"},
		{"duplicate key", `{"StartAt": "A", "StartAt": "B", "States": {}}`, `duplicate field "StartAt"`},
		{"not an object", `[]`, "definition must be a JSON object, got array"},
		{"no StartAt", `{"States": {"A": {"Type": "Succeed"}}}`, "definition: StartAt is required"},
		{"no States", `{"StartAt": "A"}`, "definition: States is required"},
		{"empty States", `{"StartAt": "A", "States": {}}`, "States must be a non-empty object"},
		{"StartAt names nothing", `{"StartAt": "B", "States": {"A": {"Type": "Succeed"}}}`, `definition: StartAt "B" does not name a state`},
		{"unknown top-level field", `{"StartAt": "A", "Foo": 1, "States": {"A": {"Type": "Succeed"}}}`, `definition: unknown field "Foo"`},
		{"JSONata", `{"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {"Type": "Succeed"}}}`, `QueryLanguage "JSONata" is not supported; only JSONPath is`},
		{"JSONata on a state", oneState(`{"Type": "Pass", "QueryLanguage": "JSONata", "Next": "Done"}`), `state "S": QueryLanguage "JSONata" is not supported`},
		{"bad TimeoutSeconds", `{"TimeoutSeconds": 0, "StartAt": "A", "States": {"A": {"Type": "Succeed"}}}`, "TimeoutSeconds must be an integer from 1 to 99999999, got 0"},
		{"Next names nothing", `{"StartAt": "Verify", "States": {"Verify": {"Type": "Pass", "Next": "Nope"}}}`, `state "Verify": Next "Nope" does not name a state`},
		{"Next leaves its branch", `{"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true, "Branches": [{"StartAt": "X", "States": {"X": {"Type": "Pass", "Next": "P"}}}]}}}`, `state "X": Next "P" names a state outside its own branch`},
		{"no Type", oneState(`{"Next": "Done"}`), `state "S": Type is required`},
		{"unknown Type", oneState(`{"Type": "Sleep", "Next": "Done"}`), `state "S": unknown Type "Sleep"`},
		{"state not an object", oneState(`"Pass"`), `state "S": must be an object, got string`},
		{"unknown state field", oneState(`{"Type": "Pass", "Nxt": "Done", "Next": "Done"}`), `state "S": unknown field "Nxt"`},
		{"field of another type", oneState(`{"Type": "Pass", "Resource": "arn:x", "Next": "Done"}`), `state "S": field "Resource" is not allowed in a Pass state`},
		{"Next on Succeed", `{"StartAt": "S", "States": {"S": {"Type": "Succeed", "Next": "S"}}}`, `field "Next" is not allowed in a Succeed state`},
		{"InputPath on Fail", `{"StartAt": "S", "States": {"S": {"Type": "Fail", "InputPath": "$"}}}`, `field "InputPath" is not allowed in a Fail state`},
		{"Assign", oneState(`{"Type": "Pass", "Assign": {"x": 1}, "Next": "Done"}`), "workflow variables (Assign) are not supported"},
		{"Arguments", oneState(`{"Type": "Task", "Resource": "arn:x", "Arguments": {}, "Next": "Done"}`), "Arguments belongs to JSONata"},
		{"Next and End", oneState(`{"Type": "Pass", "Next": "Done", "End": true}`), `state "S": has both Next and End`},
		{"neither Next nor End", oneState(`{"Type": "Pass"}`), `state "S": needs Next or "End": true`},
		{"End false", oneState(`{"Type": "Pass", "End": false}`), `state "S": needs Next or "End": true`},
		{"End not a boolean", oneState(`{"Type": "Pass", "End": "yes"}`), `End must be true or false`},
		{"empty Next", oneState(`{"Type": "Pass", "Next": ""}`), `state "S": Next must not be empty`},
		{"Next not a string", oneState(`{"Type": "Pass", "Next": 1}`), `state "S": Next must be a string, got number`},
		{"Comment not a string", oneState(`{"Type": "Pass", "Comment": 1, "Next": "Done"}`), `state "S": Comment must be a string`},
		{"unreachable", `{"StartAt": "A", "States": {"A": {"Type": "Succeed"}, "B": {"Type": "Succeed"}}}`, `state "B": not reachable from StartAt "A"`},
		{"duplicate name across branches", `{"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true, "Branches": [
			{"StartAt": "X", "States": {"X": {"Type": "Succeed"}}}, {"StartAt": "X", "States": {"X": {"Type": "Succeed"}}}]}}}`, `state "X": the name is used more than once`},
		{"long name", `{"StartAt": "` + strings.Repeat("n", 81) + `", "States": {"` + strings.Repeat("n", 81) + `": {"Type": "Succeed"}}}`, "longer than 80 characters"},
		{"bad InputPath", oneState(`{"Type": "Pass", "InputPath": "foo", "Next": "Done"}`), `state "S": InputPath: path "foo" must begin with $`},
		{"InputPath not a string", oneState(`{"Type": "Pass", "InputPath": 1, "Next": "Done"}`), `state "S": InputPath must be a string`},
		{"ResultPath not a reference path", oneState(`{"Type": "Pass", "ResultPath": "$.a[*]", "Next": "Done"}`), `state "S": ResultPath: "$.a[*]" is not a reference path`},
		{"ResultPath into the context", oneState(`{"Type": "Pass", "ResultPath": "$$.x", "Next": "Done"}`), `ResultPath may not point into the context object`},
		{"Parameters not an object", oneState(`{"Type": "Pass", "Parameters": [1], "Next": "Done"}`), `state "S": Parameters: must be a JSON object, got array`},
		{"dollar field not a string", oneState(`{"Type": "Pass", "Parameters": {"a.$": 1}, "Next": "Done"}`), `field "a.$" must be a string`},
		{"bad template path", oneState(`{"Type": "Pass", "Parameters": {"a": {"b.$": "$.x["}}, "Next": "Done"}`), `state "S": Parameters: field "b.$": path "$.x[": unclosed '['`},
		{"unknown intrinsic", oneState(`{"Type": "Pass", "Parameters": {"a.$": "States.Nope()"}, "Next": "Done"}`), `state "S": Parameters: field "a.$": unknown intrinsic function "States.Nope"`},
		{"intrinsic arity", oneState(`{"Type": "Task", "Resource": "arn:x", "ResultSelector": {"a.$": "States.ArrayLength()"}, "Next": "Done"}`), `state "S": ResultSelector: field "a.$": States.ArrayLength takes 1 argument(s), got 0`},
		{"duplicate payload field", oneState(`{"Type": "Pass", "Parameters": {"a": 1, "a.$": "$"}, "Next": "Done"}`), `fields "a" and "a.$" both produce "a"`},
		{"no Resource", oneState(`{"Type": "Task", "Next": "Done"}`), `state "S": Resource is required`},
		{"bad Resource", oneState(`{"Type": "Task", "Resource": "lambda", "Next": "Done"}`), `state "S": Resource "lambda" is neither an ARN nor a ${Placeholder}`},
		{"both timeouts", oneState(`{"Type": "Task", "Resource": "arn:x", "TimeoutSeconds": 5, "TimeoutSecondsPath": "$.t", "Next": "Done"}`), "TimeoutSeconds and TimeoutSecondsPath are mutually exclusive"},
		{"heartbeat too long", oneState(`{"Type": "Task", "Resource": "arn:x", "TimeoutSeconds": 5, "HeartbeatSeconds": 5, "Next": "Done"}`), "HeartbeatSeconds (5) must be smaller than TimeoutSeconds (5)"},
		{"fractional timeout", oneState(`{"Type": "Task", "Resource": "arn:x", "TimeoutSeconds": 1.5, "Next": "Done"}`), "TimeoutSeconds must be an integer"},
		{"Retry not an array", oneState(`{"Type": "Task", "Resource": "arn:x", "Retry": {}, "Next": "Done"}`), `state "S": Retry must be an array`},
		{"Retry without ErrorEquals", oneState(`{"Type": "Task", "Resource": "arn:x", "Retry": [{}], "Next": "Done"}`), `state "S": Retry[0]: ErrorEquals is required`},
		{"empty ErrorEquals", oneState(`{"Type": "Task", "Resource": "arn:x", "Retry": [{"ErrorEquals": []}], "Next": "Done"}`), "ErrorEquals must be a non-empty array"},
		{"States.ALL not alone", oneState(`{"Type": "Task", "Resource": "arn:x", "Retry": [{"ErrorEquals": ["States.ALL", "X"]}], "Next": "Done"}`), "States.ALL must appear alone"},
		{"States.ALL not last", oneState(`{"Type": "Task", "Resource": "arn:x", "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Done"}, {"ErrorEquals": ["X"], "Next": "Done"}], "Next": "Done"}`), `state "S": Catch[0]: States.ALL must appear in the last element`},
		{"bad BackoffRate", oneState(`{"Type": "Task", "Resource": "arn:x", "Retry": [{"ErrorEquals": ["X"], "BackoffRate": 0.5}], "Next": "Done"}`), "BackoffRate must be a number of at least 1.0"},
		{"negative MaxAttempts", oneState(`{"Type": "Task", "Resource": "arn:x", "Retry": [{"ErrorEquals": ["X"], "MaxAttempts": -1}], "Next": "Done"}`), "MaxAttempts must be an integer from 0"},
		{"zero IntervalSeconds", oneState(`{"Type": "Task", "Resource": "arn:x", "Retry": [{"ErrorEquals": ["X"], "IntervalSeconds": 0}], "Next": "Done"}`), "IntervalSeconds must be an integer from 1"},
		{"bad JitterStrategy", oneState(`{"Type": "Task", "Resource": "arn:x", "Retry": [{"ErrorEquals": ["X"], "JitterStrategy": "HALF"}], "Next": "Done"}`), `JitterStrategy must be "FULL" or "NONE"`},
		{"unknown retrier field", oneState(`{"Type": "Task", "Resource": "arn:x", "Retry": [{"ErrorEquals": ["X"], "Interval": 1}], "Next": "Done"}`), `state "S": Retry[0]: unknown field "Interval"`},
		{"catcher without Next", oneState(`{"Type": "Task", "Resource": "arn:x", "Catch": [{"ErrorEquals": ["X"]}], "Next": "Done"}`), `state "S": Catch[0]: Next is required`},
		{"catcher Next names nothing", oneState(`{"Type": "Task", "Resource": "arn:x", "Catch": [{"ErrorEquals": ["X"], "Next": "Gone"}], "Next": "Done"}`), `state "S": Catch[0].Next "Gone" does not name a state`},
		{"no Choices", oneState(`{"Type": "Choice", "Default": "Done"}`), `state "S": Choices is required`},
		{"empty Choices", oneState(`{"Type": "Choice", "Choices": [], "Default": "Done"}`), `state "S": Choices must be a non-empty array`},
		{"bad choice rule", oneState(`{"Type": "Choice", "Choices": [{"Variable": "$.a", "Next": "Done"}]}`), `state "S": Choices[0]: needs one comparison operator`},
		{"choice Next names nothing", oneState(`{"Type": "Choice", "Choices": [{"Variable": "$.a", "IsNull": true, "Next": "Nope"}], "Default": "Done"}`), `state "S": Choices[0].Next "Nope" does not name a state`},
		{"Default names nothing", oneState(`{"Type": "Choice", "Choices": [{"Variable": "$.a", "IsNull": true, "Next": "Done"}], "Default": "Nope"}`), `state "S": Default "Nope" does not name a state`},
		{"Wait without duration", oneState(`{"Type": "Wait", "Next": "Done"}`), "needs exactly one of Seconds, SecondsPath, Timestamp and TimestampPath, has 0"},
		{"Wait with two durations", oneState(`{"Type": "Wait", "Seconds": 1, "Timestamp": "2024-01-01T00:00:00Z", "Next": "Done"}`), "has 2"},
		{"negative Seconds", oneState(`{"Type": "Wait", "Seconds": -1, "Next": "Done"}`), "Seconds must be an integer from 0"},
		{"bad Timestamp", oneState(`{"Type": "Wait", "Timestamp": "tomorrow", "Next": "Done"}`), `Timestamp "tomorrow" is not an RFC 3339 timestamp`},
		{"lowercase timestamp", oneState(`{"Type": "Wait", "Timestamp": "2024-01-01t00:00:00z", "Next": "Done"}`), "not an RFC 3339 timestamp"},
		{"Error and ErrorPath", `{"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "X", "ErrorPath": "$.e"}}}`, "Error and ErrorPath are mutually exclusive"},
		{"bad CausePath", `{"StartAt": "F", "States": {"F": {"Type": "Fail", "CausePath": "States.Nope()"}}}`, "CausePath must be a reference path or an intrinsic function"},
		{"no Branches", oneState(`{"Type": "Parallel", "Next": "Done"}`), `state "S": Branches is required`},
		{"empty Branches", oneState(`{"Type": "Parallel", "Branches": [], "Next": "Done"}`), "Branches must be a non-empty array"},
		{"bad branch", oneState(`{"Type": "Parallel", "Branches": [{"StartAt": "Q", "States": {"Q": {"Type": "Succeed"}}, "Extra": 1}], "Next": "Done"}`), `state "S": Branches[0]: unknown field "Extra"`},
		{"branch StartAt", oneState(`{"Type": "Parallel", "Branches": [{"StartAt": "Z", "States": {"Q": {"Type": "Succeed"}}}], "Next": "Done"}`), `state "S": Branches[0]: StartAt "Z" does not name a state`},
		{"Map without processor", oneState(`{"Type": "Map", "Next": "Done"}`), `state "S": ItemProcessor is required`},
		{"Map both processors", oneState(`{"Type": "Map", "ItemProcessor": {}, "Iterator": {}, "Next": "Done"}`), "ItemProcessor and Iterator are mutually exclusive"},
		{"Map both selectors", oneState(`{"Type": "Map", "ItemSelector": {}, "Parameters": {}, "ItemProcessor": {}, "Next": "Done"}`), "ItemSelector and Parameters are mutually exclusive"},
		{"distributed Map", oneState(`{"Type": "Map", "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}, "StartAt": "Q", "States": {"Q": {"Type": "Succeed"}}}, "Next": "Done"}`), `Mode "DISTRIBUTED" is not supported`},
		{"ItemReader", oneState(`{"Type": "Map", "ItemReader": {}, "ItemProcessor": {"StartAt": "Q", "States": {"Q": {"Type": "Succeed"}}}, "Next": "Done"}`), "distributed Map (ItemReader) is not supported"},
		{"ToleratedFailureCount", oneState(`{"Type": "Map", "ToleratedFailureCount": 1, "ItemProcessor": {"StartAt": "Q", "States": {"Q": {"Type": "Succeed"}}}, "Next": "Done"}`), "ToleratedFailureCount) is not supported"},
		{"bad ItemsPath", oneState(`{"Type": "Map", "ItemsPath": "$.a[*]", "ItemProcessor": {"StartAt": "Q", "States": {"Q": {"Type": "Succeed"}}}, "Next": "Done"}`), `ItemsPath: "$.a[*]" is not a reference path`},
		{"bad MaxConcurrency", oneState(`{"Type": "Map", "MaxConcurrency": -1, "ItemProcessor": {"StartAt": "Q", "States": {"Q": {"Type": "Succeed"}}}, "Next": "Done"}`), "MaxConcurrency must be an integer"},
		{"Result on a Task", oneState(`{"Type": "Task", "Resource": "arn:x", "Result": 1, "Next": "Done"}`), `field "Result" is not allowed in a Task state`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Parse([]byte(tt.def))
			if err == nil {
				t.Fatalf("Parse(%s) = %v, nil; want an error containing %q", tt.def, m, tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse(%s) = %q; want an error containing %q", tt.def, err, tt.want)
			}
		})
	}
}
