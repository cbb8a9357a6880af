package dispatch_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/awstest"
	"github.com/firebreak-ops/firebreak/internal/dispatch"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/notify"
	"github.com/firebreak-ops/firebreak/internal/store"
	"github.com/firebreak-ops/firebreak/internal/store/dynamotest"
)

// failFirstSend fails the first page, as a throttled or dropped Publish does.
type failFirstSend struct {
	dispatch.Sender
	failed bool
}

func (f *failFirstSend) Send(ctx context.Context, team string, n notify.Notice) (string, error) {
	if !f.failed {
		f.failed = true
		return "", errors.New("connection reset by peer")
	}
	return f.Sender.Send(ctx, team, n)
}

// TestRetriedOpeningGoesOn: a stream record is retried whole. When an opening's page
// fails after it was decided the incident pages (no silence, inhibition or group), the
// retry goes on from the page: it reads neither the silences nor the candidates again,
// nor whether the incident exists, and pages once; a redelivery after finds the page
// done without asking the table. (Under sustained failures a retry
// that had to get every read through again before the page rarely got there.)
func TestRetriedOpeningGoesOn(t *testing.T) {
	srv := dynamotest.SharedForTest(t)
	db, count := srv.CountingClient()
	table := dynamotest.NewTable(t, db)
	clock := t0.Add(time.Second)
	now := func() time.Time { return clock }
	st := store.NewDynamo(db, table, now)
	sns := awstest.New()
	t.Cleanup(sns.Close)
	sender := &failFirstSend{Sender: notify.New(sns.SNS(), map[string]string{"security": securityTopic, "platform": platformTopic})}
	d := &dispatch.Dispatcher{Store: st, Quiet: st, Sender: sender, Config: cfg(t), Now: now, Lease: time.Minute}
	ctx := context.Background()
	inc := incident.Incident{ID: "FB-LOUD-1", Seq: 1, Fingerprint: "fp-loud", Class: "ops.alarm-prod", Title: "alarm", Severity: incident.Sev3,
		Team: "platform", Status: incident.Open, Source: "aws.cloudwatch", Account: "123456789012", Region: "eu-west-1",
		OpenedBy: "evt-loud", OpenedAt: t0, StateAt: t0, Version: 1}
	if _, _, err := st.Open(ctx, inc, incident.Entry{Incident: inc.ID, At: t0, Kind: incident.KindOpened, Key: "opened:evt-loud"}); err != nil {
		t.Fatal(err)
	}
	rec := store.StreamRecord{New: inc}
	if err := d.Handle(ctx, rec); err == nil || !sender.failed {
		t.Fatalf("Handle(opened, page failing) = %v; want the page's failure", err)
	}
	count.Reset()
	if err := d.Handle(ctx, rec); err != nil {
		t.Fatalf("retry: Handle(opened) = %v", err)
	}
	_, ops := count.Requested()
	if ops["Query"] != 0 || ops["GetItem"] != 0 {
		t.Errorf("the retry sent %v; want no Query (silences, candidates, timeline) and no GetItem (the incident is known to exist)", ops)
	}
	if n := len(sns.Of("Publish")); n != 1 {
		t.Errorf("published %d pages; want 1", n)
	}
	count.Reset()
	if err := d.Handle(ctx, rec); err != nil {
		t.Fatalf("redelivery: Handle(opened) = %v", err)
	}
	if n, ops := count.Requested(); n != 1 || ops["BatchGetItem"] != 1 {
		t.Errorf("the redelivery sent %v; want the incident's read alone (its page is known done)", ops)
	}
	if n := len(sns.Of("Publish")); n != 1 {
		t.Errorf("after a redelivery: published %d pages; want 1", n)
	}
}
