package action_test

import (
	"errors"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/action"
)

var t0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

func TestIDIsStableAndNamesItsLink(t *testing.T) {
	a := action.ID("FB-ABCDEFGH-1", "Add a runbook for  CPU alarms")
	b := action.ID("FB-ABCDEFGH-1", "add a runbook for cpu alarms")
	if a != b {
		t.Errorf("ID() differs by case and spacing: %q vs %q; want equal", a, b)
	}
	if c := action.ID("FB-ABCDEFGH-2", "add a runbook for cpu alarms"); c == a {
		t.Errorf("ID() of another link = %q; want a different id", c)
	}
	link, err := action.LinkOf(a)
	if err != nil || link != "FB-ABCDEFGH-1" {
		t.Errorf("LinkOf(%q) = %q, %v; want FB-ABCDEFGH-1", a, link, err)
	}
	for _, bad := range []string{"", "FB-1", ".aabcdefgh", "FB-1.a123"} {
		if _, err := action.LinkOf(bad); !errors.Is(err, action.ErrInvalid) {
			t.Errorf("LinkOf(%q) error = %v; want ErrInvalid", bad, err)
		}
	}
}

func TestValidateNamesEachField(t *testing.T) {
	ok := action.Action{Title: "t", Owner: "platform", Due: t0, LinkKind: action.LinkIncident, Link: "FB-X-1"}
	if err := ok.Validate(); err != nil {
		t.Fatalf("Validate(%+v) = %v; want nil", ok, err)
	}
	tests := []struct {
		name string
		edit func(*action.Action)
		want string
	}{
		{"no title", func(a *action.Action) { a.Title = "  " }, "title: required"},
		{"no owner", func(a *action.Action) { a.Owner = "" }, "owner: required"},
		{"no due", func(a *action.Action) { a.Due = time.Time{} }, "due: required"},
		{"bad kind", func(a *action.Action) { a.LinkKind = "ticket" }, `link_kind: link kind "ticket"`},
		{"bad link", func(a *action.Action) { a.Link = "a/b" }, `link: "a/b"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := ok
			tt.edit(&a)
			err := a.Validate()
			if !errors.Is(err, action.ErrInvalid) || !contains(err.Error(), tt.want) {
				t.Errorf("Validate() = %v; want ErrInvalid mentioning %q", err, tt.want)
			}
		})
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

func TestCloseDoneLateAndWontDo(t *testing.T) {
	a := action.Action{ID: "FB-X-1.aabcdefgh", Status: action.Open, Due: t0, NextRemind: t0}
	done, err := a.Close(action.Done, "", "sam", t0.Add(time.Hour))
	if err != nil || done.Status != action.Done || !done.Late() || !done.NextRemind.IsZero() {
		t.Errorf("Close(done an hour late) = %+v, %v; want done, late, no more reminders", done, err)
	}
	if onTime, _ := a.Close(action.Done, "", "sam", t0); onTime.Late() {
		t.Errorf("Close(done at due).Late() = true; want false")
	}
	if _, err := a.Close(action.WontDo, " ", "sam", t0); !errors.Is(err, action.ErrInvalid) {
		t.Errorf("Close(wont-do, no reason) error = %v; want ErrInvalid", err)
	}
	if _, err := done.Close(action.WontDo, "moot", "sam", t0); !errors.Is(err, action.ErrConflict) {
		t.Errorf("Close(closed action) error = %v; want ErrConflict", err)
	}
}

func TestSchedulePlan(t *testing.T) {
	s := action.Schedule{Before: 24 * time.Hour, Every: 7 * 24 * time.Hour}
	due := t0.Add(5 * 24 * time.Hour)
	tests := []struct {
		name      string
		floor     time.Time
		now       time.Time
		wantStage action.Stage // "" none
		wantN     int
		wantNext  time.Time
	}{
		{"just filed", t0, t0, "", 0, due.Add(-24 * time.Hour)},
		{"near", t0, due.Add(-time.Hour), action.Near, 0, due},
		{"at due", t0, due, action.AtDue, 0, due.Add(7 * 24 * time.Hour)},
		{"a day late", t0, due.Add(24 * time.Hour), action.AtDue, 0, due.Add(7 * 24 * time.Hour)},
		{"a week late", t0, due.Add(7 * 24 * time.Hour), action.Overdue, 1, due.Add(14 * 24 * time.Hour)},
		{"a year late: only the latest", t0, due.Add(365 * 24 * time.Hour), action.Overdue, 52, due.Add(53 * 7 * 24 * time.Hour)},
		{"filed inside the near window", due.Add(-time.Hour), due.Add(-time.Minute), "", 0, due},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, next := s.Plan(due, tt.floor, tt.now)
			var stage action.Stage
			n := 0
			if got != nil {
				stage, n = got.Stage, got.N
			}
			if stage != tt.wantStage || n != tt.wantN || !next.Equal(tt.wantNext) {
				t.Errorf("Plan(due, %v, %v) = %s %d, next %v; want %s %d, next %v", tt.floor, tt.now, stage, n, next, tt.wantStage, tt.wantN, tt.wantNext)
			}
		})
	}
}

// FuzzIDRoundTrip: the link an action id names is the link it was made from, whatever
// the link and the title.
func FuzzIDRoundTrip(f *testing.F) {
	for _, s := range [][2]string{{"FB-ABCDEFGH-1", "Add a runbook"}, {"PB-0001", ""}, {"x.a", "ünïcode"}, {"FB-1.aaaaaaaaa", "nested"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, link, title string) {
		if link == "" {
			return
		}
		id := action.ID(link, title)
		got, err := action.LinkOf(id)
		if err != nil || got != link {
			t.Errorf("LinkOf(ID(%q, %q) = %q) = %q, %v; want %q", link, title, id, got, err, link)
		}
	})
}
