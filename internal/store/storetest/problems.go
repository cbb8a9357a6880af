package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/problem"
)

// RunProblems: recurrence items converge under concurrent writers; problems are created
// once, linked idempotently, listed by status and time, and updated conditionally.
func RunProblems(t *testing.T, f Factory) {
	ctx := context.Background()
	fp := "ops.alarm|123456789012|eu-west-1|flappy"
	newProblem := func(id string, opened time.Time) problem.Problem {
		return problem.Problem{ID: id, Title: "flappy alarm", Status: problem.Open, Team: "platform", Fingerprint: fp,
			OpenedAt: opened, OpenedBy: "firebreak", Reason: "3 incidents in 7d"}
	}
	opened := func(id string, at time.Time) problem.Entry {
		return problem.Entry{Problem: id, At: at, Kind: incident.KindProblemOpened, Actor: "firebreak", Detail: "opened", Key: "opened"}
	}

	t.Run("RecurConcurrentWritersConverge", func(t *testing.T) {
		st := f(t)
		var wg sync.WaitGroup
		errs := make(chan error, 20)
		for i := range 10 {
			for range 2 { // every occurrence delivered twice, concurrently
				wg.Add(1)
				go func() {
					defer wg.Done()
					o := problem.Occurrence{Incident: fmt.Sprintf("FB-X-%d", i), At: t0.Add(time.Duration(i) * time.Hour)}
					if _, err := st.Recur(ctx, fp, func(r *problem.Recurrence) bool { return r.Add(o) }); err != nil {
						errs <- err
					}
				}()
			}
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		r, err := st.Recur(ctx, fp, func(*problem.Recurrence) bool { return false })
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Occurrences) != 10 || r.Count() != 10 {
			t.Errorf("Recur: %d occurrences (%d incidents); want 10 (10)", len(r.Occurrences), r.Count())
		}
		if r.Fingerprint != fp || r.Version < 1 {
			t.Errorf("Recur: fingerprint %q version %d; want %q and a version", r.Fingerprint, r.Version, fp)
		}
		other, err := st.Recur(ctx, "other|fp", func(*problem.Recurrence) bool { return false })
		if err != nil || len(other.Occurrences) != 0 || other.Version != 0 {
			t.Errorf("Recur(other) = %+v, %v; want an empty, unstored item", other, err)
		}
	})

	t.Run("CreateOnceLinkOnce", func(t *testing.T) {
		st := f(t)
		id := problem.RecurringID(fp, 1)
		p, created, err := st.CreateProblem(ctx, newProblem(id, t0), opened(id, t0))
		if err != nil || !created || p.Version != 1 || p.Status != problem.Open {
			t.Fatalf("CreateProblem() = %+v, created %v, %v; want created, version 1, open", p, created, err)
		}
		again := newProblem(id, t0.Add(time.Hour))
		again.Title = "a racing writer's title"
		p, created, err = st.CreateProblem(ctx, again, opened(id, t0))
		if err != nil || created || p.Title != "flappy alarm" {
			t.Errorf("second CreateProblem() = title %q, created %v, %v; want the stored one, not created", p.Title, created, err)
		}
		for range 2 {
			for _, inc := range []string{"FB-B-1", "FB-A-1"} {
				if _, err := st.LinkIncident(ctx, id, inc, t0); err != nil {
					t.Fatal(err)
				}
			}
		}
		if ok, err := st.LinkIncident(ctx, id, "FB-A-1", t0); err != nil || ok {
			t.Errorf("LinkIncident(again) = %v, %v; want false (already linked)", ok, err)
		}
		got, err := st.GetProblem(ctx, id)
		if err != nil || fmt.Sprint(got.Incidents) != "[FB-A-1 FB-B-1]" {
			t.Errorf("GetProblem().Incidents = %v, %v; want [FB-A-1 FB-B-1]", got.Incidents, err)
		}
		if _, err := st.LinkIncident(ctx, "PRB-none", "FB-A-1", t0); !errors.Is(err, problem.ErrNotFound) {
			t.Errorf("LinkIncident(unknown problem) = %v; want ErrNotFound", err)
		}
		if _, err := st.GetProblem(ctx, "PRB-none"); !errors.Is(err, problem.ErrNotFound) {
			t.Errorf("GetProblem(unknown) = %v; want ErrNotFound", err)
		}
		tl, err := st.ProblemTimeline(ctx, id)
		if err != nil || len(tl) != 1 || tl[0].Kind != incident.KindProblemOpened {
			t.Errorf("ProblemTimeline() = %+v, %v; want the one opening entry", tl, err)
		}
	})

	t.Run("UpdateConditionalAndListed", func(t *testing.T) {
		st := f(t)
		ids := []string{"PRB-1", "PRB-2", "PRB-3"}
		for i, id := range ids {
			p := newProblem(id, t0.Add(time.Duration(i)*24*time.Hour))
			p.Team = []string{"platform", "data", "platform"}[i]
			if _, _, err := st.CreateProblem(ctx, p, opened(id, p.OpenedAt)); err != nil {
				t.Fatal(err)
			}
		}
		refused := errors.New("refused")
		if _, err := st.UpdateProblem(ctx, "PRB-1", func(*problem.Problem) error { return refused }, problem.Entry{}); !errors.Is(err, refused) {
			t.Errorf("UpdateProblem(apply fails) = %v; want apply's error", err)
		}
		resolvedAt := t0.Add(5 * 24 * time.Hour)
		var wg sync.WaitGroup
		for range 4 { // concurrent notes: none is lost
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := st.UpdateProblem(ctx, "PRB-1", func(p *problem.Problem) error {
					p.Actions = append(p.Actions, fmt.Sprintf("ACT-%d", len(p.Actions)))
					return nil
				}, problem.Entry{})
				if err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		p, err := st.UpdateProblem(ctx, "PRB-1", func(p *problem.Problem) error {
			p.Status, p.ResolvedAt, p.RootCause = problem.Resolved, resolvedAt, "firmware"
			return nil
		}, problem.Entry{At: resolvedAt, Kind: incident.KindProblemStatus, Actor: "sam", Key: "status:resolved", Detail: "resolved"})
		if err != nil || p.Version != 6 || len(p.Actions) != 4 {
			t.Fatalf("UpdateProblem() = version %d actions %v, %v; want version 6 (1 + 5 updates), 4 actions", p.Version, p.Actions, err)
		}
		if _, err := st.UpdateProblem(ctx, "PRB-none", func(*problem.Problem) error { return nil }, problem.Entry{}); !errors.Is(err, problem.ErrNotFound) {
			t.Errorf("UpdateProblem(unknown) = %v; want ErrNotFound", err)
		}
		tests := []struct {
			name string
			f    problem.Filter
			want string
		}{
			{"all", problem.Filter{}, "[PRB-3 PRB-2 PRB-1]"},
			{"active", problem.Filter{Status: []problem.Status{problem.Open, problem.Investigating, problem.KnownError}}, "[PRB-3 PRB-2]"},
			{"team", problem.Filter{Team: "platform"}, "[PRB-3 PRB-1]"},
			{"opened since day 1", problem.Filter{OpenedSince: t0.Add(24 * time.Hour)}, "[PRB-3 PRB-2]"},
			{"resolved since day 4", problem.Filter{ResolvedSince: t0.Add(4 * 24 * time.Hour)}, "[PRB-1]"},
			{"resolved since day 6", problem.Filter{ResolvedSince: t0.Add(6 * 24 * time.Hour)}, "[]"},
			{"limit", problem.Filter{Limit: 1}, "[PRB-3]"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := st.ListProblems(ctx, tt.f)
				if err != nil {
					t.Fatal(err)
				}
				var gotIDs []string
				for _, p := range got {
					gotIDs = append(gotIDs, p.ID)
				}
				if s := fmt.Sprint(gotIDs); s != tt.want && !(tt.want == "[]" && len(gotIDs) == 0) {
					t.Errorf("ListProblems(%+v) = %s; want %s", tt.f, s, tt.want)
				}
			})
		}
		if err := st.AddProblemEntries(ctx, problem.Entry{Problem: "PRB-2", At: t0.Add(time.Hour), Kind: incident.KindProblemNote, Key: "n1", Detail: "x"},
			problem.Entry{Problem: "PRB-2", At: t0.Add(time.Hour), Kind: incident.KindProblemNote, Key: "n1", Detail: "x"}); err != nil {
			t.Fatal(err)
		}
		tl, err := st.ProblemTimeline(ctx, "PRB-2")
		if err != nil || len(tl) != 2 {
			t.Errorf("ProblemTimeline(PRB-2) = %d entries, %v; want 2 (opened, one note)", len(tl), err)
		}
		if err := st.AddProblemEntries(ctx, problem.Entry{Problem: "PRB-none", Key: "k"}); !errors.Is(err, problem.ErrNotFound) {
			t.Errorf("AddProblemEntries(unknown) = %v; want ErrNotFound", err)
		}
	})
}
