package escalate_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/dispatch"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/problem"
	"github.com/firebreak-ops/firebreak/internal/store"
	"github.com/firebreak-ops/firebreak/internal/store/dynamotest"
)

// heldEvent is a change of FB-A as intake (a trigger, a recovery, a raise) or a person (an
// acknowledgement, a resolution, a hand-over) makes it, at t0 plus at.
type heldEvent struct {
	id   string // the incident ("": FB-A)
	what string // mitigate, retrigger, raise, ack, resolve, reopen, owner
	at   time.Duration
	sev  incident.Severity // raise: to
	team string            // owner: to
}

// makeChange applies e to FB-A as intake or the lifecycle service does, and returns the
// stream record of the change (nil: nothing changed).
func (r *heldRun) makeChange(t *testing.T, e heldEvent, n int) *store.StreamRecord {
	t.Helper()
	ctx := context.Background()
	at, id := t0.Add(e.at), e.id
	if id == "" {
		id = "FB-A"
	}
	var before, after incident.Incident
	retry(t, "get "+id, func() (err error) { before, err = r.st.Get(ctx, id); return err })
	key := fmt.Sprintf("%s:%d", e.what, n)
	entry := incident.Entry{Incident: id, At: at, Actor: "firebreak", Key: key}
	c := store.Change{Incident: id, At: at}
	switch e.what {
	case "mitigate":
		c.Status, c.IfStatus, c.NotBefore, entry.Kind = incident.Mitigated, []incident.Status{incident.Open, incident.Acknowledged}, at, incident.KindMitigated
	case "retrigger":
		c.Status, c.IfStatus, c.NotBefore, entry.Kind = incident.Open, []incident.Status{incident.Mitigated}, at, incident.KindRetriggered
	case "raise":
		c.Severity, c.RaiseOnly, entry.Kind = e.sev, true, incident.KindSeverityRaised
		entry.Data = map[string]string{"from": string(before.Severity), "to": string(e.sev)}
	case "ack":
		c.Status, c.IfStatus, c.By, c.Touch, entry.Kind, entry.Actor = incident.Acknowledged, []incident.Status{before.Status}, "sam", true, incident.KindAcknowledged, "sam"
	case "resolve":
		c.Status, c.IfStatus, c.By, c.Touch, entry.Kind, entry.Actor = incident.Resolved, []incident.Status{before.Status}, "sam", true, incident.KindResolved, "sam"
		entry.Data = map[string]string{"from": string(before.Status), "to": string(incident.Resolved)}
	case "reopen":
		c.Status, c.IfStatus, c.NotBefore, entry.Kind = incident.Open, []incident.Status{incident.Resolved}, at, incident.KindReopened
	case "owner":
		c.Team, c.IfStatus, c.By, c.Touch, entry.Kind, entry.Actor = e.team, incident.From(incident.Resolved), "sam", true, incident.KindOwnerChanged, "sam"
		entry.Data = map[string]string{"from": before.Team, "to": e.team}
	default:
		t.Fatalf("unknown event %q", e.what)
	}
	c.Entry = entry
	r.at(at.Add(time.Second))
	retry(t, "change "+id, func() error { _, err := r.st.Change(ctx, c); return err })
	retry(t, "get "+id, func() (err error) { after, err = r.st.Get(ctx, id); return err })
	if after.Version == before.Version {
		return nil
	}
	return &store.StreamRecord{Old: &before, New: after}
}

// dispatchChange hands a change's record to dispatch, as the stream does.
func (r *heldRun) dispatchChange(t *testing.T, rec *store.StreamRecord) {
	t.Helper()
	if rec == nil {
		return
	}
	retry(t, "dispatch the change of "+rec.New.ID, func() error { return r.d.Handle(context.Background(), *rec) })
}

// sent lists what was published, in order: the topic's team, subject and message.
func (r *heldRun) sent() []string {
	var out []string
	for _, p := range r.srv.Of("Publish") {
		team := strings.TrimPrefix(p.Form.Get("TopicArn"), "arn:aws:sns:eu-west-1:123456789012:firebreak-")
		out = append(out, team+" "+p.Form.Get("Subject")+"\n"+p.Form.Get("Message"))
	}
	return out
}

// heldWait is the scenarios' grouping.wait: FB-A opens at t0, its hold ends at heldEnd.
const heldWait = 2 * time.Minute

var heldEnd = t0.Add(heldWait)

// heldModes are the orders in which a scenario's events and the held opening's decision
// may happen: the events before the hold's end are made first in every one (the wait
// is there for them); those at or after it are made, and their records dispatched,
// before or after the decision, which comes at the hold's end or long after it.
var heldModes = []struct {
	name string
	run  func(t *testing.T, r *heldRun, evs []heldEvent)
}{
	{"decided at the end, later events made and dispatched after it", func(t *testing.T, r *heldRun, evs []heldEvent) {
		for i, e := range evs {
			if !t0.Add(e.at).Before(heldEnd) {
				break
			}
			r.dispatchChange(t, r.makeChange(t, e, i))
		}
		r.tick(t, heldEnd)
		for i, e := range evs {
			if !t0.Add(e.at).Before(heldEnd) {
				r.dispatchChange(t, r.makeChange(t, e, i))
			}
		}
	}},
	{"later events made and dispatched first, decided long after the end", func(t *testing.T, r *heldRun, evs []heldEvent) {
		for i, e := range evs {
			r.dispatchChange(t, r.makeChange(t, e, i))
		}
		r.tick(t, t0.Add(20*time.Minute))
	}},
	{"later events made first, their records dispatched after the late decision", func(t *testing.T, r *heldRun, evs []heldEvent) {
		var later []*store.StreamRecord
		for i, e := range evs {
			rec := r.makeChange(t, e, i)
			if !t0.Add(e.at).Before(heldEnd) {
				later = append(later, rec)
				continue
			}
			r.dispatchChange(t, rec)
		}
		r.tick(t, t0.Add(20*time.Minute))
		for _, rec := range later {
			r.dispatchChange(t, rec)
		}
	}},
	{"every record dispatched after the late decision", func(t *testing.T, r *heldRun, evs []heldEvent) {
		var recs []*store.StreamRecord
		for i, e := range evs {
			recs = append(recs, r.makeChange(t, e, i))
		}
		r.tick(t, t0.Add(20*time.Minute))
		for _, rec := range recs {
			r.dispatchChange(t, rec)
		}
		for _, rec := range recs { // and once more, as a stream redelivers
			r.dispatchChange(t, rec)
		}
	}},
}

// heldScenarios: FB-A (sev3, the web team's) opens at t0 with a 2m wait; pages is what
// its responders are told, in order (topic's team and the subject's start).
var heldScenarios = []struct {
	name  string
	evs   []heldEvent
	pages []string
}{
	{"open through the wait", nil, []string{"web [SEV3] Opened"}},
	{"recovered after the end", []heldEvent{{what: "mitigate", at: 150 * time.Second}},
		[]string{"web [SEV3] Opened", "web [SEV3] Mitigated"}},
	{"recovered before the end", []heldEvent{{what: "mitigate", at: time.Minute}}, nil},
	{"recovered at the end (a change at the end is after it)", []heldEvent{{what: "mitigate", at: heldWait}},
		[]string{"web [SEV3] Opened", "web [SEV3] Mitigated"}},
	{"recovered just before the end", []heldEvent{{what: "mitigate", at: heldWait - time.Millisecond}}, nil},
	{"recovered before the end, triggered again after it", []heldEvent{{what: "mitigate", at: 110 * time.Second}, {what: "retrigger", at: 130 * time.Second}},
		[]string{"web [SEV3] Triggered again"}},
	{"recovered and triggered again within the wait", []heldEvent{{what: "mitigate", at: 30 * time.Second}, {what: "retrigger", at: time.Minute}},
		[]string{"web [SEV3] Opened"}},
	{"raised before the end", []heldEvent{{what: "raise", at: time.Minute, sev: incident.Sev2}}, []string{"web [SEV2] Opened"}},
	{"raised after the end", []heldEvent{{what: "raise", at: 3 * time.Minute, sev: incident.Sev1}},
		[]string{"web [SEV3] Opened", "web [SEV1] Severity raised"}},
	{"raised and recovered after the end", []heldEvent{{what: "raise", at: 150 * time.Second, sev: incident.Sev2}, {what: "mitigate", at: 3 * time.Minute}},
		[]string{"web [SEV3] Opened", "web [SEV2] Severity raised", "web [SEV2] Mitigated"}},
	{"handed over before the end", []heldEvent{{what: "owner", at: time.Minute, team: "db"}}, []string{"db [SEV3] Opened"}},
	{"handed over after the end", []heldEvent{{what: "owner", at: 150 * time.Second, team: "db"}},
		[]string{"web [SEV3] Opened", "db [SEV3] Now yours"}},
	{"acknowledged before the end, recovered after it", []heldEvent{{what: "ack", at: time.Minute}, {what: "mitigate", at: 5 * time.Minute}}, nil},
	{"acknowledged after the end", []heldEvent{{what: "ack", at: 3 * time.Minute}}, []string{"web [SEV3] Opened"}},
	{"resolved and re-opened after the end", []heldEvent{{what: "resolve", at: 3 * time.Minute}, {what: "reopen", at: 4 * time.Minute}},
		[]string{"web [SEV3] Opened", "web [SEV3] Resolved", "web [SEV3] Triggered again"}},
}

// TestHeldOpeningDecidedAsOfItsEnd: a held opening is decided as of its hold's end by
// event time. Each scenario runs in every order of its events and the decision
// (heldModes), against the memory store and dynalite: each run tells the scenario's
// pages, and all runs send the same notices (recipient, subject, message) and leave the
// same timeline (kinds and keys).
func TestHeldOpeningDecidedAsOfItsEnd(t *testing.T) {
	stores := []struct {
		name string
		open func(t *testing.T) func(now func() time.Time) store.Store
	}{
		{"memory", func(*testing.T) func(now func() time.Time) store.Store {
			return func(now func() time.Time) store.Store { return store.NewMemory(now) }
		}},
		{"dynamo", func(t *testing.T) func(now func() time.Time) store.Store {
			db, table := dynamotest.ForTest(t)
			return func(now func() time.Time) store.Store { return store.NewDynamo(db, table, now) }
		}},
	}
	for _, sc := range heldScenarios {
		t.Run(sc.name, func(t *testing.T) {
			for _, s := range stores {
				t.Run(s.name, func(t *testing.T) {
					var wantSent []string
					var wantState, first string
					for i, m := range heldModes {
						r := newHeldRunOn(t, config2m, s.open(t))
						r.at(t0.Add(time.Second))
						r.open(t, "FB-A", incident.Sev3, t0)
						m.run(t, r, sc.evs)
						r.tick(t, t0.Add(30*time.Minute)) // every run ends at one time
						sent, state := r.sent(), r.state(t, "FB-A")
						if got := subjects(sent); !sameStarts(got, sc.pages) {
							t.Errorf("%s: pages = %q; want %q", m.name, got, sc.pages)
						}
						if len(sc.pages) == 0 && !strings.Contains(state, "not-paged notify:v1:held") {
							t.Errorf("%s: FB-A = %s; want its \"not paged\" entry", m.name, state)
						}
						if i == 0 {
							wantSent, wantState, first = sent, state, m.name
							continue
						}
						if strings.Join(sent, "\n--\n") != strings.Join(wantSent, "\n--\n") {
							t.Errorf("%s: sent\n%s\nwant (as %s)\n%s", m.name, strings.Join(sent, "\n--\n"), first, strings.Join(wantSent, "\n--\n"))
						}
						if state != wantState {
							t.Errorf("%s: FB-A = %s\nwant (as %s) %s", m.name, state, first, wantState)
						}
					}
				})
			}
		})
	}
}

const config2m = "2m"

// subjects is each sent notice's team and subject without the incident's title.
func subjects(sent []string) []string {
	var out []string
	for _, s := range sent {
		line, _, _ := strings.Cut(s, "\n")
		line, _, _ = strings.Cut(line, ": alarm FB-A")
		out = append(out, line)
	}
	return out
}

// sameStarts reports whether got[i] begins with want[i] for each i, of equal lengths.
func sameStarts(got, want []string) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if !strings.HasPrefix(got[i], want[i]) {
			return false
		}
	}
	return true
}

// changeOnRead is the store a deciding dispatcher reads: after FB-A's timeline has been
// read n times, it has intake make a change and dispatch its record, as another Lambda
// would while the decision runs.
type changeOnRead struct {
	store.Store
	n, reads int
	change   func()
}

func (s *changeOnRead) Timeline(ctx context.Context, id string) ([]incident.Entry, error) {
	tl, err := s.Store.Timeline(ctx, id)
	if id == "FB-A" && err == nil {
		if s.reads++; s.reads == s.n {
			s.change()
		}
	}
	return tl, err
}

// TestHeldOpeningTellsChangesMadeWhileDeciding: a recovery made and dispatched while
// the decision runs — after it read FB-A open, before its page is recorded (read 1), or
// after the page, when it reads FB-A again (read 2) — is told once, after the page:
// dispatch leaves it to the decision while no decision is recorded, and the decision
// reads again after recording its page. A recovery from before the hold's end that
// arrives that late is told the same way (the page is out by then).
func TestHeldOpeningTellsChangesMadeWhileDeciding(t *testing.T) {
	for _, at := range []time.Duration{90 * time.Second, 150 * time.Second} {
		for _, n := range []int{1, 2} {
			t.Run(fmt.Sprintf("recovered at +%s, made after read %d", at, n), func(t *testing.T) {
				db, table := dynamotest.ForTest(t)
				r := newHeldRun(t, config2m, db, table)
				r.at(t0.Add(time.Second))
				r.open(t, "FB-A", incident.Sev3, t0)
				made := false
				w := &changeOnRead{Store: r.st, n: n, change: func() {
					made = true
					r.dispatchChange(t, r.makeChange(t, heldEvent{what: "mitigate", at: at}, 0))
				}}
				r.e.Openings = &dispatch.Dispatcher{Store: w, Quiet: w, Sender: r.d.Sender, Config: r.d.Config, Now: r.now, Lease: time.Minute}
				r.tick(t, t0.Add(3*time.Minute))
				if !made {
					t.Fatalf("the decision read FB-A's timeline %d times; want at least %d", w.reads, n)
				}
				r.tick(t, t0.Add(5*time.Minute))
				want := []string{"web [SEV3] Opened", "web [SEV3] Mitigated"}
				if got := subjects(r.sent()); !sameStarts(got, want) {
					t.Errorf("pages = %q; want %q", got, want)
				}
			})
		}
	}
}

// TestHeldPageTellsTheRecurringProblem: the third incident of one fingerprint opens a
// problem (3 in 7 days); its page says so, whether it was held for grouping.wait or not.
func TestHeldPageTellsTheRecurringProblem(t *testing.T) {
	for _, wait := range []string{"0s", config2m} {
		t.Run("wait "+wait, func(t *testing.T) {
			r := newHeldRunOn(t, wait, func(now func() time.Time) store.Store { return store.NewMemory(now) })
			r.d.Problems = &problem.Tracker{Store: r.st, Once: store.Once{Claims: r.st}, Rule: problem.Rules(r.d.Config)}
			ctx := context.Background()
			for i, id := range []string{"FB-R-1", "FB-R-2", "FB-R-3"} {
				at := t0.Add(time.Duration(i) * 20 * time.Minute) // apart: not one group
				inc := incident.Incident{ID: id, Seq: i + 1, Fingerprint: "x|123456789012|eu-west-1|db-1", Class: "x", Title: "alarm " + id,
					Severity: incident.Sev3, Team: "web", Status: incident.Open, Source: "x", Account: "123456789012", Region: "eu-west-1",
					OpenedBy: "evt-" + id, OpenedAt: at, StateAt: at}
				r.at(at.Add(time.Second))
				if _, _, err := r.st.Open(ctx, inc, incident.Entry{Incident: id, At: at, Kind: incident.KindOpened, Actor: "firebreak", Key: "opened:evt-" + id}); err != nil {
					t.Fatal(err)
				}
				if err := r.d.Handle(ctx, store.StreamRecord{New: inc}); err != nil {
					t.Fatalf("Handle(the opening of %s) = %v", id, err)
				}
				r.tick(t, at.Add(3*time.Minute))
			}
			sent := r.sent()
			if len(sent) != 3 {
				t.Fatalf("sent %d notices; want 3 openings:\n%s", len(sent), strings.Join(sent, "\n--\n"))
			}
			for i, s := range sent {
				if has := strings.Contains(s, "Part of problem "); has != (i == 2) {
					t.Errorf("notice %d says the problem: %v; want %v:\n%s", i+1, has, i == 2, s)
				}
			}
		})
	}
}

// TestHeldOpeningChangesMadeOutOfOrder: a raise after the hold's end made after a later
// recovery (intake applies a raise whenever it arrives) is told with the state by event
// time — the recovery's notice says the raised severity — whether the decision or
// dispatch tells the two, in any order of the decision and the records.
func TestHeldOpeningChangesMadeOutOfOrder(t *testing.T) {
	evs := []heldEvent{{what: "mitigate", at: 3 * time.Minute}, {what: "raise", at: 150 * time.Second, sev: incident.Sev2}}
	modes := []struct {
		name string
		run  func(t *testing.T, r *heldRun)
	}{
		{"decided at the end, both made, then their records dispatched", func(t *testing.T, r *heldRun) {
			r.tick(t, heldEnd)
			recs := []*store.StreamRecord{r.makeChange(t, evs[0], 0), r.makeChange(t, evs[1], 1)}
			for _, rec := range recs {
				r.dispatchChange(t, rec)
			}
		}},
		{"both made and dispatched, decided late", func(t *testing.T, r *heldRun) {
			for i, e := range evs {
				r.dispatchChange(t, r.makeChange(t, e, i))
			}
			r.tick(t, t0.Add(20*time.Minute))
		}},
		{"both made, decided late, their records dispatched after", func(t *testing.T, r *heldRun) {
			recs := []*store.StreamRecord{r.makeChange(t, evs[0], 0), r.makeChange(t, evs[1], 1)}
			r.tick(t, t0.Add(20*time.Minute))
			for _, rec := range recs {
				r.dispatchChange(t, rec)
			}
		}},
	}
	want := []string{"web [SEV2] Mitigated", "web [SEV2] Severity raised", "web [SEV3] Opened"}
	var wantState string
	for i, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			r := newHeldRunOn(t, config2m, func(now func() time.Time) store.Store { return store.NewMemory(now) })
			r.at(t0.Add(time.Second))
			r.open(t, "FB-A", incident.Sev3, t0)
			m.run(t, r)
			got := subjects(r.sent())
			sort.Strings(got)
			if !sameStarts(got, want) {
				t.Errorf("pages = %q; want %q", got, want)
			}
			state := r.state(t, "FB-A")
			if i == 0 {
				wantState = state
			} else if state != wantState {
				t.Errorf("FB-A = %s\nwant (as %s) %s", state, modes[0].name, wantState)
			}
		})
	}
}

// TestHeldOpeningGroupedAsOfItsEnd: FB-P (opened t0) and FB-C (t0+1m, one group) are
// held 2m; FB-P is resolved at t0+4m, after FB-C's hold ended. Whether the resolution
// is made before both decisions or after them, FB-C joins FB-P's group (FB-P was active
// when FB-C's hold ended) and only FB-P pages; resolved at t0+2m30s, before FB-C's hold
// ended, FB-C pages alone, in every order too.
func TestHeldOpeningGroupedAsOfItsEnd(t *testing.T) {
	for _, tt := range []struct {
		resolved time.Duration
		parent   string
		pages    []string
	}{
		{4 * time.Minute, "FB-P", []string{"[SEV3] Opened: alarm FB-P", "[SEV3] Resolved: alarm FB-P"}},
		{150 * time.Second, "", []string{"[SEV3] Opened: alarm FB-C", "[SEV3] Opened: alarm FB-P", "[SEV3] Resolved: alarm FB-P"}},
	} {
		for _, first := range []bool{false, true} {
			for _, dynamo := range []bool{false, true} {
				name := fmt.Sprintf("resolved at +%s, each decided at its end", tt.resolved)
				if first {
					name = fmt.Sprintf("resolved at +%s, made before the decisions", tt.resolved)
				}
				if dynamo {
					name += " (dynalite)"
				}
				t.Run(name, func(t *testing.T) {
					open := func(now func() time.Time) store.Store { return store.NewMemory(now) }
					if dynamo {
						db, table := dynamotest.ForTest(t)
						open = func(now func() time.Time) store.Store { return store.NewDynamo(db, table, now) }
					}
					r := newHeldRunOn(t, config2m, open)
					ctx := context.Background()
					r.at(t0.Add(70 * time.Second))
					r.open(t, "FB-P", incident.Sev3, t0)
					r.open(t, "FB-C", incident.Sev3, t0.Add(time.Minute))
					resolve := func() {
						at := t0.Add(tt.resolved)
						var before, after incident.Incident
						retry(t, "get FB-P", func() (err error) { before, err = r.st.Get(ctx, "FB-P"); return err })
						r.at(at.Add(time.Second))
						r.change(t, store.Change{Incident: "FB-P", Status: incident.Resolved, IfStatus: []incident.Status{before.Status}, By: "sam", Touch: true, At: at,
							Entry: incident.Entry{Incident: "FB-P", At: at, Kind: incident.KindResolved, Actor: "sam", Key: "resolve:1",
								Data: map[string]string{"from": string(before.Status), "to": string(incident.Resolved)}}})
						retry(t, "get FB-P", func() (err error) { after, err = r.st.Get(ctx, "FB-P"); return err })
						if after.Status != incident.Resolved {
							t.Fatalf("FB-P = %s; want resolved", after.Status)
						}
					}
					if first {
						resolve()
						r.tick(t, t0.Add(20*time.Minute))
					} else { // each decided at its hold's end, the resolution made when it happens
						r.tick(t, t0.Add(2*time.Minute))
						if tt.resolved <= 3*time.Minute {
							resolve()
						}
						r.tick(t, t0.Add(3*time.Minute))
						if tt.resolved > 3*time.Minute {
							resolve()
						}
					}
					r.tick(t, t0.Add(30*time.Minute))
					c, err := r.st.Get(ctx, "FB-C")
					if err != nil {
						t.Fatal(err)
					}
					if c.Parent != tt.parent {
						t.Errorf("FB-C's parent = %q; want %q", c.Parent, tt.parent)
					}
					if got := r.pages(); strings.Join(got, "|") != strings.Join(tt.pages, "|") {
						t.Errorf("pages = %q; want %q", got, tt.pages)
					}
				})
			}
		}
	}
}

// randomHistory is five changes of FB-A, each allowed by the one before it, at
// increasing times from t0+10s to at most t0+6m: recoveries, re-triggers, raises,
// hand-overs, acknowledgements, resolutions and re-openings around its hold's end.
func randomHistory(rng *rand.Rand) []heldEvent { return randomHistoryOf(rng, "FB-A", 0, true, true) }

// randomHistoryOf is five random changes of incident id opened at t0+opened (hand-overs
// only if owners is set, raises only if raises is).
func randomHistoryOf(rng *rand.Rand, id string, opened time.Duration, owners, raises bool) []heldEvent {
	status, sev, team := incident.Open, 3, "web"
	var evs []heldEvent
	at := opened
	for range 5 {
		at += time.Duration(10+rng.IntN(60)) * time.Second
		var options []string
		switch status {
		case incident.Open:
			options = []string{"mitigate", "ack", "resolve", "raise", "owner"}
		case incident.Acknowledged:
			options = []string{"mitigate", "resolve", "raise", "owner"}
		case incident.Mitigated:
			options = []string{"retrigger", "resolve", "raise", "owner"}
		case incident.Resolved:
			options = []string{"reopen"}
		}
		var allowed []string
		for _, o := range options {
			if (o != "owner" || owners) && (o != "raise" || raises) {
				allowed = append(allowed, o)
			}
		}
		options = allowed
		e := heldEvent{id: id, what: options[rng.IntN(len(options))], at: at}
		switch e.what {
		case "mitigate":
			status = incident.Mitigated
		case "retrigger", "reopen":
			status = incident.Open
		case "ack":
			status = incident.Acknowledged
		case "resolve":
			status = incident.Resolved
		case "raise":
			if sev == 1 {
				continue
			}
			sev--
			e.sev = incident.Severity(fmt.Sprintf("sev%d", sev))
		case "owner":
			team = map[string]string{"web": "db", "db": "web"}[team]
			e.team = team
		}
		evs = append(evs, e)
	}
	return evs
}

// TestHeldOpeningRandomTimings: random histories of FB-A, each run as the events
// arrive with the escalator following them (every record dispatched at once, a tick at
// each event's time), and again with the records — the opening's too — dispatched late,
// in order, and the escalator ticking at random moments behind the events: both send the
// same notices in the same order and leave the same timeline. 200 histories on the memory
// store, the first 5 on dynalite too.
func TestHeldOpeningRandomTimings(t *testing.T) {
	for seed := range uint64(200) {
		evs := randomHistory(rand.New(rand.NewPCG(seed, 15)))
		stores := []string{"memory"}
		if seed < 5 {
			stores = append(stores, "dynalite")
		}
		for _, kind := range stores {
			t.Run(fmt.Sprintf("seed %d on %s", seed, kind), func(t *testing.T) {
				run := func(t *testing.T, rng *rand.Rand) (sent []string, state string) {
					open := func(now func() time.Time) store.Store { return store.NewMemory(now) }
					if kind == "dynalite" { // a table of its own
						db, table := dynamotest.ForTest(t)
						open = func(now func() time.Time) store.Store { return store.NewDynamo(db, table, now) }
					}
					r := newHeldRunOn(t, config2m, open)
					r.at(t0.Add(time.Second))
					if rng == nil { // as they arrive
						r.open(t, "FB-A", incident.Sev3, t0)
						for i, e := range evs {
							r.tick(t, t0.Add(e.at))
							r.dispatchChange(t, r.makeChange(t, e, i))
						}
					} else {
						opened := r.openOnly(t, "FB-A", incident.Sev3, t0)
						pending := []*store.StreamRecord{&opened}
						for i, e := range evs {
							at := t0.Add(e.at)
							pending = append(pending, r.makeChange(t, e, i))
							n := rng.IntN(len(pending) + 1) // the stream hands over the oldest records, in order
							for _, rec := range pending[:n] {
								r.dispatchChange(t, rec)
							}
							pending = pending[n:]
							if rng.IntN(3) == 0 { // the escalator's clock follows the events made (never ahead)
								r.tick(t, at)
							}
						}
						for _, rec := range pending {
							r.dispatchChange(t, rec)
						}
					}
					r.tick(t, t0.Add(30*time.Minute))
					return r.sent(), r.state(t, "FB-A")
				}
				wantSent, wantState := run(t, nil)
				gotSent, gotState := run(t, rand.New(rand.NewPCG(seed, 16)))
				if a, b := strings.Join(subjects(gotSent), " | "), strings.Join(subjects(wantSent), " | "); a != b {
					t.Errorf("events %+v: pages\n%s\nwant (as they arrive)\n%s", evs, a, b)
				} else if strings.Join(gotSent, "\n--\n") != strings.Join(wantSent, "\n--\n") {
					t.Errorf("events %+v: notices differ from those sent as they arrive:\n%s\nwant\n%s", evs, strings.Join(gotSent, "\n--\n"), strings.Join(wantSent, "\n--\n"))
				}
				if gotState != wantState {
					t.Errorf("events %+v: FB-A = %s\nwant (as they arrive) %s", evs, gotState, wantState)
				}
			})
		}
	}
}

// TestHeldOpeningsGroupedRandomTimings: FB-P opens at t0 and FB-C, of its group, 1s to 80s
// later, each with a random history of status changes (and hand-overs of FB-C): FB-P is
// resolved, re-opened, acknowledged around FB-C's hold's end. As they arrive, and again
// with every record dispatched late and the escalator ticking at random moments behind
// the events, both runs group alike and tell each incident's responders the same
// notices in the same order. (Left out, decided by arrival: a hand-over of FB-P, matched
// as it is when FB-C is decided; raises, as the group's raise of FB-P to FB-C's severity
// is written when FB-C is decided: a raise of FB-P on its own made before that, or a
// notice of FB-P told before it, differ.)
func TestHeldOpeningsGroupedRandomTimings(t *testing.T) {
	for seed := range uint64(200) {
		rng := rand.New(rand.NewPCG(seed, 17))
		child := time.Duration(1+rng.IntN(80)) * time.Second // after FB-P: FB-P is the parent
		evs := mergeByTime(randomHistoryOf(rng, "FB-P", 0, false, false), randomHistoryOf(rng, "FB-C", child, true, false))
		t.Run(fmt.Sprintf("seed %d", seed), func(t *testing.T) {
			run := func(t *testing.T, rng *rand.Rand) (map[string][]string, string) {
				r := newHeldRunOn(t, config2m, func(now func() time.Time) store.Store { return store.NewMemory(now) })
				r.at(t0.Add(time.Second))
				opens := []struct {
					id string
					at time.Duration
				}{{"FB-P", 0}, {"FB-C", child}}
				var pending []*store.StreamRecord
				next := 0 // the next incident to open
				step := func(at time.Time) {
					for next < len(opens) && !t0.Add(opens[next].at).After(at) {
						rec := r.openOnly(t, opens[next].id, incident.Sev3, t0.Add(opens[next].at))
						pending = append(pending, &rec)
						next++
					}
				}
				flush := func(n int) {
					for _, rec := range pending[:n] {
						r.dispatchChange(t, rec)
					}
					pending = pending[n:]
				}
				for i, e := range evs {
					at := t0.Add(e.at)
					if rng == nil {
						r.tick(t, at)
					}
					step(at)
					pending = append(pending, r.makeChange(t, e, i))
					if rng == nil {
						flush(len(pending))
						continue
					}
					flush(rng.IntN(len(pending) + 1))
					if rng.IntN(3) == 0 {
						r.tick(t, at)
					}
				}
				step(t0.Add(time.Hour))
				flush(len(pending))
				r.tick(t, t0.Add(30*time.Minute))
				byIncident := map[string][]string{}
				for _, s := range r.sent() {
					id := "FB-P"
					if strings.Contains(strings.SplitN(s, "\n", 2)[0], "alarm FB-C") {
						id = "FB-C"
					}
					byIncident[id] = append(byIncident[id], s)
				}
				return byIncident, r.state(t, "FB-P") + "\n" + r.state(t, "FB-C")
			}
			want, wantState := run(t, nil)
			got, gotState := run(t, rand.New(rand.NewPCG(seed, 18)))
			for _, id := range []string{"FB-P", "FB-C"} {
				if a, b := strings.Join(got[id], "\n--\n"), strings.Join(want[id], "\n--\n"); a != b {
					t.Errorf("FB-C opened at +%s, events %+v: %s's notices\n%s\nwant (as they arrive)\n%s", child, evs, id, a, b)
				}
			}
			if gotState != wantState {
				t.Errorf("FB-C opened at +%s, events %+v:\n%s\nwant (as they arrive)\n%s", child, evs, gotState, wantState)
			}
		})
	}
}

// mergeByTime is a and b in one list by time (a's first at a tie).
func mergeByTime(a, b []heldEvent) []heldEvent {
	out := append(append([]heldEvent(nil), a...), b...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].at < out[j].at })
	return out
}
