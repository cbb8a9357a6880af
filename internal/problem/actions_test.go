package problem_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/action"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/problem"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// TestResolveWithOpenActions: a problem's actions are those linked to it and those
// recorded on it by id from elsewhere; resolving it is refused, naming each open one,
// until every one is done or won't do; then it resolves.
func TestResolveWithOpenActions(t *testing.T) {
	ctx := context.Background()
	now := t0.Add(3 * day)
	clock := func() time.Time { return now }
	st := store.NewMemory(clock)
	inc := incident.Incident{ID: "FB-VPN-1", Seq: 1, Fingerprint: "fp", Class: "ops.vpn-tunnel", Title: "tunnel down", Team: "network",
		Status: incident.Resolved, OpenedAt: t0, StateAt: t0.Add(time.Hour), ResolvedAt: t0.Add(time.Hour)}
	if _, _, err := st.Open(ctx, inc, incident.Entry{Incident: inc.ID, At: t0, Kind: incident.KindOpened, Key: "opened"}); err != nil {
		t.Fatal(err)
	}
	svc := &problem.Service{Store: st, Actions: st, Now: clock}
	p, err := svc.Open(ctx, problem.OpenRequest{Title: "VPN firmware", Team: "network", Incidents: []string{inc.ID}, By: "sam"})
	if err != nil {
		t.Fatal(err)
	}
	acts := &action.Service{Store: st, Lister: st, Timeline: st, Now: clock}
	file := func(kind action.LinkKind, link, title string, due time.Time) action.Action {
		t.Helper()
		a, _, err := acts.Add(ctx, action.Action{Title: title, Owner: "network", Due: due, LinkKind: kind, Link: link}, "sam")
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	pin := file(action.LinkProblem, p.ID, "Pin firmware 7.1", t0.Add(day))                // overdue
	upgrade := file(action.LinkProblem, p.ID, "Upgrade to 7.3", t0.Add(10*day))           // open, not yet due
	alarm := file(action.LinkIncident, inc.ID, "Alarm on tunnel flaps", t0.Add(5*day))    // recorded on the problem by id
	other := file(action.LinkIncident, inc.ID, "Unrelated to the problem", t0.Add(2*day)) // not the problem's
	if _, err := svc.Note(ctx, p.ID, problem.NoteRequest{Actions: []string{alarm.ID, "ACT-9"}, By: "sam"}); err != nil {
		t.Fatal(err)
	}
	if p, err = st.GetProblem(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	got, err := problem.ActionsOf(ctx, st, p)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, a := range got {
		ids = append(ids, a.ID)
	}
	if want := []string{pin.ID, alarm.ID, upgrade.ID}; strings.Join(ids, " ") != strings.Join(want, " ") {
		t.Errorf("ActionsOf(%s) = %v; want %v (by due time, without %s)", p.ID, ids, want, other.ID)
	}

	steps := []struct {
		close   string
		to      action.Status
		want    error
		naming  []string
		leaving []string
	}{
		{"", "", problem.ErrOpenActions, []string{"3 of its actions", pin.ID + " (network, overdue since", upgrade.ID + " (network, due", alarm.ID}, nil},
		{pin.ID, action.Done, problem.ErrOpenActions, []string{"2 of its actions", upgrade.ID, alarm.ID}, []string{pin.ID}},
		{alarm.ID, action.Done, problem.ErrOpenActions, []string{"1 of its actions", upgrade.ID}, []string{pin.ID, alarm.ID}},
		{upgrade.ID, action.WontDo, nil, nil, nil},
	}
	for _, s := range steps {
		if s.close != "" {
			if _, err := acts.Close(ctx, s.close, s.to, "superseded by the vendor's fix", "sam"); err != nil {
				t.Fatal(err)
			}
		}
		_, err := svc.SetStatus(ctx, p.ID, problem.Resolved, "sam", "")
		if !errors.Is(err, s.want) {
			t.Fatalf("after closing %q: SetStatus(resolved) = %v; want %v", s.close, err, s.want)
		}
		for _, n := range s.naming {
			if !strings.Contains(err.Error(), n) {
				t.Errorf("after closing %q: SetStatus(resolved) = %v; want it naming %q", s.close, err, n)
			}
		}
		for _, n := range s.leaving {
			if strings.Contains(err.Error(), n) {
				t.Errorf("after closing %q: SetStatus(resolved) = %v; want it not naming closed %s", s.close, err, n)
			}
		}
	}
	if p, err = st.GetProblem(ctx, p.ID); err != nil || p.Status != problem.Resolved {
		t.Errorf("problem after its actions closed = %s, %v; want resolved", p.Status, err)
	}
}
