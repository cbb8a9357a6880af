package intake_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/event/eventtest"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/intake"
	"github.com/firebreak-ops/firebreak/internal/store"
	"github.com/firebreak-ops/firebreak/internal/store/dynamotest"
)

// lifecycleStep is one delivery of a history: a batch of events, or a responder's
// resolution of the alarm's incident.
type lifecycleStep struct {
	msgs    []intake.Message
	resolve bool
}

// TestLifecycleCompleteAfterAnyFailedWrite fails each write of a history in turn, before
// it lands and after, and redelivers what intake asked to retry, as SQS does: the
// incidents, their severities, statuses and timelines must end as without the failure.
// The history opens, mitigates, re-triggers, is resolved, re-opens, and re-rates a
// finding (severity raised); the others deliver out of event-time order.
func TestLifecycleCompleteAfterAnyFailedWrite(t *testing.T) {
	srv := dynamotest.SharedForTest(t)
	db := srv.Client()
	ctx := context.Background()
	alarm := func(id, state string, min int) intake.Message {
		at := t0.Add(time.Duration(min) * time.Minute)
		return intake.Message{ID: id, ReceivedAt: at, Body: eventtest.Alarm(t, id, "prod-api-5xx", state, at)}
	}
	finding := func(id string, sev float64, min int) intake.Message {
		at := t0.Add(time.Duration(min) * time.Minute)
		return intake.Message{ID: id, ReceivedAt: at, Body: eventtest.GuardDuty(t, id, "finding-1", sev, at)}
	}
	histories := []struct {
		name  string
		steps []lifecycleStep
		// The alarm incident's status and timeline, by the lifecycle's rules.
		status incident.Status
		alarm  []string
	}{
		{"LifecycleAndRerating", []lifecycleStep{
			{msgs: []intake.Message{alarm("fire", "ALARM", 0), finding("low", 2, 0)}},
			{msgs: []intake.Message{alarm("ok", "OK", 5)}},
			{msgs: []intake.Message{alarm("again", "ALARM", 9), finding("high", 8, 9)}},
			{msgs: []intake.Message{alarm("ok2", "OK", 12)}},
			{resolve: true},
			{msgs: []intake.Message{alarm("recur", "ALARM", 20)}},
		}, incident.Open, []string{"opened:fire", "mitigated:ok", "retriggered:again", "mitigated:ok2", "resolved:responder", "reopened:recur"}},
		// Delivered out of order: a recovery before its trigger (kept loose, then taken
		// in by the opening), a trigger older than the opening, a flap in one batch.
		{"LateAndLoose", []lifecycleStep{
			{msgs: []intake.Message{alarm("ok-early", "OK", 3)}},
			{msgs: []intake.Message{alarm("fire", "ALARM", 1)}},
			{msgs: []intake.Message{alarm("fire0", "ALARM", 0), finding("low", 2, 0)}},
			{msgs: []intake.Message{alarm("again", "ALARM", 6), finding("low-again", 2, 6)}},
			{msgs: []intake.Message{alarm("ok2", "OK", 8)}},
			{msgs: []intake.Message{alarm("ok3", "OK", 11), alarm("again2", "ALARM", 10), alarm("ok4", "OK", 12)}},
			// The replaced opening's entry stays (docs/table.md, Open earlier).
		}, incident.Mitigated, []string{"opened:fire0", "opened:fire", "mitigated:ok-early", "retriggered:again", "mitigated:ok2", "retriggered:again2", "mitigated:ok3"}},
		// A recovery delivered after the trigger that followed it (the incident's
		// repeat): the mitigation and the re-trigger, as event time has them.
		{"RecoveryAfterItsRepeat", []lifecycleStep{
			{msgs: []intake.Message{alarm("fire", "ALARM", 0)}},
			{msgs: []intake.Message{alarm("again", "ALARM", 6)}},
			{msgs: []intake.Message{alarm("again2", "ALARM", 9)}},
			{msgs: []intake.Message{alarm("ok", "OK", 4)}},
			{msgs: []intake.Message{alarm("ok2", "OK", 20)}},
		}, incident.Mitigated, []string{"opened:fire", "mitigated:ok", "retriggered:again", "mitigated:ok2"}},
		// A recovery delivered after a later one: the mitigation moves to it (the later
		// one's entry stays, as delivery history).
		{"RecoveryAfterALaterOne", []lifecycleStep{
			{msgs: []intake.Message{alarm("fire", "ALARM", 0)}},
			{msgs: []intake.Message{alarm("ok2", "OK", 10)}},
			{msgs: []intake.Message{alarm("ok1", "OK", 5)}},
			{msgs: []intake.Message{alarm("again", "ALARM", 12)}},
		}, incident.Open, []string{"opened:fire", "mitigated:ok1", "mitigated:ok2", "retriggered:again"}},
	}
	for _, h := range histories {
		t.Run(h.name, func(t *testing.T) {
			history := h.steps
			run := func(t *testing.T, fail *dynamotest.FailNthWrite) string {
				t.Helper()
				table := dynamotest.NewTable(t, db)
				fail.DynamoDB = db
				st := store.NewDynamo(fail, table, now)
				p := intake.New(st, classifier(t), now, nil)
				p.ReopenWithin = time.Hour
				for i, step := range history {
					if step.resolve {
						inc, err := currentAlarm(ctx, st)
						if err != nil {
							t.Fatal(err)
						}
						at := t0.Add(15 * time.Minute)
						ch := store.Change{Incident: inc.ID, IfStatus: []incident.Status{incident.Mitigated}, Status: incident.Resolved, At: at, NotBefore: at,
							Entry: incident.Entry{At: at, Kind: incident.KindResolved, Actor: "responder", Key: "resolved:responder"}}
						for try := 0; ; try++ { // the responder tries again after an error
							if _, err := st.Change(ctx, ch); err == nil {
								break
							} else if try == 3 {
								t.Fatalf("step %d: resolve: %v", i, err)
							}
						}
						continue
					}
					msgs := step.msgs
					for try := 0; len(msgs) > 0; try++ {
						if try == 5 {
							t.Fatalf("step %d: still retrying %d messages after %d deliveries", i, len(msgs), try)
						}
						rep, err := p.Process(ctx, msgs)
						if err != nil { // the whole invocation failed: every message comes again
							continue
						}
						var again []intake.Message
						for _, m := range msgs {
							if slices.Contains(rep.Retry, m.ID) {
								again = append(again, m)
							}
						}
						msgs = again
					}
				}
				return finalState(t, ctx, st)
			}
			want := run(t, &dynamotest.FailNthWrite{})
			if !strings.Contains(want, "prod-api-5xx "+string(h.status)+" ") || !strings.Contains(want, fmt.Sprint(h.alarm)) {
				t.Fatalf("without failures: %s; want the alarm's timeline %v", want, h.alarm)
			}
			dynamotest.EachWriteFailed(t, want, 10, run)
		})
	}
}

// currentAlarm is the incident of the history's alarm.
func currentAlarm(ctx context.Context, st *store.Dynamo) (incident.Incident, error) {
	incs, err := st.List(ctx, store.Filter{})
	if err != nil {
		return incident.Incident{}, err
	}
	for _, inc := range incs {
		if inc.Status.Active() && (strings.Contains(inc.Fingerprint, "prod-api-5xx") || strings.Contains(inc.Resource, "prod-api-5xx")) {
			return inc, nil
		}
	}
	return incident.Incident{}, fmt.Errorf("no active incident of prod-api-5xx among %d", len(incs))
}

// finalState is every incident's status, severity, counters and timeline keys, in a
// comparable text.
func finalState(t *testing.T, ctx context.Context, st *store.Dynamo) string {
	t.Helper()
	incs, err := st.List(ctx, store.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, inc := range incs {
		tl, err := st.Timeline(ctx, inc.ID)
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, e := range tl {
			keys = append(keys, e.Key)
		}
		lines = append(lines, fmt.Sprintf("%s %s %s count %d recoveries %d state at %s mitigated %s: %v",
			inc.Fingerprint, inc.Status, inc.Severity, inc.Count, inc.Recoveries, inc.StateAt.Format(time.RFC3339), inc.MitigatedAt.Format(time.RFC3339), keys))
	}
	slices.Sort(lines)
	return fmt.Sprint(lines)
}
