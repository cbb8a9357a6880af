package intake_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/firebreak-ops/firebreak/internal/event/eventtest"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/intake"
	"github.com/firebreak-ops/firebreak/internal/store"
	"github.com/firebreak-ops/firebreak/internal/store/dynamotest"
)

// failOnce fails the first request fail selects once armed, as a throttled or dropped
// request does; after, when true, it is failed after it was written (its answer lost).
type failOnce struct {
	store.DynamoDB
	mu    sync.Mutex
	armed bool
	after bool
	fail  func(op string, key map[string]types.AttributeValue, vals map[string]types.AttributeValue, item map[string]types.AttributeValue) bool
	hit   bool
}

func (f *failOnce) take(op string, key, vals, item map[string]types.AttributeValue) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.armed || f.hit || !f.fail(op, key, vals, item) {
		return false
	}
	f.hit = true
	return true
}

var errDropped = errors.New("connection reset by peer")

func (f *failOnce) PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	if f.take("PutItem", nil, nil, in.Item) {
		if f.after {
			_, _ = f.DynamoDB.PutItem(ctx, in, opts...)
		}
		return nil, errDropped
	}
	return f.DynamoDB.PutItem(ctx, in, opts...)
}

func (f *failOnce) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	if f.take("UpdateItem", in.Key, in.ExpressionAttributeValues, nil) {
		if f.after {
			_, _ = f.DynamoDB.UpdateItem(ctx, in, opts...)
		}
		return nil, errDropped
	}
	return f.DynamoDB.UpdateItem(ctx, in, opts...)
}

func (f *failOnce) Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	if f.take("Query", nil, in.ExpressionAttributeValues, nil) {
		return nil, errDropped
	}
	return f.DynamoDB.Query(ctx, in, opts...)
}

func strAttr(m map[string]types.AttributeValue, k string) string {
	if v, ok := m[k].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}

// TestOpenerRedeliveryTakesLooseEventsAgain: a recovery arrives before its trigger and is
// kept loose; the trigger opens the incident and takes the recovery in, and a write
// after the opening fails, so the trigger's message is retried. Its redelivery finds
// the incident open; it still takes the recovery in, counts it once and mitigates the
// incident, with its entry, as one delivery without failures does.
func TestOpenerRedeliveryTakesLooseEventsAgain(t *testing.T) {
	isMeta := func(key map[string]types.AttributeValue) bool {
		return strings.HasPrefix(strAttr(key, store.Table.PartitionKey), store.IncidentKeyPrefix) && strAttr(key, store.Table.SortKey) == store.IncidentSortKey
	}
	tests := []struct {
		name  string
		after bool
		fail  func(op string, key, vals, item map[string]types.AttributeValue) bool
	}{
		{"reading the loose events fails", false, func(op string, _, vals, _ map[string]types.AttributeValue) bool {
			return op == "Query" && strings.HasPrefix(strAttr(vals, ":lo"), "E#")
		}},
		{"recording them on the incident fails", false, func(op string, key, _, _ map[string]types.AttributeValue) bool {
			return op == "UpdateItem" && strings.HasPrefix(strAttr(key, store.Table.PartitionKey), store.IncidentKeyPrefix) && strAttr(key, store.Table.SortKey) == "C"
		}},
		{"the mitigation fails", false, func(op string, key, vals, _ map[string]types.AttributeValue) bool {
			return op == "UpdateItem" && isMeta(key) && strAttr(vals, ":st") == string(incident.Mitigated)
		}},
		{"the mitigation is written, its answer lost", true, func(op string, key, vals, _ map[string]types.AttributeValue) bool {
			return op == "UpdateItem" && isMeta(key) && strAttr(vals, ":st") == string(incident.Mitigated)
		}},
		{"the mitigated entry fails", false, func(op string, _, _, item map[string]types.AttributeValue) bool {
			return op == "PutItem" && strings.HasPrefix(strAttr(item, "key"), string(incident.KindMitigated)+":")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := dynamotest.SharedForTest(t)
			db := srv.Client()
			table := dynamotest.NewTable(t, db)
			lossy := &failOnce{DynamoDB: db, after: tt.after, fail: tt.fail}
			p := intake.New(store.NewDynamo(lossy, table, now), classifier(t), now, nil)
			ctx := context.Background()
			alarm := func(id, state string, m int) intake.Message {
				at := t0.Add(time.Duration(m) * time.Minute)
				return intake.Message{ID: id, ReceivedAt: at, Body: eventtest.Alarm(t, id, "prod-api-5xx", state, at)}
			}
			if rep, err := p.Process(ctx, []intake.Message{alarm("ok", "OK", 5)}); err != nil || len(rep.Retry) > 0 {
				t.Fatalf("Process(recovery first) = retry %v, %v", rep.Retry, err)
			}
			lossy.armed = true
			trigger := alarm("fire", "ALARM", 0)
			rep, err := p.Process(ctx, []intake.Message{trigger})
			if err != nil || !lossy.hit || len(rep.Retry) != 1 {
				t.Fatalf("Process(trigger, a write failing) = retry %v, %v (failed: %v); want its message retried", rep.Retry, err, lossy.hit)
			}
			if rep, err := p.Process(ctx, []intake.Message{trigger}); err != nil || len(rep.Retry) > 0 {
				t.Fatalf("Process(redelivered trigger) = retry %v, %v", rep.Retry, err)
			}
			st := store.NewDynamo(db, table, now)
			incs, err := st.List(ctx, store.Filter{})
			if err != nil || len(incs) != 1 {
				t.Fatalf("List = %d incidents, %v; want 1", len(incs), err)
			}
			inc := incs[0]
			if inc.Status != incident.Mitigated || inc.Recoveries != 1 || inc.Events != 2 {
				t.Errorf("incident %s, %d recoveries, %d events; want mitigated, 1 recovery, 2 events", inc.Status, inc.Recoveries, inc.Events)
			}
			tl, err := st.Timeline(ctx, inc.ID)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range tl {
				got = append(got, e.Key)
			}
			if want := "opened:fire,mitigated:ok"; strings.Join(got, ",") != want {
				t.Errorf("timeline keys = %v; want [%s]", got, want)
			}
		})
	}
}

// TestEarlierOpeningCompleteAfterRetry: a trigger older than the one that opened the
// incident arrives late and moves the opening to it (the incident's update, then its
// "opened" entry); when the entry's write fails, the redelivery of the trigger (now the
// incident's opening event, no longer earlier than it) writes the entry.
func TestEarlierOpeningCompleteAfterRetry(t *testing.T) {
	srv := dynamotest.SharedForTest(t)
	db := srv.Client()
	table := dynamotest.NewTable(t, db)
	lossy := &failOnce{DynamoDB: db, fail: func(op string, _, _, item map[string]types.AttributeValue) bool {
		return op == "PutItem" && strAttr(item, "key") == "opened:early"
	}}
	p := intake.New(store.NewDynamo(lossy, table, now), classifier(t), now, nil)
	ctx := context.Background()
	alarm := func(id string, m int) intake.Message {
		at := t0.Add(time.Duration(m) * time.Minute)
		return intake.Message{ID: id, ReceivedAt: at, Body: eventtest.Alarm(t, id, "prod-api-5xx", "ALARM", at)}
	}
	if rep, err := p.Process(ctx, []intake.Message{alarm("late", 10)}); err != nil || len(rep.Retry) > 0 {
		t.Fatalf("Process(first trigger) = retry %v, %v", rep.Retry, err)
	}
	lossy.armed = true
	early := alarm("early", 5)
	if rep, err := p.Process(ctx, []intake.Message{early}); err != nil || !lossy.hit || len(rep.Retry) != 1 {
		t.Fatalf("Process(earlier trigger, its entry failing) = retry %v, %v (failed: %v); want its message retried", rep.Retry, err, lossy.hit)
	}
	if rep, err := p.Process(ctx, []intake.Message{early}); err != nil || len(rep.Retry) > 0 {
		t.Fatalf("Process(redelivered earlier trigger) = retry %v, %v", rep.Retry, err)
	}
	st := store.NewDynamo(db, table, now)
	incs, err := st.List(ctx, store.Filter{})
	if err != nil || len(incs) != 1 {
		t.Fatalf("List = %d incidents, %v; want 1", len(incs), err)
	}
	if incs[0].OpenedBy != "early" || incs[0].Events != 2 {
		t.Errorf("incident opened by %s with %d events; want early, 2", incs[0].OpenedBy, incs[0].Events)
	}
	tl, err := st.Timeline(ctx, incs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range tl {
		got = append(got, e.Key)
	}
	if want := "opened:early,opened:late"; strings.Join(got, ",") != want {
		t.Errorf("timeline keys = %v; want [%s]", got, want)
	}
}

func (f *failOnce) BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error) {
	if f.take("BatchGetItem", nil, nil, nil) {
		return nil, errDropped
	}
	return f.DynamoDB.BatchGetItem(ctx, in, opts...)
}

// TestCurrentReadTriedAgain: the read of the batch's current incidents gates every
// message of the batch; when it fails once, it is read again in place and no message
// goes back to the queue (each would count toward the DLQ).
func TestCurrentReadTriedAgain(t *testing.T) {
	srv := dynamotest.SharedForTest(t)
	db := srv.Client()
	table := dynamotest.NewTable(t, db)
	lossy := &failOnce{DynamoDB: db, armed: true, fail: func(op string, _, _, _ map[string]types.AttributeValue) bool { return op == "BatchGetItem" }}
	p := intake.New(store.NewDynamo(lossy, table, now), classifier(t), now, nil)
	var msgs []intake.Message
	for i, name := range []string{"prod-a", "prod-b", "prod-c"} {
		at := t0.Add(time.Duration(i) * time.Minute)
		msgs = append(msgs, intake.Message{ID: name, ReceivedAt: at, Body: eventtest.Alarm(t, "e-"+name, name, "ALARM", at)})
	}
	rep, err := p.Process(context.Background(), msgs)
	if err != nil || !lossy.hit || len(rep.Retry) > 0 {
		t.Fatalf("Process(3 triggers, the first read failing) = retry %v, %v (failed: %v); want no message retried", rep.Retry, err, lossy.hit)
	}
	if k := kinds(rep); k[intake.Opened] != 3 {
		t.Errorf("outcomes %v; want 3 opened", k)
	}
}
