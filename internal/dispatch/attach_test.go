package dispatch_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/store"
	"github.com/firebreak-ops/firebreak/internal/store/dynamotest"
)

// failChildEntry fails the first write of a parent's child entry, as a throttled or
// dropped request does: the child is attached, its parent's entry is not written yet.
type failChildEntry struct {
	testStore
	failed bool
}

func (s *failChildEntry) AddEntries(ctx context.Context, entries ...incident.Entry) error {
	for _, e := range entries {
		if strings.HasPrefix(e.Key, "child:") && !s.failed {
			s.failed = true
			return errors.New("ThrottlingException: rate exceeded")
		}
	}
	return s.testStore.AddEntries(ctx, entries...)
}

// TestGroupingCompleteAfterRetry: grouping is two writes (the child's parent and
// entry, then the parent's entry); when the second fails, the stream record's retry
// completes it, and the child still pages nobody.
func TestGroupingCompleteAfterRetry(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	open := func(id string, at time.Time) incident.Incident { return openAlarm(t, f, id, incident.Sev3, at) }
	parent := open("FB-PARENT-1", t0)
	if err := f.d.Handle(ctx, store.StreamRecord{New: parent}); err != nil {
		t.Fatalf("Handle(parent opened) error %v", err)
	}
	child := open("FB-CHILD-1", t0.Add(time.Minute))
	failing := &failChildEntry{testStore: f.st}
	f.d.Store, f.d.Quiet = failing, failing
	if err := f.d.Handle(ctx, store.StreamRecord{New: child}); err == nil {
		t.Fatal("Handle(child opened) with the parent's entry failing = nil; want the error, so the record is retried")
	}
	if err := f.d.Handle(ctx, store.StreamRecord{New: child}); err != nil {
		t.Fatalf("retry: Handle(child opened) error %v", err)
	}
	tl, err := f.st.Timeline(ctx, parent.ID)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range tl {
		if e.Kind == incident.KindChildGrouped && e.Data["child"] == child.ID {
			n++
		}
	}
	if n != 1 {
		t.Errorf("parent timeline has %d %s entries for %s; want 1", n, incident.KindChildGrouped, child.ID)
	}
	ctl, err := f.st.Timeline(ctx, child.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ctl {
		if e.Kind == incident.KindNotified {
			t.Errorf("child timeline has %s %s; want no page for a grouped incident", e.Kind, e.Key)
		}
	}
}

// failParentRaise fails the first raise of a group's severity, after the child was attached.
type failParentRaise struct {
	testStore
	failed bool
}

func (s *failParentRaise) Change(ctx context.Context, c store.Change) (bool, error) {
	if c.RaiseOnly && !s.failed {
		s.failed = true
		return false, errors.New("ProvisionedThroughputExceededException")
	}
	return s.testStore.Change(ctx, c)
}

// TestGroupRaiseCompleteAfterRetry: a more severe child raises its group's severity; when
// that write fails after the child was attached, the retry raises it.
func TestGroupRaiseCompleteAfterRetry(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	open := func(id string, sev incident.Severity, at time.Time) incident.Incident {
		return openAlarm(t, f, id, sev, at)
	}
	parent := open("FB-PARENT-1", incident.Sev3, t0)
	if err := f.d.Handle(ctx, store.StreamRecord{New: parent}); err != nil {
		t.Fatalf("Handle(parent opened) error %v", err)
	}
	child := open("FB-CHILD-1", incident.Sev2, t0.Add(time.Minute))
	failing := &failParentRaise{testStore: f.st}
	f.d.Store, f.d.Quiet = failing, failing
	if err := f.d.Handle(ctx, store.StreamRecord{New: child}); err == nil {
		t.Fatal("Handle(child opened) with the raise failing = nil; want the error, so the record is retried")
	}
	if err := f.d.Handle(ctx, store.StreamRecord{New: child}); err != nil {
		t.Fatalf("retry: Handle(child opened) error %v", err)
	}
	got, err := f.st.Get(ctx, parent.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Severity != incident.Sev2 {
		t.Errorf("parent severity after the retry = %s; want %s (raised by %s)", got.Severity, incident.Sev2, child.ID)
	}
}

// loseChildEntry applies the first change that sets a parent without its timeline entry
// and then fails, as a change whose second write failed does.
type loseChildEntry struct {
	testStore
	failed bool
}

func (s *loseChildEntry) Change(ctx context.Context, c store.Change) (bool, error) {
	if c.Parent != "" && !s.failed {
		s.failed = true
		c.Entry.Key, c.Entry.Kind = "lost:"+c.Incident, incident.KindNote // stands for the entry that was not written
		if _, err := s.testStore.Change(ctx, c); err != nil {
			return false, err
		}
		return false, errors.New("RequestTimeout: the entry's write timed out")
	}
	return s.testStore.Change(ctx, c)
}

// TestGroupedEntryCompleteAfterRetry: the child's own "grouped" entry, lost after its
// parent was set, is written by the retry.
func TestGroupedEntryCompleteAfterRetry(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	open := func(id string, at time.Time) incident.Incident { return openAlarm(t, f, id, incident.Sev3, at) }
	parent := open("FB-PARENT-1", t0)
	if err := f.d.Handle(ctx, store.StreamRecord{New: parent}); err != nil {
		t.Fatalf("Handle(parent opened) error %v", err)
	}
	child := open("FB-CHILD-1", t0.Add(time.Minute))
	failing := &loseChildEntry{testStore: f.st}
	f.d.Store, f.d.Quiet = failing, failing
	if err := f.d.Handle(ctx, store.StreamRecord{New: child}); err == nil {
		t.Fatal("Handle(child opened) with the entry lost = nil; want the error, so the record is retried")
	}
	cur, err := f.st.Get(ctx, child.ID)
	if err != nil || cur.Parent != parent.ID {
		t.Fatalf("child after the failed attempt: parent %q, %v; want %s set", cur.Parent, err, parent.ID)
	}
	if err := f.d.Handle(ctx, store.StreamRecord{New: cur}); err != nil {
		t.Fatalf("retry: Handle(child opened) error %v", err)
	}
	tl, err := f.st.Timeline(ctx, child.ID)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range tl {
		if e.Kind == incident.KindGrouped && e.Key == "quiet:"+child.ID {
			n++
		}
		if e.Kind == incident.KindNotified {
			t.Errorf("child timeline has %s %s; want no page for a grouped incident", e.Kind, e.Key)
		}
	}
	if n != 1 {
		t.Errorf("child timeline has %d %s entries; want 1", n, incident.KindGrouped)
	}
}

// openAlarm opens an ops.alarm-prod incident of the platform team in the fixture's store
// and returns it as the store has it.
func openAlarm(t *testing.T, f *fixture, id string, sev incident.Severity, at time.Time) incident.Incident {
	t.Helper()
	ctx := context.Background()
	inc := incident.Incident{ID: id, Seq: 1, Fingerprint: "fp-" + id, Class: "ops.alarm-prod", Title: "alarm " + id, Severity: sev,
		Team: "platform", Status: incident.Open, Source: "aws.cloudwatch", Account: "123456789012", Region: "eu-west-1",
		OpenedBy: "evt-" + id, OpenedAt: at, StateAt: at}
	if _, _, err := f.st.Open(ctx, inc, incident.Entry{Incident: id, At: at, Kind: incident.KindOpened, Actor: "firebreak", Key: "opened:evt-" + id}); err != nil {
		t.Fatal(err)
	}
	got, err := f.st.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// loseRaiseEntry fails the first write of a group raise's timeline entry, as a request
// whose connection dropped does: the parent's raise is written, its entry is not.
type loseRaiseEntry struct {
	store.DynamoDB
	lost bool
}

func (l *loseRaiseEntry) PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	if k, ok := in.Item["key"].(*types.AttributeValueMemberS); ok && strings.HasPrefix(k.Value, "group-raise:") && !l.lost {
		l.lost = true
		return nil, errors.New("connection reset by peer")
	}
	return l.DynamoDB.PutItem(ctx, in, opts...)
}

// TestGroupRaiseEntryCompleteAfterRetry: a child raised its group's parent and the
// raise's entry was lost; the retry finds the parent as severe as the child already and
// still writes the entry, once.
func TestGroupRaiseEntryCompleteAfterRetry(t *testing.T) {
	f := newFixture(t)
	db, table := dynamotest.ForTest(t)
	lossy := &loseRaiseEntry{DynamoDB: db}
	f.st = store.NewDynamo(lossy, table, func() time.Time { return f.clock })
	f.d.Store, f.d.Quiet = f.st, f.st
	ctx := context.Background()
	parent := openAlarm(t, f, "FB-PARENT-1", incident.Sev3, t0)
	if err := f.d.Handle(ctx, store.StreamRecord{New: parent}); err != nil {
		t.Fatalf("Handle(parent opened) error %v", err)
	}
	child := openAlarm(t, f, "FB-CHILD-1", incident.Sev2, t0.Add(time.Minute))
	if err := f.d.Handle(ctx, store.StreamRecord{New: child}); err == nil || !lossy.lost {
		t.Fatalf("Handle(child opened) with the raise's entry lost = %v (lost %v); want the error, so the record is retried", err, lossy.lost)
	}
	if err := f.d.Handle(ctx, store.StreamRecord{New: child}); err != nil {
		t.Fatalf("retry: Handle(child opened) error %v", err)
	}
	got, err := f.st.Get(ctx, parent.ID)
	if err != nil || got.Severity != incident.Sev2 {
		t.Fatalf("parent after the retry: %s, %v; want %s", got.Severity, err, incident.Sev2)
	}
	tl, err := f.st.Timeline(ctx, parent.ID)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range tl {
		if e.Key == "group-raise:"+child.ID {
			n++
		}
	}
	if n != 1 {
		t.Errorf("parent's timeline has %d group-raise:%s entries; want 1", n, child.ID)
	}
}
