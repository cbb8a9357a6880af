package api_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak"
	"github.com/firebreak-ops/firebreak/internal/api"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/lifecycle"
	"github.com/firebreak-ops/firebreak/internal/store"
	"github.com/firebreak-ops/firebreak/internal/store/dynamotest"
)

// TestHumanActionsCompleteAfterAnyFailedWrite fails each write of a responder's
// requests in turn, before it lands and after; the client calls again with the same
// Idempotency-Key after an error, as the CLI does: every request ends answered 200, and
// the incident and its timeline end as without the failure.
func TestHumanActionsCompleteAfterAnyFailedWrite(t *testing.T) {
	srv := dynamotest.SharedForTest(t)
	db := srv.Client()
	ctx := context.Background()
	cfg, err := firebreak.Config()
	if err != nil {
		t.Fatal(err)
	}
	type call struct{ path, body string }
	histories := []struct {
		name  string
		calls []call
		want  string // the incident's status, severity and owner at the end
	}{
		{"WorkAndResolve", []call{
			{"/incidents/FB-H-1/ack", `{"note":"on it"}`},
			{"/incidents/FB-H-1/notes", `{"text":"rolling back"}`},
			{"/incidents/FB-H-1/owner", `{"team":"security","reason":"a key"}`},
			{"/incidents/FB-H-1/severity", `{"severity":"sev1","reason":"customers"}`},
			{"/incidents/FB-H-1/status", `{"status":"mitigated"}`},
			{"/incidents/FB-H-1/resolve", `{"note":"fixed"}`},
		}, "resolved sev1 security"},
	}
	for _, h := range histories {
		t.Run(h.name, func(t *testing.T) {
			run := func(t *testing.T, fail *dynamotest.FailNthWrite) string {
				t.Helper()
				table := dynamotest.NewTable(t, db)
				f := &fixture{t: t, now: t0, logs: &syncBuffer{}}
				w := store.NewDynamo(db, table, f.clock) // intake, which opened it
				inc := incident.Incident{ID: "FB-H-1", Seq: 1, Fingerprint: "fp-h", Class: "ops.alarm-prod", Title: "prod-api-5xx-rate", Severity: incident.Sev3,
					Team: "platform", Status: incident.Open, Account: "123456789012", Region: "eu-west-1", OpenedAt: t0.Add(-time.Hour), StateAt: t0.Add(-time.Hour)}
				if _, _, err := w.Open(ctx, inc, incident.Entry{Incident: inc.ID, At: inc.OpenedAt, Kind: incident.KindOpened, Actor: "aws", Key: "opened"}); err != nil {
					t.Fatal(err)
				}
				fail.DynamoDB = db
				st := store.NewDynamo(fail, table, f.clock)
				f.st = st
				f.h = &api.Handler{Store: st, Lifecycle: &lifecycle.Service{Store: st, Config: cfg, Now: f.clock}, Now: f.clock,
					Log: slog.New(slog.DiscardHandler)}
				for i, c := range h.calls {
					f.advance(time.Minute)
					for try := 0; ; try++ { // the client calls again after an error, with the same key
						resp := f.do(f.request("POST", c.path, c.body, alice, "Idempotency-Key", fmt.Sprintf("req-%d", i)))
						if resp.StatusCode == 200 {
							break
						}
						if resp.StatusCode < 500 || try == 3 {
							t.Errorf("call %d (%s) try %d: %d %s; want 200", i, c.path, try, resp.StatusCode, resp.Body)
							break
						}
					}
				}
				got, err := w.Get(ctx, inc.ID)
				if err != nil {
					t.Fatal(err)
				}
				tl, err := w.Timeline(ctx, inc.ID)
				if err != nil {
					t.Fatal(err)
				}
				var keys []string
				for _, e := range tl {
					keys = append(keys, string(e.Kind)+"="+e.Key)
				}
				return fmt.Sprintf("%s %s %s ack by %s: %v", got.Status, got.Severity, got.Team, got.AcknowledgedBy, keys)
			}
			want := run(t, &dynamotest.FailNthWrite{})
			if !strings.HasPrefix(want, h.want+" ") {
				t.Fatalf("without failures: %s; want %s", want, h.want)
			}
			dynamotest.EachWriteFailed(t, want, 10, run)
		})
	}
}
