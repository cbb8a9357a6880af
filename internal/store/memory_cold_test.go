package store_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/event"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/problem"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// spillingKeep is a memory store that keeps keep incidents in memory and spills the rest.
func spillingKeep(t *testing.T, keep int) *store.Memory {
	t.Helper()
	m := store.NewMemory(now)
	if err := m.SpillIncidents(t.TempDir(), keep); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := m.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return m
}

// TestMemorySpillKeepsEveryField: an incident with every field set (maps empty and
// not, times to the nanosecond), spilled and read back, is the incident an
// all-in-memory store gives: a field added to incident.Incident is spilled with it.
func TestMemorySpillKeepsEveryField(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2026, 11, 2, 9, 0, 0, 123456789, time.UTC)
	for _, attrs := range []map[string]string{nil, {}, {"alarm_name": "cpu", "": "é\x00\n"}} {
		inc := incident.Incident{}
		v := reflect.ValueOf(&inc).Elem()
		for i := range v.NumField() {
			f := v.Field(i)
			switch f.Kind() {
			case reflect.String:
				f.SetString(fmt.Sprintf("%s-%d", v.Type().Field(i).Name, i))
			case reflect.Int:
				f.SetInt(int64(i + 1))
			case reflect.Bool:
				f.SetBool(true)
			case reflect.Map:
				f.Set(reflect.ValueOf(attrs))
			case reflect.Struct:
				f.Set(reflect.ValueOf(t0.Add(time.Duration(i) * time.Hour)))
			default:
				t.Fatalf("incident.Incident.%s is a %s: teach this test to fill it", v.Type().Field(i).Name, f.Kind())
			}
		}
		inc.Status, inc.Severity = incident.Acknowledged, incident.Sev2
		plain, spilled := store.NewMemory(now), spillingKeep(t, 1)
		var want, got incident.Incident
		for _, st := range []*store.Memory{plain, spilled} {
			if _, _, err := st.Open(ctx, inc, incident.Entry{}); err != nil {
				t.Fatal(err)
			}
			if _, err := st.Record(ctx, store.Ledger{Incident: inc.ID}, []store.EventRef{{ID: "e1", Time: t0, Signal: event.Trigger}}); err != nil {
				t.Fatal(err)
			}
			other := incident.Incident{ID: "FB-other", Fingerprint: "other", Seq: 1, Status: incident.Open, OpenedAt: t0}
			if _, _, err := st.Open(ctx, other, incident.Entry{}); err != nil { // inc is spilled
				t.Fatal(err)
			}
		}
		want, err := plain.Get(ctx, inc.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got, err = spilled.Get(ctx, inc.ID); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Get(%s) spilled, attrs %#v = %+v; want %+v", inc.ID, attrs, got, want)
		}
	}
}

// TestMemorySpilledIncidentsAnswerAsInMemory: random opens, events, changes, due times,
// earlier openings, entries, approvals and claimed and finished actions on a few dozen
// incidents, and loose events, ledgers and recurrences of their fingerprints, give,
// through every method that reads or changes an incident or a fingerprint, exactly
// what an all-in-memory store gives, whether the store keeps one, a few or most
// incidents in memory and spills the others.
func TestMemorySpilledIncidentsAnswerAsInMemory(t *testing.T) {
	for _, keep := range []int{1, 3, 20} {
		t.Run(fmt.Sprintf("keep=%d", keep), func(t *testing.T) {
			ctx := context.Background()
			plain, spilled := store.NewMemory(now), spillingKeep(t, keep)
			t0 := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
			rng := rand.New(rand.NewPCG(uint64(keep), 7))
			var ids []string
			fps := []string{"fp-a", "fp-b", "fp-c", "fp-d", "fp-e"}
			// both runs op on each store and fails unless they answer alike.
			both := func(step int, name string, op func(st *store.Memory) (any, error)) {
				t.Helper()
				want, werr := op(plain)
				got, gerr := op(spilled)
				if (werr == nil) != (gerr == nil) || (werr != nil && errors.Is(werr, store.ErrNotFound) != errors.Is(gerr, store.ErrNotFound)) {
					t.Fatalf("step %d: %s: spilled err %v; in memory %v", step, name, gerr, werr)
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("step %d: %s spilled = %+v; want %+v", step, name, got, want)
				}
			}
			var prev store.Change
			for step := range 1500 {
				at := t0.Add(time.Duration(step)*time.Minute + time.Duration(rng.IntN(3600))*time.Second)
				var id string
				if len(ids) > 0 {
					id = ids[rng.IntN(len(ids))]
				}
				if rng.IntN(50) == 0 {
					id = "FB-none" // no such incident
				}
				switch op := rng.IntN(19); {
				case op == 0 || id == "":
					fp := fps[rng.IntN(len(fps))]
					seq := len(ids) + 1
					inc := incident.Incident{ID: fmt.Sprintf("FB-%s-%d", fp, seq), Seq: seq, Fingerprint: fp, Status: incident.Open,
						Severity: incident.Severities[rng.IntN(3)], Class: []string{"ops.alarm", "health.issue"}[rng.IntN(2)],
						Team: []string{"a", "b"}[rng.IntN(2)], Account: "111111111111", Region: []string{"eu-west-1", "us-east-1"}[rng.IntN(2)],
						OpenedAt: at, Attrs: map[string]string{"n": fmt.Sprint(step)}, Tags: []map[string]string{nil, {}}[rng.IntN(2)]}
					ids = append(ids, inc.ID)
					both(step, "Open", func(st *store.Memory) (any, error) {
						got, created, err := st.Open(ctx, inc, incident.Entry{Incident: inc.ID, At: at, Kind: incident.KindOpened, Key: "opened"})
						return []any{got, created}, err
					})
				case op == 1:
					both(step, "Open again", func(st *store.Memory) (any, error) {
						inc, err := st.Get(ctx, id)
						if err != nil {
							return nil, err
						}
						inc.Title = "again"
						got, created, err := st.Open(ctx, inc, incident.Entry{Incident: id, At: at, Kind: incident.KindNote, Key: "again"})
						return []any{got, created}, err
					})
				case op <= 3:
					var refs []store.EventRef
					for range 1 + rng.IntN(12) { // repeats among them: some ledgers pass 16 ids
						refs = append(refs, store.EventRef{ID: fmt.Sprintf("e%d", rng.IntN(60)), Time: at, Signal: []event.Signal{event.Trigger, event.Recovery, event.Info}[rng.IntN(3)]})
					}
					l := store.Ledger{Incident: id}
					if op == 3 {
						l = store.Ledger{Fingerprint: fps[rng.IntN(len(fps))]}
					}
					both(step, "Record", func(st *store.Memory) (any, error) { return st.Record(ctx, l, refs) })
				case op == 4:
					c := store.Change{Incident: id, Status: incident.Statuses[rng.IntN(len(incident.Statuses))], At: at, By: "person",
						IfStatus: []incident.Status{incident.Open, incident.Acknowledged, incident.Mitigated, incident.Resolved}[rng.IntN(4):],
						Entry:    incident.Entry{At: at, Kind: incident.KindNote, Key: fmt.Sprintf("c%d", rng.IntN(step+1))}}
					if rng.IntN(3) == 0 {
						c.Severity, c.RaiseOnly, c.Team, c.Touch = incident.Sev1, true, "c", true
					}
					if rng.IntN(3) == 0 && prev.Incident != "" {
						c = prev // redelivered: the last change of its incident, unless another came since
					}
					prev = c
					both(step, "Change", func(st *store.Memory) (any, error) { return st.Change(ctx, c) })
				case op == 5:
					due := at.Add(time.Duration(rng.IntN(7200)) * time.Second)
					if step%5 == 0 {
						due = time.Time{}
					}
					both(step, "SetDue", func(st *store.Memory) (any, error) {
						inc, err := st.Get(ctx, id)
						if err != nil {
							return nil, err
						}
						return st.SetDue(ctx, id, due, inc.Version-step%2)
					})
				case op == 6:
					e := incident.Entry{Incident: id, At: at.Add(-time.Duration(step%90) * time.Minute), Kind: incident.KindOpened, Key: "earlier"}
					both(step, "OpenEarlier", func(st *store.Memory) (any, error) {
						return st.OpenEarlier(ctx, id, fmt.Sprint("e", step), e.At, e)
					})
				case op == 7:
					e := incident.Entry{Incident: id, At: at, Kind: incident.KindNote, Actor: "person", Detail: "note", Key: fmt.Sprintf("n%d", rng.IntN(step+1)),
						Data: []map[string]string{nil, {}, {"k": "v"}}[rng.IntN(3)]}
					both(step, "AddEntries", func(st *store.Memory) (any, error) { return nil, st.AddEntries(ctx, e, e) })
				case op == 8:
					both(step, "Timeline", func(st *store.Memory) (any, error) { return st.Timeline(ctx, id) })
				case op == 9:
					both(step, "Get", func(st *store.Memory) (any, error) { return st.Get(ctx, id) })
				case op == 10:
					both(step, "Current", func(st *store.Memory) (any, error) { return st.Current(ctx, fps) })
				case op == 11:
					limit := rng.IntN(4)
					both(step, "Due", func(st *store.Memory) (any, error) { return st.Due(ctx, at, limit) })
				case op == 13:
					fp := fps[rng.IntN(len(fps))]
					var evs []store.Loose
					for range 1 + rng.IntN(4) {
						evs = append(evs, store.Loose{ID: fmt.Sprintf("l%d", rng.IntN(200)), Time: at.Add(time.Duration(rng.IntN(1e9))), Signal: event.Info,
							Summary: fmt.Sprint("summary ", step), Actor: []string{"", "someone"}[rng.IntN(2)]})
					}
					both(step, "KeepLoose", func(st *store.Memory) (any, error) { return nil, st.KeepLoose(ctx, fp, evs) })
				case op == 14:
					fp, from, to := fps[rng.IntN(len(fps))], at.Add(-time.Duration(rng.IntN(600))*time.Minute), []time.Time{{}, at}[rng.IntN(2)]
					both(step, "LooseBetween", func(st *store.Memory) (any, error) { return st.LooseBetween(ctx, fp, from, to) })
				case op == 15:
					fp, o := fps[rng.IntN(len(fps))], problem.Occurrence{Incident: id, At: at, Reopen: rng.IntN(3) == 0}
					both(step, "Recur", func(st *store.Memory) (any, error) {
						return st.Recur(ctx, fp, func(r *problem.Recurrence) bool { return r.Add(o) })
					})
				case op == 16:
					key, owner := fmt.Sprint("action-", rng.IntN(4)), fmt.Sprint("attempt-", rng.IntN(2))
					both(step, "Claim", func(st *store.Memory) (any, error) { return st.Claim(ctx, id, key, owner, time.Minute) })
				case op == 17:
					key := fmt.Sprint("action-", rng.IntN(4))
					both(step, "Done", func(st *store.Memory) (any, error) { return nil, st.Done(ctx, id, key, "done") })
				case op == 18:
					a := store.Approval{Incident: id, Key: fmt.Sprint("exec/state-", rng.IntN(3)), Runbook: "ec2-restart", RequestedAt: at}
					both(step, "PutApproval", func(st *store.Memory) (any, error) {
						if err := st.PutApproval(ctx, a); err != nil {
							return nil, err
						}
						return st.Approvals(ctx, id)
					})
				default:
					f := []store.Filter{{}, {Status: []incident.Status{incident.Open, incident.Acknowledged}}, {OpenedSince: at.Add(-2 * time.Hour)},
						{Account: "111111111111", Region: "eu-west-1", Status: incident.Statuses[:3], ClassPrefix: "ops."},
						{Account: "111111111111", Region: "us-east-1", Severities: []incident.Severity{incident.Sev1}}, {Team: "a", Limit: 3}}[rng.IntN(6)]
					both(step, fmt.Sprintf("List(%+v)", f), func(st *store.Memory) (any, error) { return st.List(ctx, f) })
				}
			}
			for _, id := range append(ids, "FB-none") {
				both(-1, "Get "+id, func(st *store.Memory) (any, error) { return st.Get(ctx, id) })
				both(-1, "Timeline "+id, func(st *store.Memory) (any, error) { return st.Timeline(ctx, id) })
			}
			both(-1, "Walk", func(st *store.Memory) (any, error) {
				var out []incident.Incident
				err := st.Walk(ctx, store.Filter{}, func(inc incident.Incident) error { out = append(out, inc); return nil })
				return out, err
			})
			both(-1, "List", func(st *store.Memory) (any, error) { return st.List(ctx, store.Filter{}) })
			for _, fp := range fps {
				both(-1, "LooseBetween "+fp, func(st *store.Memory) (any, error) { return st.LooseBetween(ctx, fp, time.Time{}, time.Time{}) })
				both(-1, "Record again "+fp, func(st *store.Memory) (any, error) {
					return st.Record(ctx, store.Ledger{Fingerprint: fp}, []store.EventRef{{ID: "e1", Time: t0}, {ID: "e2", Time: t0}})
				})
			}
			both(-1, "DrainStream", func(st *store.Memory) (any, error) { return st.DrainStream(), nil })
		})
	}
}
