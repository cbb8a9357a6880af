package escalate_test

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
	"github.com/firebreak-ops/firebreak/internal/escalate"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/notify"
	"github.com/firebreak-ops/firebreak/internal/store"
	"github.com/firebreak-ops/firebreak/internal/store/dynamotest"
)

// tickStep is a minute of a history: what a writer (intake, a responder) changes then,
// and whether the escalator ticks.
type tickStep struct {
	at     int
	change func(ctx context.Context, w *store.Dynamo, at time.Time) error
	tick   bool
}

func opensSev1(id string) func(ctx context.Context, w *store.Dynamo, at time.Time) error {
	return func(ctx context.Context, w *store.Dynamo, at time.Time) error {
		inc := incident.Incident{ID: id, Seq: 1, Fingerprint: "fp-" + id, Class: "x", Title: "down " + id, Severity: incident.Sev1, Team: "web",
			Status: incident.Open, OpenedAt: at, StateAt: at}
		_, _, err := w.Open(ctx, inc, incident.Entry{Incident: id, At: at, Kind: incident.KindOpened, Actor: "firebreak", Key: "opened:" + id})
		return err
	}
}

func moves(id string, status incident.Status, kind incident.Kind) func(ctx context.Context, w *store.Dynamo, at time.Time) error {
	return func(ctx context.Context, w *store.Dynamo, at time.Time) error {
		ok, err := w.Change(ctx, store.Change{Incident: id, Status: status, At: at, NotBefore: at, By: "alice",
			Entry: incident.Entry{Incident: id, At: at, Kind: kind, Actor: "alice", Key: string(kind) + ":" + at.Format("1504")}})
		if err == nil && !ok {
			err = fmt.Errorf("%s of %s not applied", status, id)
		}
		return err
	}
}

// TestTickCompleteAfterAnyFailedWrite fails each of the escalator's writes in turn,
// before it lands and after; a failed tick is retried by the next tick, a minute later:
// the timelines, the steps done, when each incident is due and the pages sent must end
// as without the failure, nothing lost and nobody paged twice.
func TestTickCompleteAfterAnyFailedWrite(t *testing.T) {
	srv := dynamotest.SharedForTest(t)
	db := srv.Client()
	ctx := context.Background()
	c := cfg(t)
	histories := []struct {
		name  string
		steps []tickStep
		ids   []string
		pages []string // what the configuration pages, topic/kind, in order
	}{
		// A sev1 nobody acknowledges: tier 1 (owner and secondary) and the missed
		// acknowledge objective at 5m, tier 2 at 15m and its repeat at 30m; mitigated at
		// 35m and auto-resolved at 65m. A second one, acknowledged at 12m, is reminded
		// that its update is due at 42m, and at 4h15m its resolve objective (4h10m) is
		// missed and the latest reminder (4h12m) sent.
		{"Lifecycle", []tickStep{
			{at: 0, change: opensSev1("FB-E-1")},
			{at: 6, tick: true},
			{at: 10, change: opensSev1("FB-E-2")},
			{at: 12, change: moves("FB-E-2", incident.Acknowledged, incident.KindAcknowledged)},
			{at: 16, tick: true},
			{at: 31, tick: true},
			{at: 35, change: moves("FB-E-1", incident.Mitigated, incident.KindMitigated)},
			{at: 66, tick: true},
			{at: 255, tick: true}, // its retry (4h16m) comes before the next reminder (4h42m)
		}, []string{"FB-E-1", "FB-E-2"}, []string{
			"web/escalation", "backup/escalation", // 5m
			"boss/escalation", // 15m
			"boss/escalation", // 30m
			"web/update-due",  // 42m
			"web/update-due",  // 4h12m
		}},
	}
	for _, h := range histories {
		t.Run(h.name, func(t *testing.T) {
			// run runs the history, failing fail's write; it returns what the table and
			// the topics hold after each tick (fault-free: every tick), or, once the
			// write has failed, after the tick after the failure's, and stops: a tick
			// after that is the fault-free run's (each step has its own key).
			run := func(t *testing.T, fail *dynamotest.FailNthWrite) (snaps []tickSnapshot) {
				t.Helper()
				table := dynamotest.NewTable(t, db)
				var clock time.Time
				now := func() time.Time { return clock }
				w := store.NewDynamo(db, table, now) // the writer: intake, a responder
				fail.DynamoDB = db
				st := store.NewDynamo(fail, table, now)
				sns := awstest.New()
				defer sns.Close()
				e := &escalate.Escalator{Store: st, Config: c, Now: now, Lease: time.Minute,
					Sender: notify.New(sns.SNS(), map[string]string{"web": "arn:aws:sns:eu-west-1:1:web", "backup": "arn:aws:sns:eu-west-1:1:backup", "boss": "arn:aws:sns:eu-west-1:1:boss"})}
				failedIn := -1
				for i, step := range h.steps {
					clock = min(step.at)
					if step.change != nil {
						if err := step.change(ctx, w, clock); err != nil {
							t.Fatalf("step %d (%dm): %v", i, step.at, err)
						}
					}
					if !step.tick {
						continue
					}
					for try := 0; ; try++ { // the escalator ticks every minute
						_, err := e.Tick(ctx)
						if fail.Failed() != "" && failedIn < 0 {
							failedIn = i
						}
						if err == nil {
							break
						}
						if try == 4 {
							t.Fatalf("step %d: the tick still fails %d minutes later: %v", i, try, err)
						}
						clock = clock.Add(time.Minute)
					}
					if fail.N == 0 || i == len(h.steps)-1 || (failedIn >= 0 && i > failedIn) {
						var sent []string
						for _, p := range sns.Of("Publish") {
							topic := p.Form.Get("TopicArn")
							sent = append(sent, topic[strings.LastIndex(topic, ":")+1:]+"/"+attr(p, "kind"))
						}
						snaps = append(snaps, tickSnapshot{step: i, state: tickState(t, ctx, db, table, w, h.ids), sent: sent})
						if fail.N != 0 {
							break
						}
					}
				}
				return snaps
			}
			all := run(t, &dynamotest.FailNthWrite{})
			want := map[int]tickSnapshot{}
			for _, s := range all {
				want[s.step] = s
			}
			if last := all[len(all)-1]; !slices.Equal(last.sent, h.pages) {
				t.Fatalf("without failures: sent %v; want %v\n%s", last.sent, h.pages, last.state)
			}
			dynamotest.EachWriteFailedAgainst(t, 10, func(t *testing.T, fail *dynamotest.FailNthWrite) (string, string) {
				got := run(t, fail)[0]
				return got.String(), want[got.step].String()
			})
		})
	}
}

// tickSnapshot is what the table and the topics hold after a tick of a history.
type tickSnapshot struct {
	step  int
	state string
	sent  []string
}

func (s tickSnapshot) String() string {
	return fmt.Sprintf("state after tick %d\n%s\nsent by then %v", s.step, s.state, s.sent)
}

// attr is a message attribute of a recorded SNS Publish.
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

// tickState is each incident's status, when it is due, its timeline and its claims, in
// a comparable text.
func tickState(t *testing.T, ctx context.Context, db *dynamodb.Client, table string, w *store.Dynamo, ids []string) string {
	t.Helper()
	var lines []string
	for _, id := range ids {
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
		inc, err := w.Get(ctx, id)
		if errors.Is(err, store.ErrNotFound) { // not opened yet, or an action
			lines = append(lines, fmt.Sprintf("%s: no incident\n  claims %v", id, claims))
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		tl, err := w.Timeline(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range tl {
			keys = append(keys, string(e.Kind)+"="+e.Key)
		}
		lines = append(lines, fmt.Sprintf("%s %s due %s: %v\n  claims %v", id, inc.Status, inc.DueAt.Format(time.RFC3339), keys, claims))
	}
	return strings.Join(lines, "\n")
}
