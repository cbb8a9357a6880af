package runbook_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak"
	"github.com/firebreak-ops/firebreak/internal/asl"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/notify"
	"github.com/firebreak-ops/firebreak/internal/runbook"
	"github.com/firebreak-ops/firebreak/internal/store"
)

var t0 = time.Date(2026, 11, 2, 12, 40, 0, 0, time.UTC)

// approveThenAct is a small runbook in the shape of ours: record, ask a human, act, verify.
const approveThenAct = `{
  "StartAt": "Triage",
  "States": {
    "Triage": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "ResultPath": null,
      "Parameters": {"FunctionName": "${RunbookFunctionArn}", "Payload": {"action": "record", "incident.$": "$.incident.id", "runbook.$": "$.runbook",
        "execution.$": "$$.Execution.Name", "phase": "triage", "status": "started", "detail": "checking the key"}}, "Next": "Describe"},
    "Describe": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:kms:describeKey", "Parameters": {"KeyId.$": "$.event.attrs.key_id"},
      "ResultPath": "$.key", "Next": "Approve"},
    "Approve": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken", "ResultPath": "$.approval",
      "Parameters": {"FunctionName": "${RunbookFunctionArn}", "Payload": {"action": "approve", "incident.$": "$.incident.id", "runbook.$": "$.runbook",
        "execution.$": "$$.Execution.Name", "token.$": "$$.Task.Token", "request.$": "States.Format('Cancel the deletion of key {}?', $.event.attrs.key_id)"}},
      "Catch": [{"ErrorEquals": ["Runbook.Rejected"], "ResultPath": "$.rejected", "Next": "Rejected"}], "Next": "Cancel"},
    "Cancel": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:kms:cancelKeyDeletion", "Parameters": {"KeyId.$": "$.event.attrs.key_id"},
      "ResultPath": null, "Next": "Done"},
    "Rejected": {"Type": "Succeed"},
    "Done": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "ResultPath": null,
      "Parameters": {"FunctionName": "${RunbookFunctionArn}", "Payload": {"action": "record", "incident.$": "$.incident.id", "runbook.$": "$.runbook",
        "execution.$": "$$.Execution.Name", "phase": "document", "status": "succeeded", "detail": "cancelled", "data": {"by.$": "$.approval.by"}}}, "End": true}
  }
}`

type fixture struct {
	st     *store.Memory
	outbox *notify.Outbox
	runner *runbook.Runner
	inc    incident.Incident
}

func newFixture(t *testing.T) *fixture {
	cfg, err := firebreak.Config()
	if err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return t0 }
	f := &fixture{st: store.NewMemory(now), outbox: &notify.Outbox{}}
	f.inc = incident.Incident{ID: "FB-P7ZGNNIG-1", Seq: 1, Fingerprint: "fp", Class: "security.kms-key-deletion", Title: "KMS key k1 scheduled for deletion",
		Severity: incident.Sev2, Team: "security", Status: incident.Open, Account: "123456789012", Region: "eu-west-1", OpenedAt: t0, StateAt: t0}
	if _, _, err := f.st.Open(context.Background(), f.inc, incident.Entry{}); err != nil {
		t.Fatal(err)
	}
	machines, err := runbook.CompileLocal(map[string][]byte{"kms-cancel": []byte(approveThenAct)})
	if err != nil {
		t.Fatal(err)
	}
	task := &runbook.Task{Store: f.st, Sender: notify.New(f.outbox, map[string]string{"security": "arn:aws:sns:local:0:firebreak-security"}),
		Config: cfg, Now: now, Lease: time.Minute}
	f.runner = &runbook.Runner{Machines: machines, Task: task, Now: now, Fixtures: map[string]runbook.Fixtures{"kms-cancel": {
		"Describe": {{Output: json.RawMessage(`{"KeyMetadata": {"KeyState": "PendingDeletion"}}`)}},
		"Cancel":   {{Output: json.RawMessage(`{"KeyId": "k1"}`)}},
	}}}
	return f
}

const input = `{"incident": {"id": "FB-P7ZGNNIG-1"}, "event": {"attrs": {"key_id": "k1"}}, "runbook": "kms-cancel"}`

func timeline(t *testing.T, f *fixture) []incident.Entry {
	t.Helper()
	tl, err := f.st.Timeline(context.Background(), f.inc.ID)
	if err != nil {
		t.Fatal(err)
	}
	return tl
}

func TestDryRunWaitsForApprovalThenActs(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	ex, err := f.runner.Start(ctx, "kms-cancel", "FB-P7ZGNNIG-1-v1", json.RawMessage(input))
	if err != nil {
		t.Fatal(err)
	}
	if ex.Status != "waiting for approval (dry-run)" {
		t.Fatalf("Start() status = %q; want waiting for approval", ex.Status)
	}
	again, err := f.runner.Start(ctx, "kms-cancel", "FB-P7ZGNNIG-1-v1", json.RawMessage(input))
	if err != nil || again.Status != "already started" || len(f.runner.Runs()) != 1 {
		t.Errorf("second Start() = %+v, %v, %d runs; want already started, one run", again, err, len(f.runner.Runs()))
	}
	approvals, err := f.st.Approvals(ctx, f.inc.ID)
	if err != nil || len(approvals) != 1 || approvals[0].Request != "Cancel the deletion of key k1?" || approvals[0].Token == "" {
		t.Fatalf("Approvals() = %+v, %v; want the request with its token", approvals, err)
	}
	sent := f.outbox.Sent()
	if len(sent) != 1 || sent[0].Attributes["kind"] != "approval" || !strings.Contains(sent[0].Email, "Cancel the deletion of key k1?") {
		t.Errorf("sent = %+v; want one approval request to the owner", sent)
	}
	for _, e := range timeline(t, f) {
		if strings.Contains(e.Detail+e.Data["result"]+e.Data["parameters"], approvals[0].Token) {
			t.Errorf("timeline entry %q carries the approval token; it must stay out of the timeline", e.Key)
		}
	}
	if err := f.runner.Decide(ctx, "FB-P7ZGNNIG-1-v1", approvals[0].Token, true, "sam"); err != nil {
		t.Fatal(err)
	}
	if got := f.runner.Runs()[0].Result(); got != "succeeded" {
		t.Errorf("after approval: %s; want succeeded", got)
	}
	if run := f.runner.Runs()[0]; run.Exec != nil || run.Status() != asl.StatusSucceeded {
		t.Errorf("after approval: execution kept %v, status %s; want the outcome only, succeeded", run.Exec != nil, run.Status())
	}
	if err := f.runner.Resume(ctx, approvals[0], true, "sam"); !errors.Is(err, runbook.ErrGone) {
		t.Errorf("Resume() of the ended run = %v; want ErrGone", err)
	}
	var kinds []string
	for _, e := range timeline(t, f) {
		kinds = append(kinds, string(e.Kind)+"/"+e.Data["api"]+e.Data["phase"])
	}
	want := "runbook-triage/triage runbook-call/kms:describeKey approval-requested/ runbook-call/kms:cancelKeyDeletion runbook-document/document"
	if strings.Join(kinds, " ") != want {
		t.Errorf("timeline = %v; want %s", kinds, want)
	}
	tl := timeline(t, f)
	cancel := tl[3]
	if !strings.Contains(cancel.Detail, "would call (not made: dry-run)") || cancel.Data["parameters"] != `{"KeyId":"k1"}` {
		t.Errorf("cancel entry = %+v; want a dry-run record with its parameters", cancel)
	}
	if describe := tl[1]; !strings.Contains(describe.Detail, "answered from fixtures") {
		t.Errorf("describe entry = %q; want answered from fixtures", describe.Detail)
	}
	if doc := tl[4]; doc.Data["result"] != `{"by":"sam"}` {
		t.Errorf("document entry data = %v; want the approver attached", doc.Data)
	}
}

func TestRejectionEndsWithoutActing(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.runner.Start(ctx, "kms-cancel", "x-v1", json.RawMessage(input)); err != nil {
		t.Fatal(err)
	}
	a, err := f.st.Approvals(ctx, f.inc.ID)
	if err != nil || len(a) != 1 {
		t.Fatal(a, err)
	}
	if err := f.runner.Decide(ctx, "x-v1", a[0].Token, false, "eve"); err != nil {
		t.Fatal(err)
	}
	if got := f.runner.Runs()[0].Result(); got != "succeeded" {
		t.Errorf("after rejection: %s; want succeeded through the Rejected branch", got)
	}
	for _, e := range timeline(t, f) {
		if e.Data["api"] == "kms:cancelKeyDeletion" {
			t.Errorf("rejected runbook still called cancelKeyDeletion: %+v", e)
		}
	}
}

func TestMissingFixtureFailsTheCall(t *testing.T) {
	f := newFixture(t)
	f.runner.Fixtures = nil
	ex, err := f.runner.Start(context.Background(), "kms-cancel", "y-v1", json.RawMessage(input))
	if err != nil {
		t.Fatal(err)
	}
	if ex.Status != "failed (dry-run)" || !strings.Contains(ex.Detail, runbook.ErrNoFixture) {
		t.Errorf("Start() = %+v; want failed with %s", ex, runbook.ErrNoFixture)
	}
}

func TestTaskRejectsBadPayloads(t *testing.T) {
	f := newFixture(t)
	for name, p := range map[string]runbook.Payload{
		"no incident":   {Action: "record", Runbook: "r", Execution: "e"},
		"bad phase":     {Action: "record", Incident: f.inc.ID, Runbook: "r", Execution: "e", Phase: "panic", Status: "started"},
		"unknown":       {Action: "explode", Incident: f.inc.ID, Runbook: "r", Execution: "e"},
		"approve token": {Action: "approve", Incident: f.inc.ID, Runbook: "r", Execution: "e", Request: "x"},
		"bad time":      {Action: "record", Incident: f.inc.ID, Runbook: "r", Execution: "e", Phase: "triage", Status: "started", At: "noon"},
	} {
		if _, err := f.runner.Task.Handle(context.Background(), p); err == nil || !strings.Contains(err.Error(), "Runbook.BadPayload") {
			t.Errorf("Handle(%s) = %v; want Runbook.BadPayload", name, err)
		}
	}
}

func TestRecordIsIdempotentAcrossRetries(t *testing.T) {
	f := newFixture(t)
	p := runbook.Payload{Action: "record", Incident: f.inc.ID, Runbook: "r", Execution: "e", Phase: "verify", Status: "succeeded",
		At: "2026-11-02T12:41:07.123Z", Detail: "IsLogging true", Data: json.RawMessage(`{"IsLogging":true}`)}
	for range 3 {
		if _, err := f.runner.Task.Handle(context.Background(), p); err != nil {
			t.Fatal(err)
		}
	}
	if tl := timeline(t, f); len(tl) != 1 || tl[0].Data["result"] != `{"IsLogging":true}` {
		t.Errorf("timeline = %+v; want the verify record once, with its result", tl)
	}
}

// TestExecutionNameIsTheChange: an execution is named by the change that started it (the
// opening, or a re-trigger by its time), never by the incident's write count, which
// depends on the order its events arrived in.
func TestExecutionNameIsTheChange(t *testing.T) {
	at := time.Date(2026, 11, 2, 9, 30, 0, 0, time.UTC)
	for _, c := range []struct {
		retriggered time.Time
		want        string
	}{
		{time.Time{}, "FB-ABC-1-v1"},
		{at, "FB-ABC-1-r1793611800"},
	} {
		if got := runbook.ExecutionName("FB-ABC-1", c.retriggered); got != c.want {
			t.Errorf("ExecutionName(FB-ABC-1, %v) = %q; want %q", c.retriggered, got, c.want)
		}
	}
}
