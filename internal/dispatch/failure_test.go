package dispatch_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/firebreak-ops/firebreak/internal/awstest"
	"github.com/firebreak-ops/firebreak/internal/dispatch"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/metrics"
	"github.com/firebreak-ops/firebreak/internal/notify"
	"github.com/firebreak-ops/firebreak/internal/runbook"
	"github.com/firebreak-ops/firebreak/internal/store"
)

func snsError(status int, code, msg string) awstest.Reply {
	typ := "Sender"
	if status >= 500 {
		typ = "Receiver"
	}
	return awstest.Reply{Status: status, Body: fmt.Sprintf(`<ErrorResponse><Error><Type>%s</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>r</RequestId></ErrorResponse>`, typ, code, msg)}
}

// TestPermanentFailuresNeverHoldTheShard runs the real-shaped stream batch (a sev1
// opened, then mitigated: security and platform told of each, one runbook) through the
// real SNS and Step Functions clients against an endpoint that answers errors. A
// permanent failure is recorded on the timeline, counted, and the batch goes on; a
// retryable one is reported as a batch item failure, from the record it hit.
func TestPermanentFailuresNeverHoldTheShard(t *testing.T) {
	toPlatform := func(r awstest.Request) bool {
		return r.Action == "Publish" && strings.HasSuffix(r.Form.Get("TopicArn"), "firebreak-platform")
	}
	tests := []struct {
		name      string
		noTopic   bool // the platform team has no topic
		noMachine bool // the runbook has no state machine
		answer    func(r awstest.Request) (awstest.Reply, bool)
		retry     bool   // want a batch item failure
		timeline  string // want, when the batch went through
		failures  map[string]int
	}{
		{name: "no topic for a team", noTopic: true,
			timeline: "runbook-started: notified:security not-notified:platform notified:security not-notified:platform",
			failures: map[string]int{"notify": 2}},
		{name: "SNS refuses the request as invalid", answer: func(r awstest.Request) (awstest.Reply, bool) {
			return snsError(400, "InvalidParameter", "Invalid parameter: Message too long"), toPlatform(r)
		}, timeline: "runbook-started: notified:security not-notified:platform notified:security not-notified:platform",
			failures: map[string]int{"notify": 2}},
		{name: "SNS denies access", answer: func(r awstest.Request) (awstest.Reply, bool) {
			return snsError(403, "AuthorizationError", "not authorized to perform SNS:Publish"), toPlatform(r)
		}, timeline: "runbook-started: notified:security not-notified:platform notified:security not-notified:platform",
			failures: map[string]int{"notify": 2}},
		{name: "the state machine does not exist", answer: func(r awstest.Request) (awstest.Reply, bool) {
			return awstest.StatesError("StateMachineDoesNotExist", "State Machine Does Not Exist"), r.Action == "StartExecution"
		}, timeline: "runbook-not-started: notified:security notified:platform notified:security notified:platform",
			failures: map[string]int{"runbook": 1}},
		{name: "Step Functions refuses the input", answer: func(r awstest.Request) (awstest.Reply, bool) {
			return awstest.StatesError("InvalidExecutionInput", "Invalid execution input"), r.Action == "StartExecution"
		}, timeline: "runbook-not-started: notified:security notified:platform notified:security notified:platform",
			failures: map[string]int{"runbook": 1}},
		{name: "the runbook has no state machine", noMachine: true,
			timeline: "runbook-not-started: notified:security notified:platform notified:security notified:platform",
			failures: map[string]int{"runbook": 1}},
		{name: "SNS throttles", answer: func(r awstest.Request) (awstest.Reply, bool) {
			return snsError(400, "Throttling", "Rate exceeded"), toPlatform(r)
		}, retry: true},
		{name: "SNS fails inside", answer: func(r awstest.Request) (awstest.Reply, bool) {
			return snsError(503, "ServiceUnavailable", "try again"), toPlatform(r)
		}, retry: true},
		{name: "Step Functions limits executions", answer: func(r awstest.Request) (awstest.Reply, bool) {
			return awstest.StatesError("ExecutionLimitExceeded", "too many executions"), r.Action == "StartExecution"
		}, retry: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			var emf bytes.Buffer
			f.d.Metrics = metrics.New(&emf)
			if tt.noTopic {
				f.d.Sender = notify.New(f.srv.SNS(), map[string]string{"security": securityTopic})
			}
			if tt.noMachine {
				f.d.Runbooks = &runbook.StepFunctions{Client: f.srv.SFN(), StateMachines: map[string]string{}}
			}
			f.srv.Answer = tt.answer
			ev := f.stream(t)
			h := &dispatch.StreamHandler{Dispatcher: f.d}
			resp, err := h.Handle(context.Background(), ev)
			if err != nil {
				t.Fatal(err)
			}
			if tt.retry {
				if len(resp.BatchItemFailures) != 1 || resp.BatchItemFailures[0].ItemIdentifier != ev.Records[0].Change.SequenceNumber {
					t.Errorf("BatchItemFailures = %v; want the opened record, retried", resp.BatchItemFailures)
				}
				if emf.Len() != 0 {
					t.Errorf("metrics = %s; want no permanent failure counted", emf.String())
				}
				return
			}
			if len(resp.BatchItemFailures) != 0 {
				t.Fatalf("BatchItemFailures = %v; want none: a permanent failure never holds the shard back", resp.BatchItemFailures)
			}
			requests := len(f.srv.Requests())
			// Redelivered, the batch tries nothing again.
			if resp, err := h.Handle(context.Background(), ev); err != nil || len(resp.BatchItemFailures) != 0 {
				t.Fatalf("redelivery: %v, %v", resp.BatchItemFailures, err)
			}
			if n := len(f.srv.Requests()); n != requests {
				t.Errorf("redelivery made %d more AWS requests; want none", n-requests)
			}
			tl, err := f.st.Timeline(context.Background(), "FB-KHCFVO73-1")
			if err != nil {
				t.Fatal(err)
			}
			if got := kinds(tl); got != tt.timeline {
				t.Errorf("timeline = %s; want %s", got, tt.timeline)
			}
			for _, e := range tl {
				if (e.Kind == incident.KindNotNotified || e.Kind == incident.KindRunbookNotStarted) && (e.Data["error"] == "" || !strings.Contains(e.Detail, "Not retried")) {
					t.Errorf("%s entry = %q, error %q; want what failed and that it is not retried", e.Kind, e.Detail, e.Data["error"])
				}
			}
			if tt.failures["runbook"] > 0 {
				if pubs := f.srv.Of("Publish"); len(pubs) == 0 || !strings.Contains(pubs[0].Form.Get("Message"), "sg-revoke-world-ingress: could not be started") {
					t.Errorf("the opened notice does not say the runbook could not be started")
				}
			}
			got := map[string]int{}
			for _, line := range strings.Split(strings.TrimSpace(emf.String()), "\n") {
				var rec struct {
					Action           string
					DispatchFailures int
				}
				if err := json.Unmarshal([]byte(line), &rec); err != nil {
					t.Fatalf("EMF line %q: %v", line, err)
				}
				got[rec.Action] += rec.DispatchFailures
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.failures) {
				t.Errorf("DispatchFailures by action = %v; want %v", got, tt.failures)
			}
		})
	}
}

func TestIsPermanent(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{nil, false},
		{errors.New("connection reset"), false},
		{context.DeadlineExceeded, false},
		{fmt.Errorf("start: %w", context.Canceled), false},
		{dispatch.Permanent(errors.New("refused")), true},
		{fmt.Errorf("notify x: %w %q", notify.ErrNoTopic, "x"), true},
		{fmt.Errorf("notify x: %w: bad kind", notify.ErrRender), true},
		{fmt.Errorf("list open incidents: %w", apiError(400, "ProvisionedThroughputExceededException")), false},
		{apiError(400, "RequestLimitExceeded"), false},
		{apiError(400, "ThrottlingException"), false},
		{apiError(400, "ValidationException"), true},
		{apiError(403, "AccessDeniedException"), true},
		{apiError(500, "InternalServerError"), false},
		{fmt.Errorf("notify: %w", &store.HeldError{Incident: "FB-1", Key: "notify:v1:web"}), false},
	}
	for _, tt := range tests {
		if got := dispatch.IsPermanent(tt.err); got != tt.want {
			t.Errorf("IsPermanent(%v) = %v; want %v", tt.err, got, tt.want)
		}
	}
}

// apiError is an AWS API error as the SDK returns it: an HTTP response error around the
// service's error code.
func apiError(status int, code string) error {
	return &awshttp.ResponseError{ResponseError: &smithyhttp.ResponseError{
		Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}},
		Err:      &smithy.GenericAPIError{Code: code, Message: "from the test"}}}
}
