package problem_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/notify"
	"github.com/firebreak-ops/firebreak/internal/problem"
	"github.com/firebreak-ops/firebreak/internal/store"
)

var t0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

const day = 24 * time.Hour

func TestQualifies(t *testing.T) {
	rule := problem.Rule{Incidents: 3, Within: 7 * day, Reopens: 3}
	open := func(id string, d time.Duration) problem.Occurrence {
		return problem.Occurrence{Incident: id, At: t0.Add(d)}
	}
	reopen := func(id string, d time.Duration) problem.Occurrence {
		return problem.Occurrence{Incident: id, At: t0.Add(d), Reopen: true}
	}
	tests := []struct {
		name      string
		occ       []problem.Occurrence
		since     time.Duration
		wantOK    bool
		wantStart time.Duration
		wantAt    time.Duration
	}{
		{"two are not enough", []problem.Occurrence{open("a", 0), open("b", day)}, -1, false, 0, 0},
		{"three in a week", []problem.Occurrence{open("a", 0), open("b", day), open("c", 2*day)}, -1, true, 0, 2 * day},
		{"exactly the window", []problem.Occurrence{open("a", 0), open("b", day), open("c", 7*day)}, -1, true, 0, 7 * day},
		{"spread wider than the window", []problem.Occurrence{open("a", 0), open("b", 4*day), open("c", 8*day)}, -1, false, 0, 0},
		{"earliest window wins", []problem.Occurrence{open("a", 0), open("b", 10*day), open("c", 11*day), open("d", 12*day)}, -1, true, 10 * day, 12 * day},
		{"a redelivered opening is one incident", []problem.Occurrence{open("a", 0), open("a", 0), open("b", day)}, -1, false, 0, 0},
		{"re-opened three times", []problem.Occurrence{open("a", 0), reopen("a", time.Hour), reopen("a", 2*time.Hour), reopen("a", 3*time.Hour)}, -1, true, 0, 3 * time.Hour},
		{"re-opened twice", []problem.Occurrence{open("a", 0), reopen("a", time.Hour), reopen("a", 2*time.Hour)}, -1, false, 0, 0},
		{"explained by a resolved problem", []problem.Occurrence{open("a", 0), open("b", day), open("c", 2*day), open("d", 3*day)}, 2 * day, false, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Every arrival order gives the same answer.
			for seed := range uint64(5) {
				occ := append([]problem.Occurrence(nil), tt.occ...)
				rand.New(rand.NewPCG(seed, 1)).Shuffle(len(occ), func(i, j int) { occ[i], occ[j] = occ[j], occ[i] })
				r := problem.Recurrence{}
				if tt.since >= 0 {
					r.Since = t0.Add(tt.since)
				}
				for _, o := range occ {
					r.Add(o)
				}
				m, ok := r.Qualifies(rule)
				if ok != tt.wantOK || (ok && (!m.Start.Equal(t0.Add(tt.wantStart)) || !m.At.Equal(t0.Add(tt.wantAt)))) {
					t.Errorf("seed %d: Qualifies() = %+v, %v; want %v from %s at %s", seed, m, ok, tt.wantOK, tt.wantStart, tt.wantAt)
				}
			}
		})
	}
}

func TestAddKeepsTheMostRecent(t *testing.T) {
	var r problem.Recurrence
	for i := range problem.MaxOccurrences + 10 {
		r.Add(problem.Occurrence{Incident: fmt.Sprintf("i%02d", i), At: t0.Add(time.Duration(i) * time.Hour)})
	}
	if len(r.Occurrences) != problem.MaxOccurrences || r.Occurrences[0].Incident != "i10" {
		t.Errorf("Add: %d kept, oldest %s; want %d, oldest i10", len(r.Occurrences), r.Occurrences[0].Incident, problem.MaxOccurrences)
	}
	if r.Add(problem.Occurrence{Incident: "old", At: t0}) {
		t.Errorf("Add(older than everything kept) = true; want false (it would be dropped at once)")
	}
}

func TestTransitions(t *testing.T) {
	tests := []struct {
		from, to problem.Status
		ok       bool
	}{
		{problem.Open, problem.Investigating, true},
		{problem.Investigating, problem.KnownError, true},
		{problem.KnownError, problem.Resolved, true},
		{problem.Resolved, problem.Open, true},
		{problem.Resolved, problem.KnownError, false},
		{problem.Open, problem.Open, false},
	}
	for _, tt := range tests {
		err := problem.CanTransition(tt.from, tt.to)
		if (err == nil) != tt.ok || (err != nil && !errors.Is(err, problem.ErrTransition)) {
			t.Errorf("CanTransition(%s, %s) = %v; want ok %v", tt.from, tt.to, err, tt.ok)
		}
	}
	if s, err := problem.ParseStatus("known_error"); err != nil || s != problem.KnownError {
		t.Errorf("ParseStatus(known_error) = %q, %v; want known-error", s, err)
	}
	if _, err := problem.ParseStatus("done"); err == nil || !strings.Contains(err.Error(), `"done"`) {
		t.Errorf("ParseStatus(done) = %v; want an error naming it", err)
	}
}

// flakySender fails its first send (retryable), then records.
type flakySender struct {
	fail int
	sent []string
}

func (f *flakySender) Send(_ context.Context, team string, n notify.Notice) (string, error) {
	if f.fail > 0 {
		f.fail--
		return "", errors.New("throttled")
	}
	f.sent = append(f.sent, team+": "+n.Message)
	return fmt.Sprintf("msg-%d", len(f.sent)), nil
}

// TestTrackerRetriesAndOrder: occurrences delivered in any order, each several times,
// with a failed send in between, open one problem, link the same incidents and tell the
// owner once.
func TestTrackerRetriesAndOrder(t *testing.T) {
	ctx := context.Background()
	fp := "ops.alarm|123456789012|eu-west-1|vpn"
	incs := make([]incident.Incident, 5)
	for i := range incs {
		incs[i] = incident.Incident{ID: incident.ID(fp, i+1), Seq: i + 1, Fingerprint: fp, Class: "ops.alarm", Title: "tunnel down",
			Team: "network", Status: incident.Open, OpenedAt: t0.Add(time.Duration(i) * day), StateAt: t0.Add(time.Duration(i) * day)}
	}
	var want string
	for seed := range uint64(8) {
		st := store.NewMemory(func() time.Time { return t0.Add(10 * day) })
		for _, inc := range incs {
			if _, _, err := st.Open(ctx, inc, incident.Entry{Incident: inc.ID, At: inc.OpenedAt, Kind: incident.KindOpened, Key: "opened"}); err != nil {
				t.Fatal(err)
			}
		}
		sender := &flakySender{fail: 1}
		tr := &problem.Tracker{Store: st, Sender: notify.ProblemTeller{Sender: sender}, Once: store.Once{Claims: st},
			Rule: func(string) problem.Rule { return problem.Rule{Incidents: 3, Within: 7 * day} }}
		order := append(append([]incident.Incident(nil), incs...), incs...)
		rand.New(rand.NewPCG(seed, 3)).Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, inc := range order {
			if _, err := tr.Recur(ctx, inc, time.Time{}); err != nil {
				if _, err := tr.Recur(ctx, inc, time.Time{}); err != nil { // the stream's retry
					t.Fatalf("seed %d: Recur(%s) retried = %v", seed, inc.ID, err)
				}
			}
		}
		probs, err := st.ListProblems(ctx, problem.Filter{})
		if err != nil || len(probs) != 1 {
			t.Fatalf("seed %d: problems = %v, %v; want 1", seed, probs, err)
		}
		p, err := st.GetProblem(ctx, probs[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		got := fmt.Sprintf("%s %v opened %s", p.ID, p.Incidents, p.OpenedAt.Format(time.RFC3339))
		if seed == 0 {
			want = got
			if len(p.Incidents) != 5 {
				t.Fatalf("problem = %s; want all five incidents linked", got)
			}
		} else if got != want {
			t.Errorf("seed %d: problem = %s; want %s", seed, got, want)
		}
		if len(sender.sent) != 1 || !strings.HasPrefix(sender.sent[0], "network: Problem "+p.ID) {
			t.Errorf("seed %d: sent %q; want one notice to network", seed, sender.sent)
		}
	}
}

func TestRecurringTitle(t *testing.T) {
	tests := []struct{ fp, want string }{
		{incident.Fingerprint("network.vpn-tunnel", "123456789012", "eu-west-1", "vpn-0abc"), "Recurring network.vpn-tunnel: vpn-0abc (123456789012, eu-west-1)"},
		{"odd", "Recurring: odd"},
	}
	for _, tt := range tests {
		if got := problem.RecurringTitle(tt.fp); got != tt.want {
			t.Errorf("RecurringTitle(%q) = %q; want %q", tt.fp, got, tt.want)
		}
	}
}
