package silence_test

import (
	"strings"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/silence"
)

func TestWeeklyWindow(t *testing.T) {
	// Saturday 22:00 for 8h in London: crosses midnight, and London is UTC+1 in summer.
	s := silence.Silence{ID: "w", Comment: "c", Matchers: silence.Matchers{Team: "web"},
		Weekly: &silence.Weekly{Days: []string{"sat"}, Start: "22:00", Duration: "8h", TimeZone: "Europe/London"}}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		at   string
		want bool
	}{
		{"2026-11-07T21:59:00Z", false}, // Saturday 21:59 GMT (winter: London = UTC)
		{"2026-11-07T22:00:00Z", true},
		{"2026-11-08T05:59:00Z", true}, // Sunday morning, still inside
		{"2026-11-08T06:00:00Z", false},
		{"2026-07-04T21:00:00Z", true},  // Saturday 22:00 BST is 21:00 UTC
		{"2026-07-04T20:59:00Z", false}, // before the window in summer
		{"2026-11-04T23:00:00Z", false}, // a Wednesday
	}
	for _, tt := range tests {
		at, _ := time.Parse(time.RFC3339, tt.at)
		if got := s.Active(at); got != tt.want {
			t.Errorf("Active(%s) = %v; want %v", tt.at, got, tt.want)
		}
	}
	bounded := s
	bounded.Ends = time.Date(2026, 11, 8, 0, 0, 0, 0, time.UTC)
	if bounded.Active(time.Date(2026, 11, 8, 1, 0, 0, 0, time.UTC)) {
		t.Error("Active() after Ends = true; want the weekly window bounded by Ends")
	}
}

func TestMatch(t *testing.T) {
	inc := incident.Incident{Class: "ops.ec2-stopped", Team: "platform", Account: "123456789012", Region: "eu-west-1", Resource: "i-0abc",
		Tags: map[string]string{"workload": "batch", "env": "prod"}}
	tests := []struct {
		name string
		m    silence.Matchers
		want bool
	}{
		{"class wildcard", silence.Matchers{Class: "ops.ec2-*"}, true},
		{"class other", silence.Matchers{Class: "security.*"}, false},
		{"all of them", silence.Matchers{Team: "platform", Account: "1234*", Region: "eu-*", Resource: "i-0*"}, true},
		{"one fails", silence.Matchers{Team: "platform", Region: "us-*"}, false},
		{"tag", silence.Matchers{Tags: map[string]string{"workload": "batch"}}, true},
		{"tag wildcard", silence.Matchers{Tags: map[string]string{"env": "pr*"}}, true},
		{"tag missing", silence.Matchers{Tags: map[string]string{"owner": "*"}}, false},
	}
	for _, tt := range tests {
		if got := tt.m.Match(inc); got != tt.want {
			t.Errorf("Match(%s) = %v; want %v", tt.name, got, tt.want)
		}
	}
}

func TestValidate(t *testing.T) {
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		s    silence.Silence
		want string
	}{
		{"no matchers", silence.Silence{ID: "a", Comment: "c", Ends: now}, "matchers: at least one is required"},
		{"no comment", silence.Silence{ID: "a", Matchers: silence.Matchers{Team: "x"}, Ends: now}, "comment: missing"},
		{"no end", silence.Silence{ID: "a", Comment: "c", Matchers: silence.Matchers{Team: "x"}}, "ends: missing"},
		{"ends before starts", silence.Silence{ID: "a", Comment: "c", Matchers: silence.Matchers{Team: "x"}, Starts: now, Ends: now.Add(-time.Hour)}, "ends: must be after starts"},
		{"bad pattern", silence.Silence{ID: "a", Comment: "c", Matchers: silence.Matchers{Class: "[oops"}, Ends: now}, `matchers.class: "[oops" is not a valid pattern`},
		{"bad day", silence.Silence{ID: "a", Comment: "c", Matchers: silence.Matchers{Team: "x"}, Weekly: &silence.Weekly{Days: []string{"funday"}, Start: "22:00", Duration: "1h"}}, `weekly.days[0]: "funday"`},
		{"bad start", silence.Silence{ID: "a", Comment: "c", Matchers: silence.Matchers{Team: "x"}, Weekly: &silence.Weekly{Days: []string{"mon"}, Start: "25:00", Duration: "1h"}}, `weekly.start: "25:00" is not a time`},
		{"bad zone", silence.Silence{ID: "a", Comment: "c", Matchers: silence.Matchers{Team: "x"}, Weekly: &silence.Weekly{Days: []string{"mon"}, Start: "01:00", Duration: "1h", TimeZone: "Mars/Olympus"}}, `weekly.time_zone: "Mars/Olympus"`},
	}
	for _, tt := range tests {
		err := tt.s.Validate()
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Validate(%s) = %v; want an error containing %q", tt.name, err, tt.want)
		}
	}
}

func TestFindPicksActiveMatchingByID(t *testing.T) {
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	inc := incident.Incident{Team: "web"}
	list := []silence.Silence{
		{ID: "b", Matchers: silence.Matchers{Team: "web"}, Starts: now.Add(-time.Hour), Ends: now.Add(time.Hour)},
		{ID: "a", Matchers: silence.Matchers{Team: "web"}, Starts: now.Add(-time.Hour), Ends: now.Add(-time.Minute)}, // over
		{ID: "c", Matchers: silence.Matchers{Team: "db"}, Ends: now.Add(time.Hour)},
	}
	if s, ok := silence.Find(list, inc, now); !ok || s.ID != "b" {
		t.Errorf("Find() = %s, %v; want b (a is over, c does not match)", s.ID, ok)
	}
}

func TestNeedsForce(t *testing.T) {
	start := time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		m    silence.Matchers
		last time.Duration
		max  time.Duration
		want int // reasons
	}{
		{"one team, an hour", silence.Matchers{Team: "platform"}, time.Hour, 72 * time.Hour, 0},
		{"at the maximum", silence.Matchers{Team: "platform"}, 72 * time.Hour, 72 * time.Hour, 0},
		{"past the maximum", silence.Matchers{Team: "platform"}, 73 * time.Hour, 72 * time.Hour, 1},
		{"no maximum", silence.Matchers{Team: "platform"}, 9000 * time.Hour, 0, 0},
		{"no matchers", silence.Matchers{}, time.Hour, 72 * time.Hour, 1},
		{"only wildcards", silence.Matchers{Class: "*", Region: "**"}, time.Hour, 72 * time.Hour, 1},
		{"a wildcard with a prefix", silence.Matchers{Class: "ops.*"}, time.Hour, 72 * time.Hour, 0},
		{"a required tag", silence.Matchers{Class: "*", Tags: map[string]string{"workload": "*"}}, time.Hour, 72 * time.Hour, 0},
		{"everything, for a month", silence.Matchers{Class: "*"}, 31 * 24 * time.Hour, 72 * time.Hour, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := silence.Silence{Matchers: tt.m, Starts: start, Ends: start.Add(tt.last)}
			if got := s.NeedsForce(tt.max); len(got) != tt.want {
				t.Errorf("NeedsForce(%s) = %q; want %d reasons", tt.max, got, tt.want)
			}
		})
	}
	forced := silence.Silence{ID: "sil-x", Comment: "evacuating a region", Starts: start, Ends: start.Add(time.Hour),
		Forced: &silence.Forced{By: "alice", Reasons: []string{"its matchers select every incident"}}}
	if err := forced.Validate(); err != nil {
		t.Errorf("Validate(forced silence of everything) = %v; want nil", err)
	}
	forced.Forced = nil
	if err := forced.Validate(); err == nil || !strings.Contains(err.Error(), "matchers: at least one is required") {
		t.Errorf("Validate(unforced silence of everything) = %v; want the matchers error", err)
	}
}
