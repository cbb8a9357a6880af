package intake_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/firebreak-ops/firebreak/internal/event/eventtest"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/intake"
	"github.com/firebreak-ops/firebreak/internal/store"
	"github.com/firebreak-ops/firebreak/internal/store/dynamotest"
)

// TestCallsAgainKeepsTheBatch: a recovery arrives before its trigger and is kept loose;
// the trigger opens the incident and takes it in. When keeping the loose events or
// reading them fails once, the store as the intake Lambda builds it (CallsAgain) makes
// the call again where it failed, so each message is processed at its first delivery
// (without it, the fingerprint's messages go back to the queue) and the incident ends
// as without the failure.
func TestCallsAgainKeepsTheBatch(t *testing.T) {
	loose := func(key, item map[string]types.AttributeValue) bool {
		return strings.HasPrefix(strAttr(key, store.Table.SortKey)+strAttr(item, store.Table.SortKey), "E#")
	}
	tests := []struct {
		name string
		fail func(op string, key, vals, item map[string]types.AttributeValue) bool
	}{
		{"keeping the loose recovery fails", func(op string, _, _, item map[string]types.AttributeValue) bool {
			return op == "PutItem" && loose(nil, item)
		}},
		{"reading the loose events fails", func(op string, _, vals, _ map[string]types.AttributeValue) bool {
			return op == "Query" && strings.HasPrefix(strAttr(vals, ":lo"), "E#")
		}},
	}
	for _, tt := range tests {
		for _, wrapped := range []bool{false, true} {
			name := tt.name + ", retried whole"
			if wrapped {
				name = tt.name + ", CallsAgain"
			}
			t.Run(name, func(t *testing.T) {
				srv := dynamotest.SharedForTest(t)
				db := srv.Client()
				table := dynamotest.NewTable(t, db)
				lossy := &failOnce{DynamoDB: db, fail: tt.fail, armed: true}
				var s intake.Store = store.NewDynamo(lossy, table, now)
				if wrapped {
					s = intake.CallsAgain(s)
				}
				p := intake.New(s, classifier(t), now, nil)
				ctx := context.Background()
				alarm := func(id, state string, m int) intake.Message {
					at := t0.Add(time.Duration(m) * time.Minute)
					return intake.Message{ID: id, ReceivedAt: at, Body: eventtest.Alarm(t, id, "prod-api-5xx", state, at)}
				}
				retried := 0
				for _, m := range []intake.Message{alarm("ok", "OK", 5), alarm("fire", "ALARM", 0)} {
					for range 3 { // the queue redelivers
						rep, err := p.Process(ctx, []intake.Message{m})
						if err != nil {
							t.Fatalf("Process(%s) = %v", m.ID, err)
						}
						if len(rep.Retry) == 0 {
							break
						}
						retried++
					}
				}
				if !lossy.hit {
					t.Fatal("the request never failed: the test does not test")
				}
				if wrapped && retried > 0 {
					t.Errorf("with CallsAgain: %d messages went back to the queue; want each processed at its first delivery", retried)
				}
				if !wrapped && retried == 0 {
					t.Error("without CallsAgain no message went back to the queue: the failure is not one CallsAgain saves")
				}
				st := store.NewDynamo(db, table, now)
				incs, err := st.List(ctx, store.Filter{})
				if err != nil || len(incs) != 1 {
					t.Fatalf("List = %d incidents, %v; want 1", len(incs), err)
				}
				if inc := incs[0]; inc.Status != incident.Mitigated || inc.Recoveries != 1 || inc.Events != 2 {
					t.Errorf("incident %s, %d recoveries, %d events; want mitigated, 1 recovery, 2 events", inc.Status, inc.Recoveries, inc.Events)
				}
			})
		}
	}
}
