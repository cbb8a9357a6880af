package runbook_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/lifecycle"
	"github.com/firebreak-ops/firebreak/internal/notify"
	"github.com/firebreak-ops/firebreak/internal/runbook"
	"github.com/firebreak-ops/firebreak/internal/store"
	"github.com/firebreak-ops/firebreak/internal/store/dynamotest"
	"github.com/firebreak-ops/firebreak/runbooks"
)

const sgRunbook = "sg-revoke-world-ingress"

// outcomeStore is what the runbook, the lifecycle and these tests use of a store.
type outcomeStore interface {
	runbook.TaskStore
	lifecycle.Store
	Open(ctx context.Context, inc incident.Incident, opened incident.Entry) (incident.Incident, bool, error)
}

func TestMain(m *testing.M) { dynamotest.Main(m) }

// sgFixture is an open world-open SSH incident and the real sg-revoke-world-ingress
// runbook in dry-run, answered by its shipped fixtures with the overrides given.
func sgFixture(t *testing.T, kind string, overrides runbook.Fixtures) (outcomeStore, *notify.Outbox, *runbook.Runner, incident.Incident) {
	t.Helper()
	cfg, err := firebreak.Config()
	if err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return t0 }
	var st outcomeStore = store.NewMemory(now)
	if kind == "dynamodb" {
		st = dynamotest.Store(t, now)
	}
	outbox := &notify.Outbox{}
	inc := incident.Incident{ID: "FB-SG-1", Seq: 1, Fingerprint: "fp-sg", Class: "security.sg-admin-port-open-world", Title: "tcp/22 open to 0.0.0.0/0 on sg-1",
		Severity: incident.Sev2, Team: "security", Status: incident.Open, Account: "123456789012", Region: "eu-west-1", Resource: "sg-1",
		Runbook: sgRunbook, Attrs: map[string]string{"group_id": "sg-1", "rule_ids": "sgr-1"}, OpenedAt: t0, StateAt: t0}
	if _, _, err := st.Open(context.Background(), inc, incident.Entry{}); err != nil {
		t.Fatal(err)
	}
	def, err := runbooks.Definition(sgRunbook)
	if err != nil {
		t.Fatal(err)
	}
	machines, err := runbook.CompileLocal(map[string][]byte{sgRunbook: def})
	if err != nil {
		t.Fatal(err)
	}
	fixtures, err := runbooks.DryRunFixtures()
	if err != nil {
		t.Fatal(err)
	}
	answers := runbook.Fixtures{}
	for state, a := range fixtures[sgRunbook] {
		answers[state] = a
	}
	for state, a := range overrides {
		answers[state] = a
	}
	task := &runbook.Task{Store: st, Sender: notify.New(outbox, map[string]string{"security": "arn:aws:sns:local:0:firebreak-security"}),
		Config: cfg, Now: now, Lease: time.Minute}
	return st, outbox, &runbook.Runner{Machines: machines, Fixtures: map[string]runbook.Fixtures{sgRunbook: answers}, Task: task, Now: now}, inc
}

// TestRunbookOutcome: a runbook that remediates and verifies mitigates the incident (and
// tells nobody: the mitigation notice is dispatch's); one that fails, in any phase, tells
// the owner at once what failed and leaves the incident as it was.
func TestRunbookOutcome(t *testing.T) {
	stillThere := json.RawMessage(`{"SecurityGroupRules": [{"SecurityGroupRuleId": "sgr-1", "CidrIpv4": "0.0.0.0/0"}]}`)
	tests := []outcomeCase{
		{"verified", nil, incident.Open, incident.Mitigated, "succeeded", nil},
		{"verified while acknowledged", nil, incident.Acknowledged, incident.Mitigated, "succeeded", nil},
		{"verified after it was resolved", nil, incident.Resolved, incident.Resolved, "succeeded", nil},
		{"verification finds the rules still there", runbook.Fixtures{"VerifyRules": {{Output: stillThere}}}, incident.Open, incident.Open, "failed",
			[]string{"runbook sg-revoke-world-ingress failed in the verify phase with Runbook.VerificationFailed", "not confirmed gone"}},
		{"verification call fails", runbook.Fixtures{"VerifyRules": {{Error: "EC2.RequestLimitExceeded", Cause: "slow down"}}}, incident.Open, incident.Open, "failed",
			[]string{"failed in the verify phase with EC2.RequestLimitExceeded"}},
		{"remediation fails", runbook.Fixtures{"RevokeRules": {{Error: "EC2.UnauthorizedOperation", Cause: "not allowed"}}}, incident.Open, incident.Open, "failed",
			[]string{"failed in the remediate phase with EC2.UnauthorizedOperation", "may still be in place"}},
	}
	for _, kind := range []string{"memory", "dynamodb"} {
		for _, tt := range tests {
			t.Run(kind+"/"+tt.name, func(t *testing.T) {
				runOutcome(t, kind, tt)
			})
		}
	}
}

type outcomeCase struct {
	name       string
	overrides  runbook.Fixtures
	from       incident.Status // the incident's status when the runbook runs
	wantStatus incident.Status
	wantResult string
	wantNotice []string // what the one notice to the owner says; nil: no notice
}

func runOutcome(t *testing.T, kind string, tt outcomeCase) {
	ctx := context.Background()
	st, outbox, runner, inc := sgFixture(t, kind, tt.overrides)
	if tt.from != incident.Open {
		svc := &lifecycle.Service{Store: st, Now: func() time.Time { return t0 }}
		if tt.from == incident.Resolved {
			if _, err := svc.Transition(ctx, lifecycle.Request{Incident: inc.ID, By: "sam", Key: "r"}, incident.Resolved, ""); err != nil {
				t.Fatal(err)
			}
		} else if _, err := svc.Transition(ctx, lifecycle.Request{Incident: inc.ID, By: "sam", Key: "a"}, tt.from, ""); err != nil {
			t.Fatal(err)
		}
	}
	in, err := runbook.EncodeInput(inc, t0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := runner.Start(ctx, sgRunbook, inc.ID+"-v1", in); err != nil {
		t.Fatal(err)
	}
	if got := runner.Runs()[0].Result(); got != tt.wantResult {
		t.Errorf("run = %s; want %s", got, tt.wantResult)
	}
	got, err := st.Get(ctx, inc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != tt.wantStatus {
		t.Errorf("status after the runbook = %s; want %s", got.Status, tt.wantStatus)
	}
	tl, err := st.Timeline(ctx, inc.ID)
	if err != nil {
		t.Fatal(err)
	}
	var mitigated []incident.Entry
	for _, e := range tl {
		if e.Kind == incident.KindMitigated {
			mitigated = append(mitigated, e)
		}
	}
	wantMitigated := tt.wantStatus == incident.Mitigated
	switch {
	case wantMitigated && (len(mitigated) != 1 || !strings.HasPrefix(mitigated[0].Detail,
		"Mitigated by runbook sg-revoke-world-ingress, verified: DescribeSecurityGroupRules no longer lists sgr-1 on sg-1.")):
		t.Errorf("mitigated entries = %+v; want one saying mitigated by runbook sg-revoke-world-ingress, verified", mitigated)
	case !wantMitigated && len(mitigated) > 0:
		t.Errorf("mitigated entries = %+v; want none", mitigated)
	}
	sent := outbox.Sent()
	if tt.wantNotice == nil {
		if len(sent) != 0 {
			t.Errorf("sent %d notices (%q); want none", len(sent), sent[0].Subject)
		}
		return
	}
	if len(sent) != 1 {
		t.Fatalf("sent %d notices; want one to the owner", len(sent))
	}
	if sent[0].Attributes["team"] != "security" || sent[0].Attributes["kind"] != string(notify.RunbookNotice) {
		t.Errorf("notice attributes = %v; want team security, kind runbook", sent[0].Attributes)
	}
	for _, w := range tt.wantNotice {
		if !strings.Contains(sent[0].Email, w) {
			t.Errorf("notice e-mail:\n%s\nwant it to say %q", sent[0].Email, w)
		}
	}
}

// bare is a runbook with no Catch: an AWS call that fails fails the execution, and the
// runbook tells nobody itself.
const bare = `{
  "StartAt": "Remediate",
  "States": {
    "Remediate": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:ec2:stopInstances", "Parameters": {"InstanceIds": ["i-1"]}, "ResultPath": null, "Next": "Verify"},
    "Verify": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "ResultPath": null,
      "Parameters": {"FunctionName": "${RunbookFunctionArn}", "Payload": {"action": "record", "incident.$": "$.incident.id", "runbook.$": "$.runbook",
        "execution.$": "$$.Execution.Name", "phase": "verify", "status": "succeeded", "detail": "looked"}}, "End": true}
  }
}`

// TestUncaughtFailureTellsTheOwner: a failure no Catch handles still reaches the owner,
// once, with what failed; a verify with no remediation before it mitigates nothing.
func TestUncaughtFailureTellsTheOwner(t *testing.T) {
	tests := []struct {
		name       string
		answer     runbook.Answer
		wantResult string
		wantSent   int
		wantText   string
	}{
		{"uncaught error", runbook.Answer{Error: "EC2.InvalidInstanceID.NotFound", Cause: "no such instance i-1"}, "failed", 1,
			"Runbook bare failed (execution FB-P7ZGNNIG-1-v1): EC2.InvalidInstanceID.NotFound: no such instance i-1."},
		{"verify without remediate", runbook.Answer{Output: json.RawMessage(`{}`)}, "succeeded", 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			ctx := context.Background()
			machines, err := runbook.CompileLocal(map[string][]byte{"bare": []byte(bare)})
			if err != nil {
				t.Fatal(err)
			}
			f.runner.Machines = machines
			f.runner.Fixtures = map[string]runbook.Fixtures{"bare": {"Remediate": {tt.answer}}}
			in := strings.Replace(input, "kms-cancel", "bare", 1)
			for range 2 { // a second start of the same execution tells nobody again
				if _, err := f.runner.Start(ctx, "bare", "FB-P7ZGNNIG-1-v1", json.RawMessage(in)); err != nil {
					t.Fatal(err)
				}
			}
			if run := f.runner.Runs()[0]; run.Result() != tt.wantResult {
				t.Errorf("run = %s (%v); want %s", run.Result(), run.Err(), tt.wantResult)
			}
			sent := f.outbox.Sent()
			if len(sent) != tt.wantSent {
				t.Fatalf("sent %d notices; want %d", len(sent), tt.wantSent)
			}
			if tt.wantSent > 0 && (!strings.Contains(sent[0].Email, tt.wantText) || sent[0].Attributes["kind"] != string(notify.RunbookNotice)) {
				t.Errorf("notice = %s\n%s; want a runbook notice saying %q", sent[0].Subject, sent[0].Email, tt.wantText)
			}
			inc, err := f.st.Get(ctx, f.inc.ID)
			if err != nil || inc.Status != incident.Open {
				t.Errorf("status = %s, %v; want open (nothing was remediated)", inc.Status, err)
			}
		})
	}
}
