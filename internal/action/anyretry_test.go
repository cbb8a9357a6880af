package action_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/action"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/store"
	"github.com/firebreak-ops/firebreak/internal/store/dynamotest"
)

func TestMain(m *testing.M) { dynamotest.Main(m) }

// TestActionsCompleteAfterAnyFailedWrite fails each write of two actions' lives in turn,
// before it lands and after, and calls again after an error (a person retrying): the
// actions and the incident's timeline end as without the failure. One action is filed
// and done late, the other filed and closed as won't do.
func TestActionsCompleteAfterAnyFailedWrite(t *testing.T) {
	srv := dynamotest.SharedForTest(t)
	db := srv.Client()
	ctx := context.Background()
	const id = "FB-ACT-1"
	run := func(t *testing.T, fail *dynamotest.FailNthWrite) string {
		t.Helper()
		table := dynamotest.NewTable(t, db)
		clock := t0
		now := func() time.Time { return clock }
		w := store.NewDynamo(db, table, now)
		inc := incident.Incident{ID: id, Seq: 1, Fingerprint: "fp-act", Class: "ops.alarm", Title: "cpu high", Severity: incident.Sev2,
			Team: "platform", Status: incident.Open, OpenedBy: "e1", OpenedAt: t0, StateAt: t0}
		if _, _, err := w.Open(ctx, inc, incident.Entry{Incident: id, At: t0, Kind: incident.KindOpened, Key: "opened:e1"}); err != nil {
			t.Fatal(err)
		}
		fail.DynamoDB = db
		st := store.NewDynamo(fail, table, now)
		s := &action.Service{Store: st, Lister: st, Timeline: st, Now: now}
		calls := []func() error{
			func() error {
				_, _, err := s.Add(ctx, action.Action{Title: "Add a runbook for CPU alarms", Owner: "platform", Due: t0.Add(24 * time.Hour),
					LinkKind: action.LinkIncident, Link: id}, "alice")
				return err
			},
			func() error {
				_, _, err := s.Add(ctx, action.Action{Title: "Page the database team too", Owner: "platform", Due: t0.Add(48 * time.Hour),
					LinkKind: action.LinkIncident, Link: id}, "bob")
				return err
			},
			func() error {
				_, err := s.Close(ctx, action.ID(id, "Add a runbook for CPU alarms"), action.Done, "", "alice")
				return err
			},
			func() error {
				_, err := s.Close(ctx, action.ID(id, "Page the database team too"), action.WontDo, "the alarm covers it", "bob")
				return err
			},
		}
		for i, call := range calls {
			clock = t0.Add(time.Duration(i+1) * 30 * time.Hour) // the first is closed late
			for try := 0; ; try++ {
				err := call()
				if err == nil {
					break
				}
				if try == 3 {
					t.Fatalf("call %d: %v", i, err)
				}
			}
		}
		acts, err := w.ActionsOf(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		var lines []string
		for _, a := range acts {
			lines = append(lines, fmt.Sprintf("%s %s by %s at %s", a.ID, a.Status, a.ClosedBy, a.ClosedAt.Sub(t0)))
		}
		tl, err := w.Timeline(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range tl {
			lines = append(lines, fmt.Sprintf("%s %s=%s by %s: %s", e.At.Sub(t0), e.Kind, e.Key, e.Actor, e.Detail))
		}
		return strings.Join(lines, "\n")
	}
	want := run(t, &dynamotest.FailNthWrite{})
	for _, kind := range []incident.Kind{incident.KindActionFiled, incident.KindActionDone, incident.KindActionWontDo} {
		if !strings.Contains(want, string(kind)+"=") {
			t.Fatalf("without failures:\n%s\nwant a %s entry", want, kind)
		}
	}
	if !strings.Contains(want, "(late: due") {
		t.Fatalf("without failures:\n%s\nwant the first action done late", want)
	}
	dynamotest.EachWriteFailed(t, want, 5, run)
}
