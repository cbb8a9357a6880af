package dispatch_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/awstest"
	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/dispatch"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/notify"
	"github.com/firebreak-ops/firebreak/internal/store"
	"github.com/firebreak-ops/firebreak/internal/store/dynamotest"
)

// TestGroupingReadsItsWindowOnly: the grouping decision of an opening reads the
// incidents opened in the window before it, whatever opened after it. A decision taken
// late (a held opening the escalator decides after an outage, a replay, a clock run
// out) once read every incident opened since the window's start: a day's incidents for
// each, quadratic over the day (the chaos harness's day of 10,000 spent most of its
// half hour there). The incidents opened after it are active too, and of the class the
// inhibit rule targets: the inhibit check reads none of them either (below). Measured
// in read units through DynamoDB's own accounting (dynalite).
func TestGroupingReadsItsWindowOnly(t *testing.T) {
	readUnits := func(later int) float64 {
		t.Helper()
		st, d, meter := metered(t, cfg(t))
		ctx := context.Background()
		parent := openAt(t, st, "FB-PARENT-1", "ops.alarm-prod", incident.Sev3, t0)
		inc := openAt(t, st, "FB-CHILD-1", "ops.alarm-prod", incident.Sev3, t0.Add(5*time.Minute))
		for i := range later { // the rest of the day, in the same group key
			openAt(t, st, fmt.Sprintf("FB-LATER-%d", i), "ops.alarm-prod", incident.Sev3, t0.Add(10*time.Minute+time.Duration(i)*time.Minute))
		}
		meter.Reset()
		if err := d.Handle(ctx, store.StreamRecord{New: inc}); err != nil {
			t.Fatal(err)
		}
		got, err := st.Get(ctx, inc.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Parent != parent.ID {
			t.Fatalf("with %d later incidents: %s grouped under %q; want %s (opened 5 minutes before it)", later, inc.ID, got.Parent, parent.ID)
		}
		return meter.Usage().ReadUnits
	}
	alone, withDay := readUnits(0), readUnits(300)
	if withDay != alone {
		t.Errorf("the grouping decision read %.1f units with 300 incidents opened after it, %.1f without; want the same", withDay, alone)
	}
}

// TestInhibitCheckReadsSourcesOnly: the inhibit check of an opening reads the incidents
// of the rules' source classes (the sparse owner index, Dynamo.IndexSources), not every
// active incident of the severities that could outrank it: with 300 other active
// incidents it reads what it reads without them. A source inhibits while it is active,
// not once resolved, and again once re-opened (its index key moves with its status).
func TestInhibitCheckReadsSourcesOnly(t *testing.T) {
	type fixture struct {
		st    *store.Dynamo
		d     *dispatch.Dispatcher
		meter *dynamotest.Meter
	}
	ctx := context.Background()
	setup := func(others int) fixture {
		t.Helper()
		c := cfg(t)
		c.Grouping.By = []string{"resource"} // inhibition alone: nothing here shares a resource
		st, d, meter := metered(t, c)
		for i := range others { // active, more severe than the target, of a class no rule's source selects
			openAt(t, st, fmt.Sprintf("FB-OTHER-%d", i), "ops.alarm-prod", incident.Sev1, t0.Add(time.Duration(i)*time.Second))
		}
		return fixture{st, d, meter}
	}
	decide := func(f fixture, id string, at time.Time) (parent string, units float64) {
		t.Helper()
		inc := openAt(t, f.st, id, "ops.alarm-prod", incident.Sev3, at)
		f.meter.Reset()
		if err := f.d.Handle(ctx, store.StreamRecord{New: inc}); err != nil {
			t.Fatal(err)
		}
		units = f.meter.Usage().ReadUnits
		got, err := f.st.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return got.Parent, units
	}
	var units [2]float64
	for i, others := range []int{0, 300} {
		f := setup(others)
		src := openAt(t, f.st, "FB-HEALTH-1", "health.issue", incident.Sev1, t0)
		parent, u := decide(f, "FB-WEB-1", t0.Add(time.Hour))
		if parent != src.ID {
			t.Fatalf("with %d other active incidents: FB-WEB-1 attached to %q; want inhibited by %s", others, parent, src.ID)
		}
		units[i] = u
		if others > 0 {
			continue
		}
		resolve := store.Change{Incident: src.ID, Status: incident.Resolved, At: t0.Add(2 * time.Hour),
			Entry: incident.Entry{At: t0.Add(2 * time.Hour), Kind: incident.KindResolved, Key: "resolved:test"}}
		if _, err := f.st.Change(ctx, resolve); err != nil {
			t.Fatal(err)
		}
		if parent, _ := decide(f, "FB-WEB-2", t0.Add(3*time.Hour)); parent != "" {
			t.Errorf("after the source resolved: FB-WEB-2 attached to %q; want no parent", parent)
		}
		reopen := store.Change{Incident: src.ID, IfStatus: []incident.Status{incident.Resolved}, Status: incident.Open, At: t0.Add(4 * time.Hour),
			Entry: incident.Entry{At: t0.Add(4 * time.Hour), Kind: incident.KindReopened, Key: "reopened:test"}}
		if _, err := f.st.Change(ctx, reopen); err != nil {
			t.Fatal(err)
		}
		if parent, _ := decide(f, "FB-WEB-3", t0.Add(5*time.Hour)); parent != src.ID {
			t.Errorf("after the source re-opened: FB-WEB-3 attached to %q; want inhibited by %s", parent, src.ID)
		}
	}
	if units[1] != units[0] {
		t.Errorf("an inhibited opening's decision read %.1f units with 300 other active incidents, %.1f without; want the same", units[1], units[0])
	}
}

// metered is a dispatcher on a fresh table whose store meters what it reads (through
// DynamoDB's own accounting), indexing the inhibit sources of c.
func metered(t *testing.T, c *config.Config) (*store.Dynamo, *dispatch.Dispatcher, *dynamotest.Meter) {
	t.Helper()
	db := dynamotest.SharedForTest(t).Client()
	table := dynamotest.NewTable(t, db)
	meter := dynamotest.NewMeter(db, db, table)
	clock := t0.Add(24 * time.Hour)
	now := func() time.Time { return clock }
	st := store.NewDynamo(meter, table, now).IndexSources(c.InhibitSource)
	sns := awstest.New()
	t.Cleanup(sns.Close)
	d := &dispatch.Dispatcher{Store: st, Quiet: st, Config: c, Now: now, Lease: time.Minute,
		Sender: notify.New(sns.SNS(), map[string]string{"security": securityTopic, "platform": platformTopic})}
	return st, d, meter
}

// openAt opens an incident of class and severity at at, in account 123456789012, eu-west-1.
func openAt(t *testing.T, st *store.Dynamo, id, class string, sev incident.Severity, at time.Time) incident.Incident {
	t.Helper()
	inc := incident.Incident{ID: id, Seq: 1, Fingerprint: "fp-" + id, Class: class, Title: class + " " + id, Severity: sev,
		Team: "platform", Status: incident.Open, Source: "aws.health", Account: "123456789012", Region: "eu-west-1",
		Resource: "r-" + id, OpenedBy: "evt-" + id, OpenedAt: at, StateAt: at, Version: 1}
	if _, _, err := st.Open(context.Background(), inc, incident.Entry{Incident: id, At: at, Kind: incident.KindOpened, Key: "opened:evt-" + id}); err != nil {
		t.Fatal(err)
	}
	return inc
}
