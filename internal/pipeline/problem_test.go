package pipeline_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/event/eventtest"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/intake"
	"github.com/firebreak-ops/firebreak/internal/pipeline"
	"github.com/firebreak-ops/firebreak/internal/problem"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// flappingDays is an alarm that fires at 09:00 and recovers at 09:20 on each of four
// days: with auto_resolve_after 30m and reopen_within 1h, four incidents.
func flappingDays(t *testing.T) [][]delivery {
	var days [][]delivery
	for d := range 4 {
		at := t0.Add(time.Duration(d) * 24 * time.Hour)
		fire, ok := fmt.Sprintf("fire-%d", d), fmt.Sprintf("ok-%d", d)
		days = append(days, []delivery{
			{id: fire, body: eventtest.Alarm(t, fire, "web-frontend-5xx", "ALARM", at), at: at},
			{id: ok, body: eventtest.Alarm(t, ok, "web-frontend-5xx", "OK", at.Add(20*time.Minute)), at: at.Add(20 * time.Minute)},
		})
	}
	return days
}

func problemPipeline(t *testing.T) *pipeline.Local {
	t.Helper()
	cfg, err := config.Parse("scenario.yaml", []byte(scenarioConfig))
	if err != nil {
		t.Fatal(err)
	}
	l, err := pipeline.New(pipeline.Options{Config: cfg, Start: t0})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// deliver hands intake the messages in one batch at the clock's time (the newest of them).
func deliver(t *testing.T, l *pipeline.Local, ds []delivery) {
	t.Helper()
	ctx := context.Background()
	newest := ds[0].at
	msgs := make([]intake.Message, len(ds))
	for i, d := range ds {
		if d.at.After(newest) {
			newest = d.at
		}
		msgs[i] = intake.Message{ID: d.id, Body: d.body, ReceivedAt: d.at}
	}
	if err := l.AdvanceTo(ctx, newest); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Ingest(ctx, msgs); err != nil {
		t.Fatal(err)
	}
}

func problemNotices(l *pipeline.Local) []string {
	var out []string
	for _, s := range l.Outbox.Sent() {
		if strings.HasPrefix(s.Subject, "[SEV1] Problem opened") {
			out = append(out, s.Email)
		}
	}
	return out
}

// TestRecurringAlarmOpensOneProblem: an alarm that fires and recovers four times over
// three days opens one problem, when the third incident opens, linking all four; the
// fourth incident links on arrival and its page says so; the owner is told once; the
// problem cannot be resolved while an incident it explains is active.
func TestRecurringAlarmOpensOneProblem(t *testing.T) {
	ctx := context.Background()
	l := problemPipeline(t)
	days := flappingDays(t)
	var ids []string
	for d, day := range days {
		deliver(t, l, day[:1]) // the ALARM
		incs, err := l.Store.List(ctx, store.Filter{Status: []incident.Status{incident.Open}})
		if err != nil || len(incs) != 1 {
			t.Fatalf("day %d: open incidents = %v, %v; want 1", d, incs, err)
		}
		ids = append(ids, incs[0].ID)
		probs, err := l.Store.ListProblems(ctx, problem.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if want := min(max(d-1, 0), 1); len(probs) != want {
			t.Fatalf("day %d: %d problems; want %d", d, len(probs), want)
		}
		if d == 3 {
			_, err := l.Problems.SetStatus(ctx, probs[0].ID, problem.Resolved, "sam", "fixed")
			if !errors.Is(err, problem.ErrActiveIncidents) || !strings.Contains(err.Error(), ids[3]+" (open)") {
				t.Errorf("SetStatus(resolved) with %s open = %v; want ErrActiveIncidents naming it", ids[3], err)
			}
		}
		deliver(t, l, day[1:]) // the OK
		if err := l.AdvanceTo(ctx, day[1].at.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	probs, err := l.Store.ListProblems(ctx, problem.Filter{})
	if err != nil || len(probs) != 1 {
		t.Fatalf("ListProblems() = %v, %v; want one problem", probs, err)
	}
	p, err := l.Store.GetProblem(ctx, probs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(ids)
	if fmt.Sprint(p.Incidents) != fmt.Sprint(ids) || p.Status != problem.Open || p.Team != "web" {
		t.Errorf("problem = incidents %v status %s team %s; want %v open web", p.Incidents, p.Status, p.Team, ids)
	}
	if want := t0.Add(48 * time.Hour); !p.OpenedAt.Equal(want) {
		t.Errorf("problem opened at %s; want %s (the third incident)", p.OpenedAt, want)
	}
	if n := problemNotices(l); len(n) != 1 || !strings.Contains(n[0], p.ID) {
		t.Errorf("problem notices = %q; want one naming %s", n, p.ID)
	}
	// The third and fourth incidents' pages say they are part of the problem; the first two
	// were paged before it existed.
	for i, id := range ids {
		tl, err := l.Store.Timeline(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(tl, func(e incident.Entry) bool {
			return e.Kind == incident.KindProblemLinked && e.Data[incident.DataProblem] == p.ID
		}) {
			t.Errorf("timeline of %s (#%d) has no %s entry for %s", id, i, incident.KindProblemLinked, p.ID)
		}
	}
	var told []string
	for _, s := range l.Outbox.Sent() {
		if strings.Contains(s.Subject, "Opened") && strings.Contains(s.Email, "Part of problem "+p.ID) {
			told = append(told, s.Subject)
		}
	}
	if len(told) != 2 {
		t.Errorf("opening pages naming the problem = %d %q; want 2 (the third and fourth incidents)", len(told), told)
	}
	got, err := l.Problems.SetStatus(ctx, p.ID, problem.Resolved, "sam", "firmware rolled back")
	if err != nil || got.Status != problem.Resolved {
		t.Fatalf("SetStatus(resolved) with every incident resolved = %v, %v; want resolved", got.Status, err)
	}
}

// TestRecurringProblemOrderFree: the same four days delivered in other orders (each day's
// events shuffled, redelivered, in one batch or one by one) open the same problem
// linking the same incidents, and tell the owner once.
func TestRecurringProblemOrderFree(t *testing.T) {
	ctx := context.Background()
	type outcome struct {
		id        string
		incidents string
		notices   int
		head      string // title, team, reason, opening time
	}
	run := func(t *testing.T, seed uint64, oneByOne bool) outcome {
		l := problemPipeline(t)
		rng := rand.New(rand.NewPCG(seed, 7))
		for _, day := range flappingDays(t) {
			ds := append(slices.Clone(day), day...) // every event delivered twice
			rng.Shuffle(len(ds), func(i, j int) { ds[i], ds[j] = ds[j], ds[i] })
			if oneByOne {
				for _, d := range ds {
					deliver(t, l, []delivery{d})
				}
			} else {
				deliver(t, l, ds)
			}
			if err := l.AdvanceTo(ctx, day[1].at.Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
		}
		probs, err := l.Store.ListProblems(ctx, problem.Filter{})
		if err != nil || len(probs) != 1 {
			t.Fatalf("ListProblems() = %v, %v; want one problem", probs, err)
		}
		p, err := l.Store.GetProblem(ctx, probs[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		return outcome{p.ID, fmt.Sprint(p.Incidents), len(problemNotices(l)), fmt.Sprintf("%s|%s|%s|%s", p.Title, p.Team, p.Reason, p.OpenedAt)}
	}
	want := run(t, 0, false)
	if want.notices != 1 || strings.Count(want.incidents, "FB-") != 4 {
		t.Fatalf("baseline = %+v; want one notice and four incidents", want)
	}
	for seed := range uint64(6) {
		for _, oneByOne := range []bool{false, true} {
			t.Run(fmt.Sprintf("seed%d/oneByOne=%v", seed, oneByOne), func(t *testing.T) {
				if got := run(t, seed, oneByOne); got != want {
					t.Errorf("outcome = %+v; want %+v", got, want)
				}
			})
		}
	}
}
