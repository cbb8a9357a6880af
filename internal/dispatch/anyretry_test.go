package dispatch_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/firebreak-ops/firebreak/internal/awstest"
	"github.com/firebreak-ops/firebreak/internal/dispatch"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/notify"
	"github.com/firebreak-ops/firebreak/internal/problem"
	"github.com/firebreak-ops/firebreak/internal/review"
	"github.com/firebreak-ops/firebreak/internal/runbook"
	"github.com/firebreak-ops/firebreak/internal/store"
	"github.com/firebreak-ops/firebreak/internal/store/dynamotest"
)

// streamStep is one change a writer (intake, a responder) makes to the table; the
// stream record it makes is what dispatch is handed.
type streamStep func(ctx context.Context, w *store.Dynamo) (store.StreamRecord, error)

// opens opens an ops.alarm-prod incident of the platform team, with its runbook.
func opens(id, fp string, seq int, sev incident.Severity, at time.Time) streamStep {
	return func(ctx context.Context, w *store.Dynamo) (store.StreamRecord, error) {
		inc := incident.Incident{ID: id, Seq: seq, Fingerprint: fp, Class: "ops.alarm-prod", Title: "alarm " + fp, Severity: sev,
			Team: "platform", Status: incident.Open, Source: "aws.cloudwatch", Account: "123456789012", Region: "eu-west-1",
			Runbook: "alarm-diagnostics", OpenedBy: "evt-" + id, OpenedAt: at, StateAt: at}
		got, _, err := w.Open(ctx, inc, incident.Entry{Incident: id, At: at, Kind: incident.KindOpened, Actor: "firebreak", Key: "opened:evt-" + id})
		return store.StreamRecord{New: got}, err
	}
}

// changes makes a change of an incident's status (and severity) at a minute of the
// history, with its entry.
func changes(id string, status incident.Status, sev incident.Severity, at time.Time, kind incident.Kind) streamStep {
	return func(ctx context.Context, w *store.Dynamo) (store.StreamRecord, error) {
		old, err := w.Get(ctx, id)
		if err != nil {
			return store.StreamRecord{}, err
		}
		ch := store.Change{Incident: id, Status: status, Severity: sev, At: at, NotBefore: at, By: "alice",
			Entry: incident.Entry{Incident: id, At: at, Kind: kind, Actor: "alice", Key: string(kind) + ":" + at.Format("1504")}}
		if ok, err := w.Change(ctx, ch); err != nil || !ok {
			return store.StreamRecord{}, fmt.Errorf("change %s to %s %s: %v, %v", id, status, sev, ok, err)
		}
		n, err := w.Get(ctx, id)
		return store.StreamRecord{Old: &old, New: n}, err
	}
}

// TestDispatchCompleteAfterAnyFailedWrite fails each of dispatch's writes in turn,
// before it lands and after, and retries the stream record as the event source mapping
// does: the timelines, the actions done, the problem and review records and the notices
// sent must end as without the failure, no notice or runbook start lost or sent twice.
func TestDispatchCompleteAfterAnyFailedWrite(t *testing.T) {
	srv := dynamotest.SharedForTest(t)
	db := srv.Client()
	ctx := context.Background()
	at := func(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }
	c := cfg(t)
	histories := []struct {
		name  string
		steps []streamStep
		ids   []string // the incidents and problems whose records are compared
		// The notices of the fault-free run, by the configuration: topic/kind.
		notices []string
	}{
		// An opening that pages and starts its runbook, an acknowledgement, a mitigation,
		// a re-trigger, a severity raise to sev1 (the platform hears as also_notify: it
		// owns it), a mitigation and a resolution that opens a review.
		{"Lifecycle", []streamStep{
			opens("FB-A-1", "fp-a", 1, incident.Sev2, at(0)),
			changes("FB-A-1", incident.Acknowledged, "", at(2), incident.KindAcknowledged),
			changes("FB-A-1", incident.Mitigated, "", at(5), incident.KindMitigated),
			changes("FB-A-1", incident.Open, "", at(9), incident.KindRetriggered),
			changes("FB-A-1", "", incident.Sev1, at(10), incident.KindSeverityRaised),
			changes("FB-A-1", incident.Mitigated, "", at(12), incident.KindMitigated),
			changes("FB-A-1", incident.Resolved, "", at(15), incident.KindResolved),
		}, []string{"FB-A-1"}, []string{"platform/opened", "platform/mitigated", "platform/retriggered", "platform/severity-raised",
			"platform/mitigated", "platform/resolved"}},
		// A fingerprint's third incident in a week opens a problem that explains all
		// three and tells its team; the first was re-opened before (an occurrence too),
		// and the second opened within its grouping window: grouped under it, not paged.
		{"Recurring", []streamStep{
			opens("FB-R-1", "fp-r", 1, incident.Sev3, at(0)),
			changes("FB-R-1", incident.Resolved, "", at(5), incident.KindResolved),
			changes("FB-R-1", incident.Open, "", at(8), incident.KindReopened),
			opens("FB-R-2", "fp-r", 2, incident.Sev3, at(10)),
			opens("FB-R-3", "fp-r", 3, incident.Sev3, at(20)),
		}, []string{"FB-R-1", "FB-R-2", "FB-R-3", problem.RecurringID("fp-r", 1)}, []string{
			"platform/opened", "platform/resolved", "platform/retriggered", "platform/problem-opened", "platform/opened"}},
	}
	for _, h := range histories {
		t.Run(h.name, func(t *testing.T) {
			// run runs the history, failing fail's write; it returns what the table and
			// the endpoints hold after each step (fault-free: every step), or, once
			// the write has failed, after the step after the failure's, and stops: a
			// step's writes have their own keys, so the steps after it are the
			// fault-free run's.
			run := func(t *testing.T, fail *dynamotest.FailNthWrite) (snaps []snapshot) {
				t.Helper()
				table := dynamotest.NewTable(t, db)
				clock := at(30)
				now := func() time.Time { return clock }
				w := store.NewDynamo(db, table, now) // the writer: intake, a responder
				fail.DynamoDB = db
				st := store.NewDynamo(fail, table, now)
				aws := awstest.New()
				defer aws.Close()
				sender := notify.New(aws.SNS(), map[string]string{"security": securityTopic, "platform": platformTopic})
				d := &dispatch.Dispatcher{Store: st, Quiet: st, Sender: sender, Config: c, Now: now, Lease: time.Minute,
					Runbooks: &runbook.StepFunctions{Client: aws.SFN(), StateMachines: map[string]string{"alarm-diagnostics": stateMachine}},
					Reviews:  &review.Service{Store: st, Config: c, Now: now}}
				d.Problems = dispatch.NewTracker(st, sender, c, nil, nil)
				failedIn := -1
				for i, step := range h.steps {
					rec, err := step(ctx, w)
					if err != nil {
						t.Fatalf("step %d: %v", i, err)
					}
					for try := 0; ; try++ { // the mapping retries the record until it is done
						err := d.Handle(ctx, rec)
						if fail.Failed() != "" && failedIn < 0 {
							failedIn = i
						}
						if err == nil {
							break
						}
						if try == 4 {
							t.Fatalf("step %d (%s of %s): still failing after %d tries: %v", i, dispatch.Classify(rec), rec.New.ID, try+1, err)
						}
					}
					last := i == len(h.steps)-1
					if fail.N == 0 || last || (failedIn >= 0 && i > failedIn) {
						snaps = append(snaps, snapshot{step: i, state: dispatchState(t, ctx, db, table, w, h.ids), sent: sent(aws)})
						if fail.N != 0 {
							break
						}
					}
				}
				return snaps
			}
			want := run(t, &dynamotest.FailNthWrite{})
			var pages []string
			for _, n := range want[len(want)-1].sent {
				if !strings.HasPrefix(n, "start ") {
					pages = append(pages, n)
				}
			}
			if !slices.Equal(pages, h.notices) {
				t.Fatalf("without failures: notices %v; want %v\n%s", pages, h.notices, want[len(want)-1].state)
			}
			dynamotest.EachWriteFailedAgainst(t, 10, func(t *testing.T, fail *dynamotest.FailNthWrite) (string, string) {
				got := run(t, fail)[0]
				return got.String(), want[got.step].String()
			})
		})
	}
}

// snapshot is what the table and the endpoints hold after a step of a history.
type snapshot struct {
	step  int
	state string
	sent  []string
}

func (s snapshot) String() string {
	return fmt.Sprintf("state after step %d\n%s\nsent by then %v", s.step, s.state, s.sent)
}

// sent is the notices published (topic/kind) and the executions started, in order.
func sent(aws *awstest.Server) []string {
	var out []string
	for _, p := range aws.Of("Publish") {
		topic := p.Form.Get("TopicArn")
		out = append(out, topic[strings.LastIndex(topic, "-")+1:]+"/"+attr(p, "kind"))
	}
	for _, s := range aws.Of("StartExecution") {
		out = append(out, "start "+string(s.JSON))
	}
	return out
}

// dispatchState is the incidents' and problems' statuses, timelines, claims and the
// incidents' reviews, in a comparable text.
func dispatchState(t *testing.T, ctx context.Context, db *dynamodb.Client, table string, w *store.Dynamo, ids []string) string {
	t.Helper()
	var lines []string
	for _, id := range ids {
		var keys []string
		if strings.HasPrefix(id, "FB-") {
			inc, err := w.Get(ctx, id)
			if errors.Is(err, store.ErrNotFound) { // not opened yet
				lines = append(lines, id+" not opened")
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			tl, err := w.Timeline(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range tl {
				keys = append(keys, string(e.Kind)+"="+e.Key)
			}
			rv := "no review"
			if r, err := w.GetReview(ctx, id); err == nil {
				rv = fmt.Sprintf("review %s due %s", r.Status, r.Due.Format(time.RFC3339))
			} else if !errors.Is(err, store.ErrNotFound) {
				t.Fatal(err)
			}
			lines = append(lines, fmt.Sprintf("%s %s %s %s: %v", id, inc.Status, inc.Severity, rv, keys))
		} else {
			p, err := w.GetProblem(ctx, id)
			if errors.Is(err, problem.ErrNotFound) {
				lines = append(lines, id+" not opened")
				continue
			}
			if err != nil {
				t.Fatalf("problem %s: %v", id, err)
			}
			tl, err := w.ProblemTimeline(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range tl {
				keys = append(keys, string(e.Kind)+"="+e.Key)
			}
			lines = append(lines, fmt.Sprintf("%s %s opened %s %q incidents %v: %v", id, p.Status, p.OpenedAt.Format(time.RFC3339), p.Reason, p.Incidents, keys))
		}
		out, err := db.Query(ctx, &dynamodb.QueryInput{TableName: aws.String(table), ConsistentRead: aws.Bool(true),
			KeyConditionExpression:    aws.String("#pk = :pk AND begins_with(#sk, :d)"),
			ExpressionAttributeNames:  map[string]string{"#pk": store.Table.PartitionKey, "#sk": store.Table.SortKey},
			ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: "INC#" + id}, ":d": &types.AttributeValueMemberS{Value: "D#"}}})
		if err != nil {
			t.Fatal(err)
		}
		var claims []string
		for _, it := range out.Items {
			sk, _ := it[store.Table.SortKey].(*types.AttributeValueMemberS)
			st, _ := it["state"].(*types.AttributeValueMemberS)
			if sk != nil && st != nil {
				claims = append(claims, sk.Value+"="+st.Value)
			}
		}
		lines = append(lines, fmt.Sprintf("%s claims %v", id, claims))
	}
	return strings.Join(lines, "\n")
}
