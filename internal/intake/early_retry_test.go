package intake_test

import (
	"context"
	"errors"
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

// loseEntry fails the first write of the timeline entry keyed key, as a request whose
// connection dropped does: what was written before it stays written.
type loseEntry struct {
	store.DynamoDB
	key  string
	lost bool
}

func (l *loseEntry) PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	if k, ok := in.Item["key"].(*types.AttributeValueMemberS); ok && k.Value == l.key && !l.lost {
		l.lost = true
		return nil, errors.New("connection reset by peer")
	}
	return l.DynamoDB.PutItem(ctx, in, opts...)
}

// TestEarlierOpeningCompleteAfterRetry: a trigger older than the one that opened the
// incident arrived late and moved the opening to itself, and its "opened" entry was
// lost with the message retried; the redelivery finds the opening already moved and
// writes the entry, so the incident's timeline holds the opening it names.
func TestEarlierOpeningCompleteAfterRetry(t *testing.T) {
	srv := dynamotest.SharedForTest(t)
	db := srv.Client()
	table := dynamotest.NewTable(t, db)
	lossy := &loseEntry{DynamoDB: db, key: string(incident.KindOpened) + ":early"}
	p := intake.New(store.NewDynamo(lossy, table, now), classifier(t), now, nil)
	ctx := context.Background()
	alarm := func(id string, min int) intake.Message {
		at := t0.Add(time.Duration(min) * time.Minute)
		return intake.Message{ID: id, ReceivedAt: at, Body: eventtest.Alarm(t, id, "prod-api-5xx", "ALARM", at)}
	}
	if rep, err := p.Process(ctx, []intake.Message{alarm("late", 10)}); err != nil || len(rep.Retry) > 0 {
		t.Fatalf("Process(first trigger to arrive) = retry %v, %v", rep.Retry, err)
	}
	early := alarm("early", 0)
	rep, err := p.Process(ctx, []intake.Message{early})
	if err != nil {
		t.Fatal(err)
	}
	if !lossy.lost || len(rep.Retry) != 1 {
		t.Fatalf("Process(earlier trigger, entry lost) = lost %v, retry %v; want the message retried after the lost entry", lossy.lost, rep.Retry)
	}
	if rep, err := p.Process(ctx, []intake.Message{early}); err != nil || len(rep.Retry) > 0 {
		t.Fatalf("Process(redelivered earlier trigger) = retry %v, %v", rep.Retry, err)
	}
	st := store.NewDynamo(db, table, now)
	incs, err := st.List(ctx, store.Filter{})
	if err != nil || len(incs) != 1 {
		t.Fatalf("List = %d incidents, %v; want 1", len(incs), err)
	}
	if incs[0].OpenedBy != "early" || !incs[0].OpenedAt.Equal(t0) {
		t.Errorf("incident opened by %s at %s; want by early at %s", incs[0].OpenedBy, incs[0].OpenedAt, t0)
	}
	tl, err := st.Timeline(ctx, incs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	var opened []string
	for _, e := range tl {
		if e.Kind == incident.KindOpened {
			opened = append(opened, e.Key)
		}
	}
	if len(opened) != 2 || opened[0] != "opened:early" {
		t.Errorf("opened entries = %v; want [opened:early opened:late] (the opening it moved to first, by time)", opened)
	}
}
