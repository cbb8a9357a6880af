package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// TestMemoryIndexesAgreeWithEveryIncident: after random opens, changes and due times,
// Due and List (served from the status, due, opening-time and per-account-and-region
// indexes, by severity and by class) answer what a walk over every incident answers,
// and Walk gives what List gives, in its order.
func TestMemoryIndexesAgreeWithEveryIncident(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	st := store.NewMemory(now)
	rng := rand.New(rand.NewPCG(3, 4))
	var ids []string
	for i := range 300 {
		fp := fmt.Sprintf("fp-%d", i)
		inc := incident.Incident{ID: incident.ID(fp, 1), Seq: 1, Fingerprint: fp, Status: incident.Open, Class: []string{"health.issue", "ops.alarm", "health.scheduled", "ops.health"}[i%4], Severity: []incident.Severity{incident.Sev1, incident.Sev2, incident.Sev3}[i%3],
			Team: []string{"a", "b"}[i%2], Account: []string{"111111111111", "222222222222"}[i%3%2],
			Region: []string{"eu-west-1", "us-east-1", "eu-west-1"}[i%5%3], OpenedAt: t0.Add(time.Duration(rng.IntN(3600)) * time.Second)}
		if _, _, err := st.Open(ctx, inc, incident.Entry{}); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, inc.ID)
	}
	for step := range 2000 {
		id := ids[rng.IntN(len(ids))]
		at := t0.Add(time.Duration(rng.IntN(7200)) * time.Second)
		switch rng.IntN(4) {
		case 3:
			sev := []incident.Severity{incident.Sev1, incident.Sev2, incident.Sev3}[rng.IntN(3)]
			if _, err := st.Change(ctx, store.Change{Incident: id, Severity: sev, At: at,
				Entry: incident.Entry{At: at, Kind: incident.KindNote, Key: fmt.Sprintf("s%d", step)}}); err != nil {
				t.Fatal(err)
			}
		case 0:
			status := incident.Statuses[rng.IntN(len(incident.Statuses))]
			if _, err := st.Change(ctx, store.Change{Incident: id, Status: status, At: at,
				Entry: incident.Entry{At: at, Kind: incident.KindNote, Key: fmt.Sprintf("c%d", step)}}); err != nil {
				t.Fatal(err)
			}
		default:
			inc, err := st.Get(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			due := at
			if rng.IntN(4) == 0 {
				due = time.Time{}
			}
			if _, err := st.SetDue(ctx, id, due, inc.Version); err != nil {
				t.Fatal(err)
			}
		}
	}
	var all []incident.Incident
	for _, id := range ids {
		inc, err := st.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, inc)
	}
	for _, when := range []time.Time{t0, t0.Add(time.Hour), t0.Add(3 * time.Hour)} {
		var want []string
		due := append([]incident.Incident{}, all...)
		sort.Slice(due, func(i, j int) bool {
			if !due[i].DueAt.Equal(due[j].DueAt) {
				return due[i].DueAt.Before(due[j].DueAt)
			}
			return due[i].ID < due[j].ID
		})
		for _, inc := range due {
			if !inc.DueAt.IsZero() && !inc.DueAt.After(when) {
				want = append(want, inc.ID)
			}
		}
		got, err := st.Due(ctx, when, 0)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(ids2(got)) != fmt.Sprint(want) {
			t.Errorf("Due(%v) = %d incidents %v; want %d %v", when, len(got), ids2(got), len(want), want)
		}
		if lim, err := st.Due(ctx, when, 5); err != nil || len(want) >= 5 && fmt.Sprint(ids2(lim)) != fmt.Sprint(want[:5]) {
			t.Errorf("Due(%v, 5) = %v, %v; want %v", when, ids2(lim), err, want[:min(5, len(want))])
		}
	}
	for _, status := range incident.Statuses {
		for _, team := range []string{"", "a"} {
			for _, where := range [][2]string{{"", ""}, {"111111111111", "eu-west-1"}, {"222222222222", "us-east-1"}, {"111111111111", ""}} {
				for _, since := range []time.Time{{}, t0.Add(30 * time.Minute)} {
					for _, sevs := range [][]incident.Severity{nil, {incident.Sev1, incident.Sev3}} {
						for _, class := range []string{"", "health."} {
							f := store.Filter{Status: []incident.Status{status}, Team: team, Account: where[0], Region: where[1], OpenedSince: since, Severities: sevs, ClassPrefix: class}
							want := map[string]bool{}
							for _, inc := range all {
								if inc.Status == status && (team == "" || inc.Team == team) && (where[0] == "" || inc.Account == where[0]) &&
									(where[1] == "" || inc.Region == where[1]) && !inc.OpenedAt.Before(since) && (sevs == nil || slices.Contains(sevs, inc.Severity)) &&
									strings.HasPrefix(inc.Class, class) {
									want[inc.ID] = true
								}
							}
							got, err := st.List(ctx, f)
							if err != nil {
								t.Fatal(err)
							}
							var walked []incident.Incident
							if err := st.Walk(ctx, f, func(inc incident.Incident) error { walked = append(walked, inc); return nil }); err != nil {
								t.Fatal(err)
							}
							if !reflect.DeepEqual(walked, got) {
								t.Errorf("Walk(%+v) = %v; want List's %v", f, ids2(walked), ids2(got))
							}
							if len(got) != len(want) {
								t.Errorf("List(%+v) = %d incidents; want %d", f, len(got), len(want))
							}
							for _, inc := range got {
								if !want[inc.ID] {
									t.Errorf("List(%+v) includes %s (%s, team %s, %s %s, opened %v)", f, inc.ID, inc.Status, inc.Team, inc.Account, inc.Region, inc.OpenedAt)
								}
							}
						}
					}
				}
			}
		}
	}
}

func ids2(incs []incident.Incident) []string {
	out := make([]string, len(incs))
	for i, inc := range incs {
		out[i] = inc.ID
	}
	return out
}
