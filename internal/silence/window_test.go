package silence_test

import (
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/silence"
)

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestWindow: the window in force, else the next one; weekly occurrences across
// midnight and DST, merged when they overlap, bounded by Starts and Ends.
func TestWindow(t *testing.T) {
	weekly := func(days []string, start, dur, tz string) silence.Silence {
		return silence.Silence{ID: "w", Comment: "c", Matchers: silence.Matchers{Team: "web"},
			Weekly: &silence.Weekly{Days: days, Start: start, Duration: dur, TimeZone: tz}}
	}
	london := weekly([]string{"sat"}, "22:00", "8h", "Europe/London")
	sunday := weekly([]string{"sun"}, "02:00", "3h", "UTC")
	overlapping := weekly([]string{"mon", "tue"}, "12:00", "30h", "UTC") // Mon 12:00 → Tue 18:00, Tue 12:00 → Wed 18:00
	bounded := sunday
	bounded.Ends = at("2026-11-08T04:00:00Z")
	oneOff := silence.Silence{ID: "o", Comment: "c", Matchers: silence.Matchers{Team: "web"}, Starts: at("2026-11-02T10:00:00Z"), Ends: at("2026-11-02T12:00:00Z")}
	tests := []struct {
		name       string
		s          silence.Silence
		t          string
		starts     string
		ends       string
		ok, active bool
	}{
		{"weekly before", sunday, "2026-11-04T09:00:00Z", "2026-11-08T02:00:00Z", "2026-11-08T05:00:00Z", true, false},
		{"weekly inside", sunday, "2026-11-08T03:00:00Z", "2026-11-08T02:00:00Z", "2026-11-08T05:00:00Z", true, true},
		{"weekly at its end: the next week", sunday, "2026-11-08T05:00:00Z", "2026-11-15T02:00:00Z", "2026-11-15T05:00:00Z", true, false},
		{"across midnight, winter", london, "2026-11-08T01:00:00Z", "2026-11-07T22:00:00Z", "2026-11-08T06:00:00Z", true, true},
		{"across midnight, summer (BST)", london, "2026-07-04T23:00:00Z", "2026-07-04T21:00:00Z", "2026-07-05T05:00:00Z", true, true},
		{"the night the clocks go back: 8h elapsed", london, "2026-10-24T23:00:00Z", "2026-10-24T21:00:00Z", "2026-10-25T05:00:00Z", true, true},
		{"overlapping occurrences are one window", overlapping, "2026-11-03T13:00:00Z", "2026-11-02T12:00:00Z", "2026-11-04T18:00:00Z", true, true},
		{"bounded by ends", bounded, "2026-11-08T03:00:00Z", "2026-11-08T02:00:00Z", "2026-11-08T04:00:00Z", true, true},
		{"bounded: over for good", bounded, "2026-11-08T04:00:00Z", "", "", false, false},
		{"one-off before", oneOff, "2026-11-02T09:00:00Z", "2026-11-02T10:00:00Z", "2026-11-02T12:00:00Z", true, false},
		{"one-off inside", oneOff, "2026-11-02T11:00:00Z", "2026-11-02T10:00:00Z", "2026-11-02T12:00:00Z", true, true},
		{"one-off over", oneOff, "2026-11-02T12:00:00Z", "", "", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := at(tt.t)
			w, ok := tt.s.Window(now)
			if ok != tt.ok {
				t.Fatalf("Window(%s) ok = %v; want %v", tt.t, ok, tt.ok)
			}
			if !ok {
				return
			}
			if !w.Starts.Equal(at(tt.starts)) || !w.Ends.Equal(at(tt.ends)) {
				t.Errorf("Window(%s) = %s → %s; want %s → %s", tt.t, w.Starts.Format(time.RFC3339), w.Ends.Format(time.RFC3339), tt.starts, tt.ends)
			}
			if got := tt.s.Active(now); got != tt.active {
				t.Errorf("Active(%s) = %v; want %v (as the window says)", tt.t, got, tt.active)
			}
			end, ok := tt.s.End(now)
			if ok != tt.active || (ok && !end.Equal(at(tt.ends))) {
				t.Errorf("End(%s) = %v, %v; want %s, %v", tt.t, end, ok, tt.ends, tt.active)
			}
		})
	}
}
