package escalate_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/awstest"
	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/dispatch"
	"github.com/firebreak-ops/firebreak/internal/escalate"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/notify"
	"github.com/firebreak-ops/firebreak/internal/store"
	"github.com/firebreak-ops/firebreak/internal/store/dynamotest"
)

const heldYAML = `version: 1
defaults: {team: web}
teams:
  web: {email: [web@example.com]}
  db: {email: [db@example.com]}
severities:
  sev1: {channels: [email]}
  sev2: {channels: [email]}
  sev3: {channels: [email]}
  sev4: {channels: [email]}
taxonomy:
  - {class: x, match: {"source": ["x"]}, severity: sev3}
grouping: {window: 15m, by: [account, region, team], wait: %s}
`

const (
	webTopic = "arn:aws:sns:eu-west-1:123456789012:firebreak-web"
	dbTopic  = "arn:aws:sns:eu-west-1:123456789012:firebreak-db"
)

// heldRun is dispatch and the escalator on one table, as the stack runs them: dispatch
// is handed each change as the stream would, the escalator ticks when told.
type heldRun struct {
	st    store.Store
	srv   *awstest.Server
	d     *dispatch.Dispatcher
	e     *escalate.Escalator
	mu    sync.Mutex
	clock time.Time
}

func newHeldRun(t *testing.T, wait string, db store.DynamoDB, table string) *heldRun {
	t.Helper()
	return newHeldRunOn(t, wait, func(now func() time.Time) store.Store { return store.NewDynamo(db, table, now) })
}

// newHeldRunOn is a heldRun on the store open makes (given the run's clock).
func newHeldRunOn(t *testing.T, wait string, open func(now func() time.Time) store.Store) *heldRun {
	t.Helper()
	c, err := config.Parse("c.yaml", []byte(fmt.Sprintf(heldYAML, wait)))
	if err != nil {
		t.Fatal(err)
	}
	r := &heldRun{srv: awstest.New(), clock: t0}
	t.Cleanup(r.srv.Close)
	r.st = open(r.now)
	sender := notify.New(r.srv.SNS(), map[string]string{"web": webTopic, "db": dbTopic})
	r.d = &dispatch.Dispatcher{Store: r.st, Quiet: r.st, Sender: sender, Config: c, Now: r.now, Lease: time.Minute}
	r.e = &escalate.Escalator{Store: r.st, Sender: sender, Config: c, Now: r.now, Lease: time.Minute}
	return r
}

func (r *heldRun) now() time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.clock
}

func (r *heldRun) at(t time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.clock = t
}

// retry calls f until it succeeds, as a queue, a stream or the schedule does.
func retry(t *testing.T, what string, f func() error) {
	t.Helper()
	var err error
	for range 10 {
		if err = f(); err == nil {
			return
		}
	}
	t.Fatalf("%s: still failing after 10 tries: %v", what, err)
}

// open opens an incident of the web team in eu-west-1 as intake does, and dispatches
// the opening.
func (r *heldRun) open(t *testing.T, id string, sev incident.Severity, at time.Time) {
	t.Helper()
	got := r.openOnly(t, id, sev, at)
	retry(t, "dispatch the opening of "+id, func() error { return r.d.Handle(context.Background(), got) })
}

// openOnly opens the incident as intake does and returns its opening's stream record.
func (r *heldRun) openOnly(t *testing.T, id string, sev incident.Severity, at time.Time) store.StreamRecord {
	t.Helper()
	ctx := context.Background()
	inc := incident.Incident{ID: id, Seq: 1, Fingerprint: "fp-" + id, Class: "x", Title: "alarm " + id, Severity: sev,
		Team: "web", Status: incident.Open, Source: "x", Account: "123456789012", Region: "eu-west-1",
		OpenedBy: "evt-" + id, OpenedAt: at, StateAt: at}
	retry(t, "open "+id, func() error {
		_, _, err := r.st.Open(ctx, inc, incident.Entry{Incident: id, At: at, Kind: incident.KindOpened, Actor: "firebreak", Key: "opened:evt-" + id})
		return err
	})
	var got incident.Incident
	retry(t, "get "+id, func() (err error) { got, err = r.st.Get(ctx, id); return err })
	return store.StreamRecord{New: got}
}

// change applies c as intake does and dispatches it.
func (r *heldRun) change(t *testing.T, c store.Change) {
	t.Helper()
	ctx := context.Background()
	var before, after incident.Incident
	retry(t, "get "+c.Incident, func() (err error) { before, err = r.st.Get(ctx, c.Incident); return err })
	retry(t, "change "+c.Incident, func() error { _, err := r.st.Change(ctx, c); return err })
	retry(t, "get "+c.Incident, func() (err error) { after, err = r.st.Get(ctx, c.Incident); return err })
	if after.Version == before.Version {
		return
	}
	retry(t, "dispatch the change of "+c.Incident, func() error { return r.d.Handle(ctx, store.StreamRecord{Old: &before, New: after}) })
}

// tick runs the escalator at now until no held opening is left whose wait is over.
func (r *heldRun) tick(t *testing.T, now time.Time) {
	t.Helper()
	r.at(now)
	ctx := context.Background()
	retry(t, "tick", func() error {
		if _, err := r.e.Tick(ctx); err != nil {
			return err
		}
		left, err := r.st.HeldUntil(ctx, now, 0)
		if err == nil && len(left) > 0 {
			err = fmt.Errorf("%d held openings left", len(left))
		}
		return err
	})
}

// pages lists the notices published, by subject.
func (r *heldRun) pages() []string {
	var out []string
	for _, p := range r.srv.Of("Publish") {
		out = append(out, p.Form.Get("Subject"))
	}
	sort.Strings(out)
	return out
}

// state is an incident's outcome: its parent, severity and timeline (kinds and keys).
func (r *heldRun) state(t *testing.T, id string) string {
	t.Helper()
	ctx := context.Background()
	inc, err := r.st.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	tl, err := r.st.Timeline(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	var entries []string
	for _, e := range tl {
		entries = append(entries, string(e.Kind)+" "+e.Key)
	}
	sort.Strings(entries)
	return fmt.Sprintf("parent=%q severity=%s timeline=[%s]", inc.Parent, inc.Severity, strings.Join(entries, ", "))
}

// lateEarlierOpener: FB-B (opened 09:01) is delivered before FB-A (opened 09:00), both of
// one group; the escalator ticks once both waits are over.
func lateEarlierOpener(t *testing.T, r *heldRun) {
	r.at(t0.Add(90 * time.Second))
	r.open(t, "FB-B", incident.Sev2, t0.Add(time.Minute))
	r.open(t, "FB-A", incident.Sev3, t0)
	r.tick(t, t0.Add(4*time.Minute))
}

// TestHeldOpeningLateEarlierOpenerIsTheParent: with grouping.wait, the incident that
// opened first becomes its group's parent although it was delivered last, and only it
// pages (with the group's severity); without a wait both page, as they arrived.
func TestHeldOpeningLateEarlierOpenerIsTheParent(t *testing.T) {
	tests := []struct {
		wait    string
		parentB string
		pages   int
	}{
		{"0s", "", 2},
		{"2m", "FB-A", 1},
	}
	for _, tt := range tests {
		t.Run("wait "+tt.wait, func(t *testing.T) {
			db, table := dynamotest.ForTest(t)
			r := newHeldRun(t, tt.wait, db, table)
			lateEarlierOpener(t, r)
			b, err := r.st.Get(context.Background(), "FB-B")
			if err != nil {
				t.Fatal(err)
			}
			if b.Parent != tt.parentB {
				t.Errorf("FB-B's parent = %q; want %q", b.Parent, tt.parentB)
			}
			if got := r.pages(); len(got) != tt.pages {
				t.Errorf("pages = %q; want %d", got, tt.pages)
			}
			if tt.parentB == "" {
				return
			}
			if got := r.pages(); !strings.Contains(got[0], "FB-A") && !strings.Contains(got[0], "alarm FB-A") {
				t.Errorf("page = %q; want FB-A's", got[0])
			}
			a, _ := r.st.Get(context.Background(), "FB-A")
			if a.Severity != incident.Sev2 {
				t.Errorf("FB-A's severity = %s; want %s (its child's, raised by the group)", a.Severity, incident.Sev2)
			}
		})
	}
}

// TestHeldOpeningNotPagedBeforeItsWait: nothing pages while a wait lasts; the tick after
// it pages the incident as it is then.
func TestHeldOpeningNotPagedBeforeItsWait(t *testing.T) {
	db, table := dynamotest.ForTest(t)
	r := newHeldRun(t, "2m", db, table)
	r.at(t0.Add(time.Second))
	r.open(t, "FB-A", incident.Sev3, t0)
	r.tick(t, t0.Add(time.Minute))
	if got := r.pages(); len(got) != 0 {
		t.Fatalf("pages during the wait = %q; want none", got)
	}
	if held, err := r.st.Held(context.Background(), "FB-A"); err != nil || !held {
		t.Fatalf("Held(FB-A) during the wait = %v, %v; want true", held, err)
	}
	r.tick(t, t0.Add(2*time.Minute))
	if got := r.pages(); len(got) != 1 || !strings.HasPrefix(got[0], "[SEV3]") {
		t.Errorf("pages after the wait = %q; want one [SEV3] page", got)
	}
	if held, _ := r.st.Held(context.Background(), "FB-A"); held {
		t.Errorf("Held(FB-A) after the tick = true; want false")
	}
	r.tick(t, t0.Add(3*time.Minute)) // and never again: another tick, a redelivered opening
	inc, err := r.st.Get(context.Background(), "FB-A")
	if err != nil {
		t.Fatal(err)
	}
	if err := r.d.Handle(context.Background(), store.StreamRecord{New: inc}); err != nil {
		t.Fatalf("Handle(the opening again) = %v", err)
	}
	r.tick(t, t0.Add(4*time.Minute))
	if got := r.pages(); len(got) != 1 {
		t.Errorf("pages after another tick and the opening redelivered = %q; want the one", got)
	}
}

// TestHeldOpeningTellsItsStateAtTheEnd: a raise while the page is held is told by the
// page (one page, of the raised severity); an incident mitigated while its page is held
// pages nobody, and its timeline says so.
func TestHeldOpeningTellsItsStateAtTheEnd(t *testing.T) {
	tests := []struct {
		name   string
		change store.Change
		pages  string
		entry  string
	}{
		{"raised", store.Change{Incident: "FB-A", Severity: incident.Sev2, RaiseOnly: true, At: t0.Add(30 * time.Second),
			Entry: incident.Entry{Incident: "FB-A", At: t0.Add(30 * time.Second), Kind: incident.KindSeverityRaised, Actor: "firebreak", Key: "raise:1"}},
			"[SEV2]", "notified notify:v1:web"},
		{"mitigated", store.Change{Incident: "FB-A", Status: incident.Mitigated, IfStatus: []incident.Status{incident.Open}, At: t0.Add(30 * time.Second),
			Entry: incident.Entry{Incident: "FB-A", At: t0.Add(30 * time.Second), Kind: incident.KindMitigated, Actor: "firebreak", Key: "mitigated:1"}},
			"", "not-paged notify:v1:held"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, table := dynamotest.ForTest(t)
			r := newHeldRun(t, "2m", db, table)
			r.at(t0.Add(time.Second))
			r.open(t, "FB-A", incident.Sev3, t0)
			r.at(t0.Add(40 * time.Second))
			r.change(t, tt.change)
			if got := r.pages(); len(got) != 0 {
				t.Fatalf("pages during the wait = %q; want none", got)
			}
			r.tick(t, t0.Add(3*time.Minute))
			got := r.pages()
			if tt.pages == "" && len(got) != 0 || tt.pages != "" && (len(got) != 1 || !strings.HasPrefix(got[0], tt.pages)) {
				t.Errorf("pages = %q; want %q", got, tt.pages)
			}
			if s := r.state(t, "FB-A"); !strings.Contains(s, tt.entry) {
				t.Errorf("FB-A = %s; want an entry %q", s, tt.entry)
			}
		})
	}
}

// changedAfterItsEnd: FB-A is raised and recovers after its hold's end, both dispatched
// before the escalator ticks: the decision pages it as it was at the end, then tells the
// raise and the recovery.
func changedAfterItsEnd(t *testing.T, r *heldRun) {
	r.at(t0.Add(time.Second))
	r.open(t, "FB-A", incident.Sev3, t0)
	r.dispatchChange(t, r.makeChange(t, heldEvent{what: "raise", at: 150 * time.Second, sev: incident.Sev2}, 1))
	r.dispatchChange(t, r.makeChange(t, heldEvent{what: "mitigate", at: 3 * time.Minute}, 2))
	r.tick(t, t0.Add(4*time.Minute))
}

// TestHeldOpeningCompleteAfterAnyRetry: each run (the late earlier opener; an opening
// changed after its end, whose decision tells the changes), with each of its writes in
// turn failing once (before it is made, or after: made, answered with an error), each
// failed step retried as the stream and the schedule do, ends as the run without a
// failure: the same parents, severities, timelines and pages.
func TestHeldOpeningCompleteAfterAnyRetry(t *testing.T) {
	runs := []struct {
		name  string
		run   func(t *testing.T, r *heldRun)
		ids   []string
		check func(state string, pages []string) bool
		want  string
	}{
		{"late earlier opener", lateEarlierOpener, []string{"FB-A", "FB-B"},
			func(state string, pages []string) bool {
				return strings.Contains(state, `parent="FB-A"`) && len(pages) == 1
			},
			"FB-B grouped under FB-A, one page"},
		{"changed after its end", changedAfterItsEnd, []string{"FB-A"},
			func(state string, pages []string) bool {
				return sameStarts(pages, []string{"[SEV2] Mitigated", "[SEV2] Severity raised", "[SEV3] Opened"}) // sorted
			},
			"three pages: opened (sev3), raised, mitigated"},
	}
	for _, run := range runs {
		t.Run(run.name, func(t *testing.T) {
			db, table := dynamotest.ForTest(t)
			counted := &dynamotest.FailNthWrite{DynamoDB: db}
			clean := newHeldRun(t, "2m", counted, table)
			run.run(t, clean)
			states := func(r *heldRun) string {
				var out []string
				for _, id := range run.ids {
					out = append(out, r.state(t, id))
				}
				return strings.Join(out, "\n")
			}
			want := states(clean)
			wantPages := clean.pages()
			if !run.check(want, wantPages) {
				t.Fatalf("the run without failures: %s, pages %q; want %s", want, wantPages, run.want)
			}
			writes := counted.Writes()
			for _, after := range []bool{false, true} {
				for at := 1; at <= writes; at++ {
					name := fmt.Sprintf("write %d fails", at)
					if after {
						name = fmt.Sprintf("write %d is made and fails", at)
					}
					t.Run(name, func(t *testing.T) {
						db, table := dynamotest.ForTest(t)
						f := &dynamotest.FailNthWrite{DynamoDB: db, N: at, After: after}
						r := newHeldRun(t, "2m", f, table)
						run.run(t, r)
						if got := states(r); got != want {
							t.Errorf("with %s (%s) failing:\n%s\nwant\n%s", f.Failed(), name, got, want)
						}
						if pages := r.pages(); strings.Join(pages, "|") != strings.Join(wantPages, "|") {
							t.Errorf("with %s (%s) failing: pages %q; want %q", f.Failed(), name, pages, wantPages)
						}
					})
				}
			}
		})
	}
}

// TestHeldOpeningMovedEarlierKeepsTheOrder: an opening a later-arriving, earlier trigger
// moved earlier is decided at its new place. FB-P opens at 09:00; FB-X is first known
// opened at 09:20 and then moved to 09:10; FB-Y opens at 09:18. In the order they opened,
// FB-X joins FB-P's group (within 15m of it), and FB-Y pages alone (FB-X has a parent;
// FB-P is too old). Decided at FB-X's first place, FB-Y would find FB-X without a parent
// yet and join it.
func TestHeldOpeningMovedEarlierKeepsTheOrder(t *testing.T) {
	db, table := dynamotest.ForTest(t)
	r := newHeldRun(t, "2m", db, table)
	ctx := context.Background()
	r.at(t0.Add(30 * time.Minute))
	r.open(t, "FB-P", incident.Sev3, t0)
	r.open(t, "FB-Y", incident.Sev3, t0.Add(18*time.Minute))
	r.open(t, "FB-X", incident.Sev3, t0.Add(20*time.Minute))
	before, err := r.st.Get(ctx, "FB-X")
	if err != nil {
		t.Fatal(err)
	}
	moved := t0.Add(10 * time.Minute)
	if _, err := r.st.OpenEarlier(ctx, "FB-X", "evt-early", moved, incident.Entry{Incident: "FB-X", At: moved, Kind: incident.KindOpened, Actor: "firebreak", Key: "opened:evt-early"}); err != nil {
		t.Fatal(err)
	}
	after, err := r.st.Get(ctx, "FB-X")
	if err != nil || !after.OpenedAt.Equal(moved) {
		t.Fatalf("FB-X after OpenEarlier: opened %v, %v; want %v", after.OpenedAt, err, moved)
	}
	if err := r.d.Handle(ctx, store.StreamRecord{Old: &before, New: after}); err != nil {
		t.Fatalf("Handle(FB-X moved) = %v", err)
	}
	r.tick(t, t0.Add(time.Hour))
	for id, want := range map[string]string{"FB-P": "", "FB-X": "FB-P", "FB-Y": ""} {
		inc, err := r.st.Get(ctx, id)
		if err != nil || inc.Parent != want {
			t.Errorf("%s's parent = %q, %v; want %q", id, inc.Parent, err, want)
		}
	}
}

// threeOfOneGroup opens FB-A (sev3), FB-B and FB-C (sev2), 10 s apart, all of one
// group, and sets the clock past their waits (2 minutes).
func threeOfOneGroup(t *testing.T, r *heldRun) *heldRun {
	t.Helper()
	r.at(t0.Add(30 * time.Second))
	r.open(t, "FB-A", incident.Sev3, t0)
	r.open(t, "FB-B", incident.Sev2, t0.Add(10*time.Second))
	r.open(t, "FB-C", incident.Sev2, t0.Add(20*time.Second))
	r.at(t0.Add(4 * time.Minute))
	return r
}

// TestHeldOpeningFailedWriteDecidedInTheSameTick: each write of a tick deciding three
// held openings fails in turn, before it lands and after; the tick tries the opening
// whose write failed again at once and goes on, so one failed request does not hold
// back every opening after it (and every clock) for a tick.
func TestHeldOpeningFailedWriteDecidedInTheSameTick(t *testing.T) {
	setup := func(t *testing.T, f *dynamotest.FailNthWrite) *heldRun {
		db, table := dynamotest.ForTest(t)
		f.DynamoDB = db
		return threeOfOneGroup(t, newHeldRun(t, "2m", f, table))
	}
	count := &dynamotest.FailNthWrite{}
	r := setup(t, count)
	before := count.Writes()
	if _, err := r.e.Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	tickWrites := count.Writes() - before
	if tickWrites < 6 {
		t.Fatalf("the tick made %d writes; want at least two an opening", tickWrites)
	}
	for _, after := range []bool{false, true} {
		for n := 1; n <= tickWrites; n++ {
			f := &dynamotest.FailNthWrite{After: after}
			r := setup(t, f)
			f.N = f.Writes() + n
			rep, err := r.e.Tick(context.Background())
			if f.Failed() == "" {
				t.Fatalf("tick write %d did not fail", n)
			}
			// A write of the clocks that follow (an incident's next due time) may fail the
			// tick: that incident stays due for the next one; the decisions may not.
			if rep.HeldDecided != 3 || err != nil && strings.Contains(err.Error(), "held opening") {
				t.Errorf("tick write %d (%s, landed %v) failing: %d decided, %v; want all 3 decided", n, f.Failed(), after, rep.HeldDecided, err)
				continue
			}
			if got := r.state(t, "FB-B"); !strings.Contains(got, `parent="FB-A"`) {
				t.Errorf("tick write %d (%s, landed %v) failing: FB-B: %s; want grouped under FB-A, the earliest", n, f.Failed(), after, got)
			}
			if pages := r.pages(); len(pages) != 1 {
				t.Errorf("tick write %d (%s, landed %v) failing: pages %q; want one, FB-A's (the group's)", n, f.Failed(), after, pages)
			}
		}
	}
}
