package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/store"
	"github.com/firebreak-ops/firebreak/internal/store/dynamotest"
)

// queryHook runs after the first Query it passes on: a write landing between List's
// queries of two status partitions.
type queryHook struct {
	store.DynamoDB
	once  sync.Once
	after func()
}

func (q *queryHook) Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	out, err := q.DynamoDB.Query(ctx, in, opts...)
	q.once.Do(q.after)
	return out, err
}

// TestListWhileStatusChanges: an incident that moves from open to mitigated while List
// reads the open and then the mitigated partition is listed once, as it is now (it was
// listed twice, and the batch read of counters with a duplicate key failed for good,
// which dispatch took as a permanent failure: the opening was never paged).
func TestListWhileStatusChanges(t *testing.T) {
	ctx := context.Background()
	db, table := dynamotest.ForTest(t)
	direct := store.NewDynamo(db, table, now)
	t0 := now().Add(-time.Hour)
	inc := incident.Incident{ID: incident.ID("ops.alarm|123456789012|eu-west-1|list", 1), Seq: 1, Fingerprint: "ops.alarm|123456789012|eu-west-1|list",
		Class: "ops.alarm", Title: "cpu high", Severity: incident.Sev2, Team: "platform", Status: incident.Open, Source: "aws.cloudwatch",
		Account: "123456789012", Region: "eu-west-1", OpenedBy: "evt-1", OpenedAt: t0, StateAt: t0}
	if _, _, err := direct.Open(ctx, inc, incident.Entry{Incident: inc.ID, At: t0, Kind: incident.KindOpened, Actor: "firebreak", Detail: "opened", Key: "opened:evt-1"}); err != nil {
		t.Fatal(err)
	}
	hook := &queryHook{DynamoDB: db, after: func() {
		at := t0.Add(time.Minute)
		ok, err := direct.Change(ctx, store.Change{Incident: inc.ID, Status: incident.Mitigated, At: at, IfStatus: []incident.Status{incident.Open},
			Entry: incident.Entry{At: at, Kind: incident.KindMitigated, Actor: "firebreak", Detail: "recovered", Key: "mitigated:evt-2"}})
		if err != nil || !ok {
			t.Errorf("Change(mitigated) = %v, %v; want true, nil", ok, err)
		}
	}}
	got, err := store.NewDynamo(hook, table, now).List(ctx, store.Filter{Status: []incident.Status{incident.Open, incident.Mitigated}})
	if err != nil {
		t.Fatalf("List() error %v", err)
	}
	if len(got) != 1 || got[0].ID != inc.ID || got[0].Status != incident.Mitigated {
		t.Fatalf("List() = %+v; want %s once, mitigated", got, inc.ID)
	}
}
