package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/store"
	"github.com/firebreak-ops/firebreak/internal/store/dynamotest"
)

// failFingerprintHead fails the first update of a fingerprint's head, the last write of
// an opening, as a throttled request does.
type failFingerprintHead struct {
	store.DynamoDB
	failed bool
}

func (f *failFingerprintHead) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	if sk, ok := in.Key[store.Table.SortKey].(*types.AttributeValueMemberS); ok && sk.Value == "HEAD" && !f.failed {
		f.failed = true
		return nil, errors.New("ThrottlingException: rate exceeded")
	}
	return f.DynamoDB.UpdateItem(ctx, in, opts...)
}

// TestRetriedOpenGoesOn: under sustained failures a retry only completes a change when
// it gets every request it sends through, so a retry sends no request whose answer the
// process knows already. An opening that failed at its last write (the fingerprint's
// head) is retried with two requests: the incident's read (Open returns it as stored)
// and the head; not the incident's create, nor its opening entry, both written.
func TestRetriedOpenGoesOn(t *testing.T) {
	srv := dynamotest.SharedForTest(t)
	db, count := srv.CountingClient()
	table := dynamotest.NewTable(t, db)
	st := store.NewDynamo(&failFingerprintHead{DynamoDB: db}, table, now)
	ctx := context.Background()
	at := now().Add(-time.Hour)
	fp := "ops.alarm|123456789012|eu-west-1|retry"
	inc := incident.Incident{ID: incident.ID(fp, 1), Seq: 1, Fingerprint: fp, Class: "ops.alarm", Title: "cpu high", Severity: incident.Sev2,
		Team: "platform", Status: incident.Open, Source: "aws.cloudwatch", OpenedBy: "e1", OpenedAt: at, StateAt: at}
	opened := incident.Entry{Incident: inc.ID, At: at, Kind: incident.KindOpened, Key: "opened:e1"}
	if _, _, err := st.Open(ctx, inc, opened); err == nil {
		t.Fatal("Open with the head's update failing = nil; want the error")
	}
	count.Reset()
	got, created, err := st.Open(ctx, inc, opened)
	if err != nil || created || got.ID != inc.ID {
		t.Fatalf("retry: Open = %s, created %v, %v; want %s, not created again", got.ID, created, err, inc.ID)
	}
	if n, ops := count.Requested(); n != 2 || ops["GetItem"] != 1 || ops["UpdateItem"] != 1 {
		t.Errorf("the retry sent %v; want one GetItem (the incident) and one UpdateItem (the head)", ops)
	}
	cur, err := st.Current(ctx, []string{fp})
	if err != nil || cur[fp].ID != inc.ID {
		t.Errorf("Current(%s) = %v, %v; want %s", fp, cur, err, inc.ID)
	}
	tl, err := st.Timeline(ctx, inc.ID)
	if err != nil || len(tl) != 1 || tl[0].Key != opened.Key {
		t.Errorf("Timeline = %v, %v; want the opening entry once", tl, err)
	}
}

// loseOpenedEntry fails the first write of the "opened" entry keyed key after the
// opening's update: the update is written, the entry is not.
type loseOpenedEntry struct {
	store.DynamoDB
	key  string
	lost bool
}

func (l *loseOpenedEntry) PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	if k, ok := in.Item["key"].(*types.AttributeValueMemberS); ok && k.Value == l.key && !l.lost {
		l.lost = true
		return nil, errors.New("connection reset by peer")
	}
	return l.DynamoDB.PutItem(ctx, in, opts...)
}

// TestOpenEarlierByTheSameEventWritesItsEntry: one event delivered twice, to two
// workers: the first moves the incident's opening to it and loses the entry, the second
// finds the opening already moved (to this very event) and writes the entry, which is
// this opening's whoever moved it.
func TestOpenEarlierByTheSameEventWritesItsEntry(t *testing.T) {
	srv := dynamotest.SharedForTest(t)
	db := srv.Client()
	table := dynamotest.NewTable(t, db)
	lossy := &loseOpenedEntry{DynamoDB: db, key: "opened:early"}
	st := store.NewDynamo(lossy, table, now)
	ctx := context.Background()
	at := now().Add(-time.Hour)
	fp := "ops.alarm|123456789012|eu-west-1|twice"
	inc := incident.Incident{ID: incident.ID(fp, 1), Seq: 1, Fingerprint: fp, Class: "ops.alarm", Title: "cpu high", Severity: incident.Sev2,
		Team: "platform", Status: incident.Open, Source: "aws.cloudwatch", OpenedBy: "late", OpenedAt: at, StateAt: at}
	if _, _, err := st.Open(ctx, inc, incident.Entry{Incident: inc.ID, At: at, Kind: incident.KindOpened, Key: "opened:late"}); err != nil {
		t.Fatal(err)
	}
	early := at.Add(-time.Minute)
	entry := incident.Entry{At: early, Kind: incident.KindOpened, Key: "opened:early"}
	if _, err := st.OpenEarlier(ctx, inc.ID, "early", early, entry); err == nil || !lossy.lost {
		t.Fatalf("OpenEarlier with its entry lost = %v (lost %v); want the error", err, lossy.lost)
	}
	// The other delivery, on another worker (a fresh store: nothing known in process).
	other := store.NewDynamo(db, table, now)
	if moved, err := other.OpenEarlier(ctx, inc.ID, "early", early, entry); err != nil || moved {
		t.Fatalf("OpenEarlier by the same event again = %v, %v; want false (moved already), nil", moved, err)
	}
	tl, err := other.Timeline(ctx, inc.ID)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, e := range tl {
		keys = append(keys, e.Key)
	}
	if len(keys) != 2 || keys[0] != "opened:early" {
		t.Errorf("timeline keys = %v; want [opened:early opened:late]", keys)
	}
}

// holdClaim keeps the first claim write aside instead of sending it, as a request whose
// client timed out while it was still on its way; land sends it, late.
type holdClaim struct {
	store.DynamoDB
	held *dynamodb.PutItemInput
}

func (h *holdClaim) PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	if sk, ok := in.Item[store.Table.SortKey].(*types.AttributeValueMemberS); ok && h.held == nil && len(sk.Value) > 2 && sk.Value[:2] == "D#" {
		h.held = in
		return nil, errors.New("RequestTimeout: the claim's answer never came")
	}
	return h.DynamoDB.PutItem(ctx, in, opts...)
}

func (h *holdClaim) land(ctx context.Context) error {
	_, err := h.DynamoDB.PutItem(ctx, h.held)
	return err
}

// TestLateClaimAfterReleaseHoldsNothing: an attempt's claim write timed out on its way,
// the attempt gave up and released the claim, and then the write landed. It must not
// hold the action for a lease on behalf of an attempt that is gone: the next attempt
// claims it at once.
func TestLateClaimAfterReleaseHoldsNothing(t *testing.T) {
	srv := dynamotest.SharedForTest(t)
	db := srv.Client()
	table := dynamotest.NewTable(t, db)
	clock := now()
	tick := func() time.Time { clock = clock.Add(time.Millisecond); return clock }
	h := &holdClaim{DynamoDB: db}
	gone := store.NewDynamo(h, table, tick)
	ctx := context.Background()
	inc := incident.Incident{ID: "FB-LATE-1", Seq: 1, Fingerprint: "fp-late", Status: incident.Open, OpenedBy: "e1", OpenedAt: clock, StateAt: clock}
	if _, _, err := gone.Open(ctx, inc, incident.Entry{Incident: inc.ID, At: clock, Kind: incident.KindOpened, Key: "opened:e1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := gone.Claim(ctx, inc.ID, "notify:v1", "attempt-1", time.Hour); err == nil || h.held == nil {
		t.Fatalf("Claim with its write held back = %v; want the error", err)
	}
	if err := gone.Release(ctx, inc.ID, "notify:v1", "attempt-1"); err != nil {
		t.Fatal(err)
	}
	if err := h.land(ctx); err == nil {
		t.Error("the late claim write landed on the released claim; want its condition to fail")
	}
	next := store.NewDynamo(db, table, tick)
	if st, err := next.Claim(ctx, inc.ID, "notify:v1", "attempt-2", time.Hour); err != nil || st != store.Claimed {
		t.Errorf("Claim by the next attempt = %v, %v; want Claimed at once, not held for the gone attempt's lease", st, err)
	}
}

// TestChangeNotAppliedToAFreshIncident: a change whose precondition does not hold, on an
// incident no change was applied to yet, is "not applied", not "no such incident" (the
// store reads the incident's last change to tell; it has none). Dispatch retried a
// group's raise of such a parent until the stream gave the record up.
func TestChangeNotAppliedToAFreshIncident(t *testing.T) {
	st := dynamotest.Store(t, now)
	ctx := context.Background()
	at := now().Add(-time.Hour)
	inc := incident.Incident{ID: "FB-FRESH-1", Seq: 1, Fingerprint: "fp-fresh", Severity: incident.Sev2, Status: incident.Open, OpenedBy: "e1", OpenedAt: at, StateAt: at}
	if _, _, err := st.Open(ctx, inc, incident.Entry{Incident: inc.ID, At: at, Kind: incident.KindOpened, Key: "opened:e1"}); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]store.Change{
		"raise to the same severity": {Incident: inc.ID, Severity: incident.Sev2, RaiseOnly: true, At: at,
			Entry: incident.Entry{At: at, Kind: incident.KindSeverityRaised, Key: "group-raise:FB-CHILD-1"}},
		"status it does not have": {Incident: inc.ID, IfStatus: []incident.Status{incident.Mitigated}, Status: incident.Open, At: at,
			Entry: incident.Entry{At: at, Kind: incident.KindRetriggered, Key: "retriggered:e2"}},
	} {
		if applied, err := st.Change(ctx, c); err != nil || applied {
			t.Errorf("Change(%s) = %v, %v; want false, nil", name, applied, err)
		}
	}
}
