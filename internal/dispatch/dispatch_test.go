package dispatch_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/firebreak-ops/firebreak"
	"github.com/firebreak-ops/firebreak/internal/awstest"
	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/dispatch"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/notify"
	"github.com/firebreak-ops/firebreak/internal/runbook"
	"github.com/firebreak-ops/firebreak/internal/store"
	"github.com/firebreak-ops/firebreak/internal/store/dynamotest"
)

var t0 = time.Date(2026, 11, 2, 10, 58, 0, 0, time.UTC)

const (
	securityTopic = "arn:aws:sns:eu-west-1:123456789012:firebreak-security"
	platformTopic = "arn:aws:sns:eu-west-1:123456789012:firebreak-platform"
	stateMachine  = "arn:aws:states:eu-west-1:123456789012:stateMachine:firebreak-sg-revoke-world-ingress"
)

func cfg(t *testing.T) *config.Config {
	t.Helper()
	c, err := firebreak.Config()
	if err != nil {
		t.Fatal(err)
	}
	c.Communication = nil // these tests are the responders'; audience_test.go has the audiences'
	return c
}

type testStore interface {
	dispatch.Store
	dispatch.QuietStore
	Open(ctx context.Context, inc incident.Incident, opened incident.Entry) (incident.Incident, bool, error)
	Timeline(ctx context.Context, id string) ([]incident.Entry, error)
}

type fixture struct {
	srv   *awstest.Server
	st    testStore
	d     *dispatch.Dispatcher
	clock time.Time
}

func newFixture(t *testing.T) *fixture { return newFixtureOn(t, false) }

func newFixtureOn(t *testing.T, dynamo bool) *fixture {
	f := &fixture{srv: awstest.New(), clock: t0.Add(time.Second)}
	t.Cleanup(f.srv.Close)
	now := func() time.Time { return f.clock }
	f.st = store.NewMemory(now)
	if dynamo {
		f.st = dynamotest.Store(t, now)
	}
	f.d = &dispatch.Dispatcher{
		Store:    f.st,
		Quiet:    f.st,
		Sender:   notify.New(f.srv.SNS(), map[string]string{"security": securityTopic, "platform": platformTopic}),
		Runbooks: &runbook.StepFunctions{Client: f.srv.SFN(), StateMachines: map[string]string{"sg-revoke-world-ingress": stateMachine}},
		Config:   cfg(t),
		Now:      func() time.Time { return f.clock },
		Lease:    time.Minute,
	}
	return f
}

// stream decodes the real-shaped DynamoDB stream batch in testdata and makes sure the
// incident it describes exists in the store (dispatch reads its counters).
func (f *fixture) stream(t *testing.T) events.DynamoDBEvent {
	t.Helper()
	raw, err := os.ReadFile("testdata/stream.json")
	if err != nil {
		t.Fatal(err)
	}
	var ev events.DynamoDBEvent
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatal(err)
	}
	recs := dispatch.Records(ev)
	if len(recs) != 2 {
		t.Fatalf("Records(stream.json) = %d incident records; want 2 (the ledger page is not one)", len(recs))
	}
	inc := recs[0].New
	if _, _, err := f.st.Open(context.Background(), inc, incident.Entry{}); err != nil {
		t.Fatal(err)
	}
	return ev
}

func kinds(tl []incident.Entry) string {
	var out []string
	for _, e := range tl {
		out = append(out, string(e.Kind)+":"+e.Data["team"])
	}
	return strings.Join(out, " ")
}

func TestMain(m *testing.M) { dynamotest.Main(m) }

func TestStreamTwiceActsOncePerChange(t *testing.T) {
	for _, dynamo := range []bool{false, true} {
		t.Run(map[bool]string{false: "memory", true: "dynamodb"}[dynamo], func(t *testing.T) { streamTwice(t, newFixtureOn(t, dynamo)) })
	}
}

func streamTwice(t *testing.T, f *fixture) {
	ev := f.stream(t)
	h := &dispatch.StreamHandler{Dispatcher: f.d}
	for round := range 2 {
		resp, err := h.Handle(context.Background(), ev)
		if err != nil || len(resp.BatchItemFailures) != 0 {
			t.Fatalf("round %d: Handle() = %v, %v", round, resp.BatchItemFailures, err)
		}
	}
	starts := f.srv.Of("StartExecution")
	if len(starts) != 1 {
		t.Fatalf("StartExecution requests = %d; want 1 for the opened change", len(starts))
	}
	var in struct {
		StateMachineArn, Name, Input string
	}
	if err := json.Unmarshal(starts[0].JSON, &in); err != nil {
		t.Fatal(err)
	}
	if in.StateMachineArn != stateMachine || in.Name != "FB-KHCFVO73-1-v1" || !starts[0].Signed {
		t.Errorf("StartExecution = %+v; want %s, name FB-KHCFVO73-1-v1, signed", in, stateMachine)
	}
	var input runbook.Input
	if err := json.Unmarshal([]byte(in.Input), &input); err != nil {
		t.Fatalf("execution input is not JSON: %v", err)
	}
	if input.Incident.ID != "FB-KHCFVO73-1" || input.Event.Attrs["rule_ids"] != "sgr-0a1b2c3d4e5f67890" || input.Runbook != "sg-revoke-world-ingress" ||
		input.Window.Start != "2026-11-02T09:58:00Z" {
		t.Errorf("execution input = %+v; want the incident, the opening event's attrs, the runbook and the window", input)
	}

	// sev1: the owner (security) and also_notify (platform), for opened and for mitigated.
	pubs := f.srv.Of("Publish")
	var got []string
	for _, p := range pubs {
		got = append(got, p.Form.Get("TopicArn")[len("arn:aws:sns:eu-west-1:123456789012:"):]+"/"+attr(p, "kind"))
	}
	want := "firebreak-security/opened firebreak-platform/opened firebreak-security/mitigated firebreak-platform/mitigated"
	if strings.Join(got, " ") != want {
		t.Errorf("publishes = %v; want %s", got, want)
	}
	if !strings.Contains(pubs[0].Form.Get("Message"), "sg-revoke-world-ingress: started") {
		t.Errorf("opened notice does not say the runbook started: %s", pubs[0].Form.Get("Message"))
	}
	tl, err := f.st.Timeline(context.Background(), "FB-KHCFVO73-1")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := kinds(tl), "runbook-started: notified:security notified:platform notified:security notified:platform"; got != want {
		t.Errorf("timeline = %s; want %s", got, want)
	}
}

func attr(r awstest.Request, name string) string {
	for i := 1; ; i++ {
		p := fmt.Sprintf("MessageAttributes.entry.%d", i)
		n := r.Form.Get(p + ".Name")
		if n == "" {
			return ""
		}
		if n == name {
			return r.Form.Get(p + ".Value.StringValue")
		}
	}
}

func TestFailedPublishIsRetriedNotDuplicated(t *testing.T) {
	f := newFixture(t)
	ev := f.stream(t)
	fail := true
	f.srv.Answer = func(r awstest.Request) (awstest.Reply, bool) {
		if r.Action == "Publish" && fail && strings.HasSuffix(r.Form.Get("TopicArn"), "firebreak-platform") {
			return awstest.Reply{Status: 500, Body: `<ErrorResponse><Error><Type>Receiver</Type><Code>InternalError</Code><Message>try again</Message></Error></ErrorResponse>`}, true
		}
		return awstest.Reply{}, false
	}
	h := &dispatch.StreamHandler{Dispatcher: f.d}
	resp, err := h.Handle(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.BatchItemFailures) != 1 || resp.BatchItemFailures[0].ItemIdentifier != ev.Records[0].Change.SequenceNumber {
		t.Fatalf("BatchItemFailures = %v; want the opened record, so Lambda retries from it", resp.BatchItemFailures)
	}
	fail = false
	if resp, err := h.Handle(context.Background(), ev); err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("retry: %v, %v", resp.BatchItemFailures, err)
	}
	ok := map[string]int{}
	for _, p := range f.srv.Of("Publish") {
		ok[p.Form.Get("TopicArn")+" "+attr(p, "kind")]++
	}
	// security was told before the failure and must not be told again; platform failed once.
	if ok[securityTopic+" opened"] != 1 || ok[platformTopic+" opened"] != 2 || len(f.srv.Of("StartExecution")) != 1 {
		t.Errorf("publish attempts = %v, starts %d; want security once, platform twice (one failed), one start", ok, len(f.srv.Of("StartExecution")))
	}
}

func TestExecutionAlreadyExistsIsNotAnError(t *testing.T) {
	f := newFixture(t)
	ev := f.stream(t)
	f.srv.Answer = func(r awstest.Request) (awstest.Reply, bool) {
		if r.Action == "StartExecution" {
			return awstest.StatesError("ExecutionAlreadyExists", "Execution Already Exists: 'FB-KHCFVO73-1-v1'"), true
		}
		return awstest.Reply{}, false
	}
	resp, err := (&dispatch.StreamHandler{Dispatcher: f.d}).Handle(context.Background(), ev)
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("Handle() = %v, %v; want success", resp.BatchItemFailures, err)
	}
	tl, _ := f.st.Timeline(context.Background(), "FB-KHCFVO73-1")
	if len(tl) == 0 || tl[0].Data["status"] != "already started" || !strings.HasSuffix(tl[0].Data["execution_arn"], ":execution:firebreak-sg-revoke-world-ingress:FB-KHCFVO73-1-v1") {
		t.Errorf("timeline[0] = %+v; want the runbook recorded as already started with its execution ARN", tl)
	}
}

func TestInfoNeverPages(t *testing.T) {
	f := newFixture(t)
	inc := incident.Incident{ID: "FB-INFO-1", Seq: 1, Fingerprint: "x", Class: "c", Severity: incident.Info, Team: "platform",
		Status: incident.Open, OpenedAt: t0, StateAt: t0, Version: 1}
	if _, _, err := f.st.Open(context.Background(), inc, incident.Entry{}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := f.d.Handle(context.Background(), store.StreamRecord{New: inc}); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(f.srv.Requests()); n != 0 {
		t.Errorf("%d AWS requests for an info incident; want none", n)
	}
	tl, _ := f.st.Timeline(context.Background(), inc.ID)
	if len(tl) != 1 || tl[0].Kind != incident.KindNotPaged {
		t.Errorf("timeline = %+v; want one not-paged entry", tl)
	}
}

func TestClassify(t *testing.T) {
	inc := func(s incident.Status, sev incident.Severity) *incident.Incident {
		return &incident.Incident{Status: s, Severity: sev}
	}
	tests := []struct {
		old, new *incident.Incident
		want     dispatch.Change
	}{
		{nil, inc(incident.Open, incident.Sev3), dispatch.Opened},
		{inc(incident.Open, incident.Sev3), inc(incident.Mitigated, incident.Sev3), dispatch.Mitigated},
		{inc(incident.Mitigated, incident.Sev3), inc(incident.Open, incident.Sev3), dispatch.Retriggered},
		{inc(incident.Resolved, incident.Sev3), inc(incident.Open, incident.Sev3), dispatch.Retriggered},
		{inc(incident.Open, incident.Sev3), inc(incident.Acknowledged, incident.Sev3), dispatch.Acknowledged},
		{inc(incident.Acknowledged, incident.Sev3), inc(incident.Open, incident.Sev3), dispatch.None},
		{inc(incident.Open, incident.Sev3), inc(incident.Resolved, incident.Sev3), dispatch.Resolved},
		{inc(incident.Open, incident.Sev3), inc(incident.Open, incident.Sev1), dispatch.SeverityRaised},
		{inc(incident.Open, incident.Sev1), inc(incident.Open, incident.Sev3), dispatch.None},
		{inc(incident.Open, incident.Sev3), inc(incident.Open, incident.Sev3), dispatch.None},
	}
	for _, tt := range tests {
		if got := dispatch.Classify(store.StreamRecord{Old: tt.old, New: *tt.new}); got != tt.want {
			t.Errorf("Classify(%v → %v) = %q; want %q", tt.old, *tt.new, got, tt.want)
		}
	}
}

func TestConsoleURL(t *testing.T) {
	got := runbook.ConsoleURL("arn:aws:states:eu-west-1:123456789012:execution:sm:FB-X-1-v1")
	if got != "https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/arn:aws:states:eu-west-1:123456789012:execution:sm:FB-X-1-v1" {
		t.Errorf("ConsoleURL() = %s", got)
	}
}
