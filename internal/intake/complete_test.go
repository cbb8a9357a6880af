package intake_test

import (
	"context"
	"errors"
	"strings"
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

// loseMitigatedEntry fails the first write of a "mitigated" timeline entry, as a
// request whose connection dropped does: the incident's change is written, its entry is not.
type loseMitigatedEntry struct {
	store.DynamoDB
	lost bool
}

func (l *loseMitigatedEntry) PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	if k, ok := in.Item["key"].(*types.AttributeValueMemberS); ok && strings.HasPrefix(k.Value, string(incident.KindMitigated)+":") && !l.lost {
		l.lost = true
		return nil, errors.New("connection reset by peer")
	}
	return l.DynamoDB.PutItem(ctx, in, opts...)
}

// TestMitigationCompleteAfterRetry: a recovery mitigated its incident, and the mitigated
// entry was lost with the message retried; the redelivery writes the entry (the incident
// is mitigated already, so deciding again from its status would change nothing).
func TestMitigationCompleteAfterRetry(t *testing.T) {
	srv := dynamotest.SharedForTest(t)
	db := srv.Client()
	table := dynamotest.NewTable(t, db)
	lossy := &loseMitigatedEntry{DynamoDB: db}
	p := intake.New(store.NewDynamo(lossy, table, now), classifier(t), now, nil)
	ctx := context.Background()
	alarm := func(id, state string, min int) intake.Message {
		at := t0.Add(time.Duration(min) * time.Minute)
		return intake.Message{ID: id, ReceivedAt: at, Body: eventtest.Alarm(t, id, "prod-api-5xx", state, at)}
	}
	if rep, err := p.Process(ctx, []intake.Message{alarm("fire", "ALARM", 0)}); err != nil || len(rep.Retry) > 0 {
		t.Fatalf("Process(trigger) = retry %v, %v", rep.Retry, err)
	}
	recovery := alarm("ok", "OK", 5)
	rep, err := p.Process(ctx, []intake.Message{recovery})
	if err != nil {
		t.Fatal(err)
	}
	if !lossy.lost || len(rep.Retry) != 1 {
		t.Fatalf("Process(recovery, entry lost) = retry %v; want the message retried after the lost entry", rep.Retry)
	}
	if rep, err := p.Process(ctx, []intake.Message{recovery}); err != nil || len(rep.Retry) > 0 {
		t.Fatalf("Process(redelivered recovery) = retry %v, %v", rep.Retry, err)
	}
	st := store.NewDynamo(db, table, now)
	incs, err := st.List(ctx, store.Filter{})
	if err != nil || len(incs) != 1 {
		t.Fatalf("List = %d incidents, %v; want 1", len(incs), err)
	}
	if incs[0].Status != incident.Mitigated {
		t.Errorf("status = %s; want mitigated", incs[0].Status)
	}
	tl, err := st.Timeline(ctx, incs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range tl {
		if e.Kind == incident.KindMitigated {
			n++
		}
	}
	if n != 1 {
		t.Errorf("timeline has %d mitigated entries; want 1", n)
	}
}
