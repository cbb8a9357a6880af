package api_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak"
	"github.com/firebreak-ops/firebreak/internal/api"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/lifecycle"
	"github.com/firebreak-ops/firebreak/internal/notify"
	"github.com/firebreak-ops/firebreak/internal/runbook"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// askThenAct records, asks a human, then acts: the shape of an approval runbook.
const askThenAct = `{
  "StartAt": "Ask",
  "States": {
    "Ask": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken", "ResultPath": "$.approval",
      "Parameters": {"FunctionName": "${RunbookFunctionArn}", "Payload": {"action": "approve", "incident.$": "$.incident.id", "runbook.$": "$.runbook",
        "execution.$": "$$.Execution.Name", "token.$": "$$.Task.Token", "request": "Cancel the deletion of key k1?"}},
      "Catch": [{"ErrorEquals": ["Runbook.Rejected"], "ResultPath": "$.rejected", "Next": "Rejected"}], "Next": "Act"},
    "Act": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:kms:cancelKeyDeletion", "Parameters": {"KeyId": "k1"}, "ResultPath": null, "Next": "Done"},
    "Rejected": {"Type": "Fail", "Error": "Rejected"},
    "Done": {"Type": "Succeed"}
  }
}`

func TestLocalApprover(t *testing.T) {
	for _, tc := range []struct {
		verb, want string
	}{{"approve", "succeeded"}, {"reject", "failed"}} {
		t.Run(tc.verb, func(t *testing.T) {
			ctx := context.Background()
			cfg, err := firebreak.Config()
			if err != nil {
				t.Fatal(err)
			}
			now := func() time.Time { return t0 }
			st := store.NewMemory(now)
			if _, _, err := st.Open(ctx, seeds[0], incident.Entry{}); err != nil {
				t.Fatal(err)
			}
			machines, err := runbook.CompileLocal(map[string][]byte{"kms-cancel": []byte(askThenAct)})
			if err != nil {
				t.Fatal(err)
			}
			task := &runbook.Task{Store: st, Sender: notify.New(&notify.Outbox{}, map[string]string{"security": "arn:aws:sns:local:0:firebreak-security"}),
				Config: cfg, Now: now, Lease: time.Minute}
			runner := &runbook.Runner{Machines: machines, Task: task, Now: now,
				Fixtures: map[string]runbook.Fixtures{"kms-cancel": {"Act": {{Output: json.RawMessage(`{"KeyId":"k1"}`)}}}}}
			if _, err := runner.Start(ctx, "kms-cancel", "FB-OPEN-1-v1", json.RawMessage(`{"incident":{"id":"FB-OPEN-1"},"runbook":"kms-cancel"}`)); err != nil {
				t.Fatal(err)
			}
			h := &api.Handler{Store: st, Lifecycle: &lifecycle.Service{Store: st, Now: now}, Approver: runner, Now: now}
			f := &fixture{t: t, h: h, st: st, now: t0}
			resp := f.do(f.request("POST", "/incidents/FB-OPEN-1/approvals/FB-OPEN-1-v1/approval/"+tc.verb, `{}`, alice))
			if resp.StatusCode != 200 {
				t.Fatalf("Got(%s) = %d %s; want 200", tc.verb, resp.StatusCode, resp.Body)
			}
			if got := runner.Runs()[0].Result(); got != tc.want {
				t.Errorf("Got(run after %s) = %s; want %s", tc.verb, got, tc.want)
			}
			// Deciding an approval whose execution is not here: recorded, and 409.
			if err := st.PutApproval(ctx, store.Approval{Incident: "FB-OPEN-1", Key: "gone/approval", Runbook: "kms-cancel", Execution: "gone",
				Request: "?", Token: "t", RequestedAt: t0}); err != nil {
				t.Fatal(err)
			}
			resp = f.do(f.request("POST", "/incidents/FB-OPEN-1/approvals/gone/approval/"+tc.verb, `{}`, alice))
			if resp.StatusCode != 409 || !strings.Contains(errorOf(t, resp), "no longer waited") {
				t.Errorf("Got(%s an approval of an unknown execution) = %d %s; want 409", tc.verb, resp.StatusCode, resp.Body)
			}
		})
	}
}
