package store_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/store"
	"github.com/firebreak-ops/firebreak/internal/store/dynamotest"
)

// TestEntryCompletedByALaterChange is the chaos day's lost entry: a change (or an
// opening) lands, its timeline entry does not, and the attempt's retry never comes
// back to it (the message is redelivered after the incident moved on, and decides
// something else). Three processes change one incident in turn, without retries: P
// opens and mitigates it, Q raises its severity, R resolves it; each write of P and Q
// fails in turn, before it lands and after. Every change that landed (read from the
// incident itself: its mitigation's time, its severity, its status) has its entry,
// once: a later change of any process writes the entries an earlier one lost, also
// when that later change fails before writing them.
func TestEntryCompletedByALaterChange(t *testing.T) {
	srv := dynamotest.SharedForTest(t)
	db, _ := srv.CountingClient()
	ctx := context.Background()
	t0 := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	fp := "ops.alarm|123456789012|eu-west-1|lost-entry"
	inc := incident.Incident{ID: incident.ID(fp, 1), Seq: 1, Fingerprint: fp, Class: "ops.alarm", Title: "cpu high", Severity: incident.Sev3,
		Team: "platform", Status: incident.Open, Source: "aws.cloudwatch", OpenedBy: "e-1", OpenedAt: t0, StateAt: t0}
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	entry := func(kind incident.Kind, key string, m int) incident.Entry {
		return incident.Entry{Incident: inc.ID, At: at(m), Kind: kind, Actor: "test", Detail: key, Key: key,
			Data: map[string]string{incident.DataEventID: strings.TrimPrefix(key, string(kind)+":")}}
	}
	mitigate := store.Change{Incident: inc.ID, IfStatus: []incident.Status{incident.Open}, Status: incident.Mitigated, At: at(1),
		Entry: entry(incident.KindMitigated, "mitigated:e-2", 1)}
	raise := store.Change{Incident: inc.ID, Severity: incident.Sev1, At: at(2), Entry: entry(incident.KindSeverityRaised, "severity:e-3", 2)}
	resolve := store.Change{Incident: inc.ID, Status: incident.Resolved, At: at(3), Entry: entry(incident.KindResolved, "resolved:e-4", 3)}

	run := func(t *testing.T, fail *dynamotest.FailNthWrite) (got, want string) {
		table := dynamotest.NewTable(t, db)
		fail.DynamoDB = db
		now := func() time.Time { return at(4) }
		p, q, r := store.NewDynamo(fail, table, now), store.NewDynamo(fail, table, now), store.NewDynamo(db, table, now)
		// No retries: each process's attempt is its last; errors are what the fault made.
		_, _, _ = p.Open(ctx, inc, entry(incident.KindOpened, "opened:e-1", 0))
		_, _ = p.Change(ctx, mitigate)
		_, _ = q.Change(ctx, raise)
		if _, err := r.Change(ctx, resolve); err != nil && !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("R, without faults: %v", err)
		}
		reader := store.NewDynamo(db, table, now)
		final, err := reader.Get(ctx, inc.ID)
		if errors.Is(err, store.ErrNotFound) {
			return "no incident", "no incident" // the opening never landed: nothing to complete
		} else if err != nil {
			t.Fatal(err)
		}
		var landed []string // what the incident says happened
		landed = append(landed, "opened:e-1")
		if final.MitigatedAt.Equal(at(1)) {
			landed = append(landed, "mitigated:e-2")
		}
		if final.Severity == incident.Sev1 {
			landed = append(landed, "severity:e-3")
		}
		if final.Status == incident.Resolved {
			landed = append(landed, "resolved:e-4")
		}
		tl, err := reader.Timeline(ctx, inc.ID)
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, e := range tl {
			keys = append(keys, e.Key)
		}
		sort.Strings(keys)
		sort.Strings(landed)
		// R's change, which met no fault, wrote the entries' own items: the timeline
		// holds them whether or not it reads the copies kept on the incident.
		items := entryItems(t, db, table, inc.ID)
		return fmt.Sprint(keys) + " items " + fmt.Sprint(items), fmt.Sprint(landed) + " items " + fmt.Sprint(landed)
	}
	if got, want := run(t, &dynamotest.FailNthWrite{}); got != want || want != "[mitigated:e-2 opened:e-1 resolved:e-4 severity:e-3] items [mitigated:e-2 opened:e-1 resolved:e-4 severity:e-3]" {
		t.Fatalf("without failures: timeline %s, incident says %s", got, want)
	}
	dynamotest.EachWriteFailedAgainst(t, 8, run)
}

// TestEntriesKeptOnMetaStayFew: each change of an incident by another process (many
// containers, each changing it once) leaves the incident item with few copies of
// entries, not one more per change, and every entry is written.
func TestEntriesKeptOnMetaStayFew(t *testing.T) {
	db, table := dynamotest.ForTest(t)
	ctx := context.Background()
	t0 := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	now := func() time.Time { return t0 }
	fp := "ops.alarm|123456789012|eu-west-1|many-processes"
	inc := incident.Incident{ID: incident.ID(fp, 1), Seq: 1, Fingerprint: fp, Class: "ops.alarm", Title: "cpu high", Severity: incident.Sev3,
		Team: "platform", Status: incident.Open, Source: "aws.cloudwatch", OpenedBy: "e-0", OpenedAt: t0, StateAt: t0}
	if _, _, err := store.NewDynamo(db, table, now).Open(ctx, inc, incident.Entry{Incident: inc.ID, At: t0, Kind: incident.KindOpened, Key: "opened:e-0"}); err != nil {
		t.Fatal(err)
	}
	const changes = 12
	for i := 1; i <= changes; i++ {
		sev := incident.Sev2
		if i%2 == 0 {
			sev = incident.Sev3
		}
		at := t0.Add(time.Duration(i) * time.Minute)
		key := fmt.Sprintf("severity-changed:%d", i)
		if _, err := store.NewDynamo(db, table, now).Change(ctx, store.Change{Incident: inc.ID, Severity: sev, At: at,
			Entry: incident.Entry{At: at, Kind: incident.KindSeverityChanged, Actor: "test", Key: key}}); err != nil {
			t.Fatal(err)
		}
	}
	res, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), ConsistentRead: aws.Bool(true),
		Key: map[string]types.AttributeValue{store.Table.PartitionKey: &types.AttributeValueMemberS{Value: "INC#" + inc.ID},
			store.Table.SortKey: &types.AttributeValueMemberS{Value: "META"}}})
	if err != nil {
		t.Fatal(err)
	}
	kept := 0
	for name := range res.Item {
		if strings.HasPrefix(name, "pend#") {
			kept++
		}
	}
	if kept == 0 || kept > 3 {
		t.Errorf("after %d changes by as many processes the incident keeps %d copies of entries; want 1 to 3", changes, kept)
	}
	tl, err := store.NewDynamo(db, table, now).Timeline(ctx, inc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(tl) != changes+1 {
		t.Errorf("timeline has %d entries; want %d (the opening and every change)", len(tl), changes+1)
	}
}

// entryItems is the sorted keys of the timeline entries written as items of their own.
func entryItems(t *testing.T, db store.DynamoDB, table, id string) []string {
	t.Helper()
	res, err := db.Query(context.Background(), &dynamodb.QueryInput{TableName: aws.String(table), ConsistentRead: aws.Bool(true),
		KeyConditionExpression:    aws.String("#pk = :pk AND begins_with(#sk, :t)"),
		ExpressionAttributeNames:  map[string]string{"#pk": store.Table.PartitionKey, "#sk": store.Table.SortKey},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: "INC#" + id}, ":t": &types.AttributeValueMemberS{Value: "T#"}}})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, it := range res.Items {
		if v, ok := it["key"].(*types.AttributeValueMemberS); ok {
			keys = append(keys, v.Value)
		}
	}
	sort.Strings(keys)
	return keys
}

// TestTimelineHoldsALastChangesEntry: a change lands, its entry's own item does not, and
// no change follows (the last change of an incident, whose message is never redelivered,
// or whose retry finds it made and decides nothing). A reader's timeline holds the entry
// the moment the incident holds the change: the copy the change kept on the incident.
func TestTimelineHoldsALastChangesEntry(t *testing.T) {
	srv := dynamotest.SharedForTest(t)
	db, _ := srv.CountingClient()
	ctx := context.Background()
	t0 := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	now := func() time.Time { return t0.Add(time.Hour) }
	fp := "ops.alarm|123456789012|eu-west-1|last-change"
	inc := incident.Incident{ID: incident.ID(fp, 1), Seq: 1, Fingerprint: fp, Class: "ops.alarm", Title: "cpu high", Severity: incident.Sev3,
		Team: "platform", Status: incident.Open, Source: "aws.cloudwatch", OpenedBy: "e-1", OpenedAt: t0, StateAt: t0}
	at := t0.Add(time.Minute)
	mitigate := store.Change{Incident: inc.ID, IfStatus: []incident.Status{incident.Open}, Status: incident.Mitigated, At: at,
		Entry: incident.Entry{At: at, Kind: incident.KindMitigated, Actor: "test", Key: "mitigated:e-2"}}
	entryLost := false
	dynamotest.EachWriteFailedAgainst(t, 2, func(t *testing.T, fail *dynamotest.FailNthWrite) (got, want string) {
		table := dynamotest.NewTable(t, db)
		fail.DynamoDB = db
		if _, _, err := store.NewDynamo(db, table, now).Open(ctx, inc, incident.Entry{Incident: inc.ID, At: t0, Kind: incident.KindOpened, Key: "opened:e-1"}); err != nil {
			t.Fatal(err)
		}
		_, _ = store.NewDynamo(fail, table, now).Change(ctx, mitigate) // no retry
		reader := store.NewDynamo(db, table, now)
		final, err := reader.Get(ctx, inc.ID)
		if err != nil {
			t.Fatal(err)
		}
		landed := []string{"opened:e-1"}
		if final.Status == incident.Mitigated {
			landed = append(landed, "mitigated:e-2")
		}
		tl, err := reader.Timeline(ctx, inc.ID)
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, e := range tl {
			keys = append(keys, e.Key)
			if e.Key == "mitigated:e-2" && (!e.At.Equal(at) || e.Kind != incident.KindMitigated || e.Actor != "test") {
				t.Errorf("the kept entry reads back as %+v", e)
			}
		}
		if items := entryItems(t, db, table, inc.ID); len(items) < len(landed) {
			entryLost = true
		}
		return fmt.Sprint(keys), fmt.Sprint(landed)
	})
	if !entryLost {
		t.Error("no failure left a landed change without its entry's item: the test does not reach the case it is for")
	}
}
