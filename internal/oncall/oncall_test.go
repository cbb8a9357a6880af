package oncall_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/oncall"
)

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func compiled(t *testing.T, s *oncall.Schedule) *oncall.Schedule {
	t.Helper()
	if probs := s.Compile(nil); len(probs) > 0 {
		t.Fatalf("Compile = %v", probs)
	}
	return s
}

// Schedules of the table tests. Berlin switches to summer time on 2026-03-29 and back on
// 2026-10-25; New York on 2026-03-08 and 2026-11-01.
func schedules(t *testing.T) map[string]*oncall.Schedule {
	return map[string]*oncall.Schedule{
		// Weekly, Monday 09:00 Berlin: alice from 2026-03-02, bob, carol, alice …
		"berlin-weekly": compiled(t, &oncall.Schedule{Layers: []*oncall.Layer{{
			Members: []string{"alice", "bob", "carol"}, Every: "week", Days: []string{"mon"},
			HandOff: "09:00", TimeZone: "Europe/Berlin", Start: "2026-03-02"}}}),
		// Daily 09:00 New York: dan from 2026-03-06, erin, dan …
		"ny-daily": compiled(t, &oncall.Schedule{Layers: []*oncall.Layer{{
			Members: []string{"dan", "erin"}, Every: "day",
			HandOff: "09:00", TimeZone: "America/New_York", Start: "2026-03-06"}}}),
		// Berlin weekly under a New York business-hours layer (follow the sun).
		"follow-the-sun": compiled(t, &oncall.Schedule{Layers: []*oncall.Layer{
			{Name: "base", Members: []string{"alice", "bob"}, Every: "week",
				HandOff: "09:00", TimeZone: "Europe/Berlin", Start: "2026-03-02"},
			{Name: "ny-hours", Members: []string{"dan"}, Every: "week",
				HandOff: "09:00", TimeZone: "America/New_York", Start: "2026-03-02",
				Restrictions: []oncall.Restriction{{Days: []string{"mon", "tue", "wed", "thu", "fri"}, From: "09:00", To: "17:00"}}},
		}}),
		// The same, cumulative: everyone on call in any layer is (Opsgenie, Incident Manager).
		"cumulative": compiled(t, &oncall.Schedule{Combine: "all", Layers: []*oncall.Layer{
			{Name: "base", Members: []string{"alice", "bob"}, Every: "week",
				HandOff: "09:00", TimeZone: "Europe/Berlin", Start: "2026-03-02"},
			{Name: "ny-hours", Members: []string{"dan"}, Every: "week",
				HandOff: "09:00", TimeZone: "America/New_York", Start: "2026-03-02",
				Restrictions: []oncall.Restriction{{Days: []string{"mon", "tue", "wed", "thu", "fri"}, From: "09:00", To: "17:00"}}},
		}}),
		// Two at once, daily at midnight UTC.
		"pairs": compiled(t, &oncall.Schedule{Layers: []*oncall.Layer{{
			Members: []string{"a", "b", "c"}, Every: "day", OnCall: 2, TimeZone: "UTC", Start: "2026-01-01"}}}),
		// Every two weeks, hand-offs on Monday and Thursday at 10:00 UTC.
		"twice-fortnightly": compiled(t, &oncall.Schedule{Layers: []*oncall.Layer{{
			Members: []string{"a", "b"}, Every: "week", Interval: 2, Days: []string{"thu", "mon"},
			HandOff: "10:00", TimeZone: "UTC", Start: "2026-01-05"}}}),
		// Monthly on the 31st (clamped to the month's last day), 08:00 Berlin.
		"monthly": compiled(t, &oncall.Schedule{Layers: []*oncall.Layer{{
			Members: []string{"a", "b"}, Every: "month", DayOfMonth: 31,
			HandOff: "08:00", TimeZone: "Europe/Berlin", Start: "2026-01-31"}}}),
		// Night shifts across midnight, a start mid-shift and an end.
		"nights": compiled(t, &oncall.Schedule{Layers: []*oncall.Layer{{
			Members: []string{"a", "b"}, Every: "day", HandOff: "00:00", TimeZone: "UTC",
			Start: "2026-01-05T06:00", End: "2026-01-10",
			Restrictions: []oncall.Restriction{{Days: []string{"mon", "tue", "wed", "thu", "fri"}, From: "22:00", To: "06:00"}}}}}),
	}
}

var overrides = []oncall.Override{
	{ID: "vacation", Schedule: "berlin-weekly", Contact: "zoe", Start: ts("2026-03-04T12:00:00Z"), End: ts("2026-03-05T12:00:00Z")},
	{ID: "swap", Schedule: "follow-the-sun", Layer: "ny-hours", Contact: "frank", Start: ts("2026-06-03T00:00:00Z"), End: ts("2026-06-04T00:00:00Z")},
	{ID: "swap", Schedule: "cumulative", Layer: "ny-hours", Contact: "frank", Start: ts("2026-06-03T00:00:00Z"), End: ts("2026-06-04T00:00:00Z")},
	{ID: "other", Schedule: "ny-daily", Contact: "zoe", Start: ts("2020-01-01T00:00:00Z"), End: ts("2020-01-02T00:00:00Z")},
}

func TestAt(t *testing.T) {
	scheds := schedules(t)
	tests := []struct {
		name, schedule, at string
		want               []string
		start, end         string
	}{
		{"berlin first shift", "berlin-weekly", "2026-03-02T08:00:00Z", []string{"alice"}, "2026-03-02T08:00:00Z", "2026-03-04T12:00:00Z"},
		{"berlin before start", "berlin-weekly", "2026-03-02T07:59:00Z", []string{}, "", ""},
		{"berlin override", "berlin-weekly", "2026-03-05T11:59:00Z", []string{"zoe"}, "2026-03-04T12:00:00Z", "2026-03-05T12:00:00Z"},
		{"berlin after override", "berlin-weekly", "2026-03-05T12:00:00Z", []string{"alice"}, "2026-03-05T12:00:00Z", "2026-03-09T08:00:00Z"},
		{"berlin hand-off minute before", "berlin-weekly", "2026-03-09T07:59:59Z", []string{"alice"}, "2026-03-05T12:00:00Z", "2026-03-09T08:00:00Z"},
		{"berlin hand-off", "berlin-weekly", "2026-03-09T08:00:00Z", []string{"bob"}, "2026-03-09T08:00:00Z", "2026-03-16T08:00:00Z"},
		// The shift across the March switch: 09:00 CET to 09:00 CEST, 167 hours.
		{"berlin across spring switch", "berlin-weekly", "2026-03-29T12:00:00Z", []string{"alice"}, "2026-03-23T08:00:00Z", "2026-03-30T07:00:00Z"},
		{"berlin after spring switch", "berlin-weekly", "2026-03-30T07:00:00Z", []string{"bob"}, "2026-03-30T07:00:00Z", "2026-04-06T07:00:00Z"},
		// 33 weeks after 2026-03-02: alice again, 09:00 CEST to 09:00 CET, 169 hours.
		{"berlin across autumn switch", "berlin-weekly", "2026-10-26T07:30:00Z", []string{"alice"}, "2026-10-19T07:00:00Z", "2026-10-26T08:00:00Z"},
		{"berlin after autumn switch", "berlin-weekly", "2026-10-26T08:00:00Z", []string{"bob"}, "2026-10-26T08:00:00Z", "2026-11-02T08:00:00Z"},
		{"ny before spring switch", "ny-daily", "2026-03-08T12:59:00Z", []string{"erin"}, "2026-03-07T14:00:00Z", "2026-03-08T13:00:00Z"},
		{"ny after spring switch", "ny-daily", "2026-03-08T13:00:00Z", []string{"dan"}, "2026-03-08T13:00:00Z", "2026-03-09T13:00:00Z"},
		{"ny autumn switch day", "ny-daily", "2026-11-01T13:30:00Z", []string{"erin"}, "2026-10-31T13:00:00Z", "2026-11-01T14:00:00Z"},
		{"ny after autumn switch", "ny-daily", "2026-11-01T14:00:00Z", []string{"dan"}, "2026-11-01T14:00:00Z", "2026-11-02T14:00:00Z"},
		// 3653 days (three leap days) after the start: an odd shift.
		{"ny years later", "ny-daily", "2036-03-06T14:00:00Z", []string{"erin"}, "2036-03-06T14:00:00Z", "2036-03-07T14:00:00Z"},
		// 2026-06-02 is a Tuesday: New York business hours are 13:00Z-21:00Z in summer.
		{"restricted layer on top", "follow-the-sun", "2026-06-02T14:00:00Z", []string{"dan"}, "2026-06-02T13:00:00Z", "2026-06-02T21:00:00Z"},
		{"base layer outside hours", "follow-the-sun", "2026-06-02T21:00:00Z", []string{"bob"}, "2026-06-02T21:00:00Z", "2026-06-03T00:00:00Z"},
		{"layer override", "follow-the-sun", "2026-06-03T14:00:00Z", []string{"frank"}, "2026-06-03T00:00:00Z", "2026-06-04T00:00:00Z"},
		{"saturday: base layer", "follow-the-sun", "2026-06-06T15:00:00Z", []string{"bob"}, "2026-06-05T21:00:00Z", "2026-06-08T07:00:00Z"},
		{"cumulative: both layers", "cumulative", "2026-06-02T14:00:00Z", []string{"bob", "dan"}, "2026-06-02T13:00:00Z", "2026-06-02T21:00:00Z"},
		{"cumulative: base alone", "cumulative", "2026-06-02T22:00:00Z", []string{"bob"}, "2026-06-02T21:00:00Z", "2026-06-03T00:00:00Z"},
		{"cumulative: layer override replaces its layer only", "cumulative", "2026-06-03T05:00:00Z", []string{"bob", "frank"}, "2026-06-03T00:00:00Z", "2026-06-04T00:00:00Z"},
		{"pairs day 0", "pairs", "2026-01-01T05:00:00Z", []string{"a", "b"}, "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z"},
		{"pairs day 1", "pairs", "2026-01-02T05:00:00Z", []string{"c", "a"}, "2026-01-02T00:00:00Z", "2026-01-03T00:00:00Z"},
		{"pairs day 2", "pairs", "2026-01-03T05:00:00Z", []string{"b", "c"}, "2026-01-03T00:00:00Z", "2026-01-04T00:00:00Z"},
		{"fortnight monday", "twice-fortnightly", "2026-01-06T00:00:00Z", []string{"a"}, "2026-01-05T10:00:00Z", "2026-01-08T10:00:00Z"},
		{"fortnight thursday to monday two weeks on", "twice-fortnightly", "2026-01-15T00:00:00Z", []string{"b"}, "2026-01-08T10:00:00Z", "2026-01-19T10:00:00Z"},
		{"fortnight next period", "twice-fortnightly", "2026-01-19T10:00:00Z", []string{"a"}, "2026-01-19T10:00:00Z", "2026-01-22T10:00:00Z"},
		{"monthly january", "monthly", "2026-02-15T00:00:00Z", []string{"a"}, "2026-01-31T07:00:00Z", "2026-02-28T07:00:00Z"},
		{"monthly clamped to february 28", "monthly", "2026-02-28T07:00:00Z", []string{"b"}, "2026-02-28T07:00:00Z", "2026-03-31T06:00:00Z"},
		{"night window", "nights", "2026-01-06T23:00:00Z", []string{"b"}, "2026-01-06T22:00:00Z", "2026-01-07T00:00:00Z"},
		{"night window after hand-off", "nights", "2026-01-07T01:00:00Z", []string{"a"}, "2026-01-07T00:00:00Z", "2026-01-07T06:00:00Z"},
		{"nights: day is a gap", "nights", "2026-01-07T12:00:00Z", []string{}, "2026-01-07T06:00:00Z", "2026-01-07T22:00:00Z"},
		{"nights: first shift starts mid-day", "nights", "2026-01-05T22:30:00Z", []string{"a"}, "2026-01-05T22:00:00Z", "2026-01-06T00:00:00Z"},
		{"nights: ended", "nights", "2026-01-12T23:00:00Z", []string{}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := oncall.At(tt.schedule, scheds[tt.schedule], overrides, ts(tt.at))
			if err != nil {
				t.Fatalf("At(%s, %s) = %v", tt.schedule, tt.at, err)
			}
			if !slices.Equal(got.Contacts, tt.want) {
				t.Errorf("At(%s, %s) = %v; want %v", tt.schedule, tt.at, got.Contacts, tt.want)
			}
			if tt.start != "" && (!got.Start.Equal(ts(tt.start)) || !got.End.Equal(ts(tt.end))) {
				t.Errorf("At(%s, %s) shift = %s to %s; want %s to %s", tt.schedule, tt.at,
					got.Start.UTC().Format(time.RFC3339), got.End.UTC().Format(time.RFC3339), tt.start, tt.end)
			}
		})
	}
}

// TestCoverageProperty: for gap-free schedules every instant of a week, sampled every
// 15 minutes, has exactly the expected number of people on call, whether asked one
// instant at a time or as a timeline — in DST weeks of two time zones too.
func TestCoverageProperty(t *testing.T) {
	tests := []struct {
		name  string
		s     *oncall.Schedule
		want  int
		weeks []string
	}{
		{"berlin weekly, one at a time", &oncall.Schedule{Layers: []*oncall.Layer{{
			Members: []string{"a", "b", "c"}, Every: "week", HandOff: "09:00", TimeZone: "Europe/Berlin", Start: "2026-01-05"}}}, 1,
			[]string{"2026-03-26T00:00:00Z", "2026-10-22T00:00:00Z"}},
		{"new york daily at 02:30 (inside the spring gap), two at a time", &oncall.Schedule{Layers: []*oncall.Layer{{
			Members: []string{"a", "b", "c", "d"}, Every: "day", OnCall: 2, HandOff: "02:30", TimeZone: "America/New_York", Start: "2026-01-01"}}}, 2,
			[]string{"2026-03-05T00:00:00Z", "2026-10-29T00:00:00Z"}},
		{"follow the sun: two restricted layers over a base", &oncall.Schedule{Layers: []*oncall.Layer{
			{Members: []string{"a", "b"}, Every: "week", TimeZone: "UTC", Start: "2026-01-05"},
			{Members: []string{"c", "d"}, Every: "day", Interval: 3, HandOff: "09:00", TimeZone: "Europe/Berlin", Start: "2026-01-05",
				Restrictions: []oncall.Restriction{{Days: []string{"mon", "tue", "wed", "thu", "fri"}, From: "09:00", To: "17:00"}}},
			{Members: []string{"e", "f", "g"}, Every: "hour", Interval: 8, TimeZone: "America/New_York", Start: "2026-01-05T01:00",
				Restrictions: []oncall.Restriction{{Days: []string{"sat", "sun"}, From: "20:00", To: "04:00"}}},
		}}, 1, []string{"2026-03-05T00:00:00Z", "2026-03-26T00:00:00Z", "2026-10-29T00:00:00Z"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := compiled(t, tt.s)
			for _, w := range tt.weeks {
				from := ts(w)
				to := from.Add(7 * 24 * time.Hour)
				tl, err := oncall.Timeline("s", s, nil, from, to)
				if err != nil {
					t.Fatalf("Timeline = %v", err)
				}
				if len(tl) == 0 || !tl[0].Start.Equal(from) || !tl[len(tl)-1].End.Equal(to) {
					t.Fatalf("Timeline(%s) = %v; want shifts covering the week", w, tl)
				}
				for i := 1; i < len(tl); i++ {
					if !tl[i].Start.Equal(tl[i-1].End) {
						t.Fatalf("Timeline(%s): shift %d starts %s, previous ends %s; want touching", w, i, tl[i].Start, tl[i-1].End)
					}
				}
				for at := from; at.Before(to); at = at.Add(15 * time.Minute) {
					got, err := oncall.At("s", s, nil, at)
					if err != nil {
						t.Fatalf("At(%s) = %v", at, err)
					}
					if len(got.Contacts) != tt.want {
						t.Fatalf("At(%s) = %v; want %d people", at.Format(time.RFC3339), got.Contacts, tt.want)
					}
					if at.Before(got.Start) || !at.Before(got.End) {
						t.Fatalf("At(%s) shift %s to %s does not contain it", at.Format(time.RFC3339), got.Start, got.End)
					}
					i, _ := slices.BinarySearchFunc(tl, at, func(sh oncall.Shift, t time.Time) int {
						if !sh.End.After(t) {
							return -1
						}
						if sh.Start.After(t) {
							return 1
						}
						return 0
					})
					if !slices.Equal(tl[i].Contacts, got.Contacts) {
						t.Fatalf("At(%s) = %v; the timeline says %v", at.Format(time.RFC3339), got.Contacts, tl[i].Contacts)
					}
				}
			}
			if at, gap, err := oncall.FirstGap("s", s, nil, s.Start(), s.Start().Add(s.Cycle())); err != nil || gap {
				t.Errorf("FirstGap = %s, %v, %v; want none", at, gap, err)
			}
		})
	}
}

func TestTimelineIndependentOfWindow(t *testing.T) {
	s := schedules(t)["follow-the-sun"]
	whole, err := oncall.Timeline("follow-the-sun", s, overrides, ts("2026-06-01T00:00:00Z"), ts("2026-06-15T00:00:00Z"))
	if err != nil {
		t.Fatal(err)
	}
	for _, cut := range []string{"2026-06-03T05:17:00Z", "2026-06-08T07:00:00Z", "2026-06-10T13:00:00Z"} {
		a, _ := oncall.Timeline("follow-the-sun", s, overrides, ts("2026-06-01T00:00:00Z"), ts(cut))
		b, _ := oncall.Timeline("follow-the-sun", s, overrides, ts(cut), ts("2026-06-15T00:00:00Z"))
		joined := append(a, b...)
		for i, sh := range whole {
			for _, p := range joined {
				if p.Start.Before(sh.End) && sh.Start.Before(p.End) && !slices.Equal(p.Contacts, sh.Contacts) {
					t.Errorf("cut at %s: shift %d %v; the split timeline says %v from %s", cut, i, sh.Contacts, p.Contacts, p.Start)
				}
			}
		}
	}
}

func TestCompileProblems(t *testing.T) {
	known := func(id string) bool { return id == "alice" || id == "bob" }
	tests := []struct {
		name  string
		layer oncall.Layer
		want  string
	}{
		{"unknown member", oncall.Layer{Members: []string{"alice", "mallory"}, Every: "day", TimeZone: "UTC", Start: "2026-01-01"}, `layers[0].members[1]: "mallory" is not a contact`},
		{"bad zone", oncall.Layer{Members: []string{"alice"}, Every: "day", TimeZone: "CEST", Start: "2026-01-01"}, `layers[0].time_zone: "CEST" is not an IANA time zone`},
		{"bad unit", oncall.Layer{Members: []string{"alice"}, Every: "fortnight", TimeZone: "UTC", Start: "2026-01-01"}, `layers[0].every: "fortnight" is not hour, day, week or month`},
		{"bad hand-off", oncall.Layer{Members: []string{"alice"}, Every: "day", HandOff: "9am", TimeZone: "UTC", Start: "2026-01-01"}, `layers[0].hand_off: "9am" is not a time like 09:00`},
		{"bad day", oncall.Layer{Members: []string{"alice"}, Every: "week", Days: []string{"mon", "funday"}, TimeZone: "UTC", Start: "2026-01-01"}, `layers[0].days[1]: "funday" is not one of mon`},
		{"missing start", oncall.Layer{Members: []string{"alice"}, Every: "day", TimeZone: "UTC"}, `layers[0].start: missing`},
		{"bad start", oncall.Layer{Members: []string{"alice"}, Every: "day", TimeZone: "UTC", Start: "yesterday"}, `layers[0].start: "yesterday" is not a date`},
		{"end before start", oncall.Layer{Members: []string{"alice"}, Every: "day", TimeZone: "UTC", Start: "2026-01-02", End: "2026-01-01"}, `layers[0].end: 2026-01-01 is not after start`},
		{"too many at once", oncall.Layer{Members: []string{"alice", "bob", "alice"}, Every: "day", OnCall: 3, TimeZone: "UTC", Start: "2026-01-01"}, `layers[0].on_call: 3 is not between 1 and the 2 distinct members`},
		{"restriction", oncall.Layer{Members: []string{"alice"}, Every: "day", TimeZone: "UTC", Start: "2026-01-01",
			Restrictions: []oncall.Restriction{{Days: []string{"mon"}, From: "25:00", To: "17:00"}}}, `layers[0].restrictions[0].from: "25:00" is not a time`},
		{"hand-off of an hourly layer", oncall.Layer{Members: []string{"alice"}, Every: "hour", HandOff: "09:00", TimeZone: "UTC", Start: "2026-01-01"}, `layers[0].hand_off: hourly layers`},
		{"days on a daily layer", oncall.Layer{Members: []string{"alice"}, Every: "day", Days: []string{"mon"}, TimeZone: "UTC", Start: "2026-01-01"}, `layers[0].days: only weekly layers`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := tt.layer
			s := &oncall.Schedule{Layers: []*oncall.Layer{&l}}
			probs := s.Compile(known)
			var msgs []string
			for _, p := range probs {
				msgs = append(msgs, p.Error())
			}
			if !strings.Contains(strings.Join(msgs, "\n"), tt.want) {
				t.Errorf("Compile(%s) = %q; want %q", tt.name, msgs, tt.want)
			}
			if _, err := oncall.At("s", s, nil, ts("2026-01-05T00:00:00Z")); err == nil {
				t.Errorf("At(invalid schedule) = nil error; want one")
			}
		})
	}
}

func TestICS(t *testing.T) {
	shifts := []oncall.Shift{
		{Schedule: "platform-primary", Contacts: []string{"alice"}, Start: ts("2026-03-02T08:00:00Z"), End: ts("2026-03-09T08:00:00Z")},
		{Schedule: "platform-primary", Contacts: []string{}, Start: ts("2026-03-09T08:00:00Z"), End: ts("2026-03-09T09:00:00Z")},
		{Schedule: "platform-primary", Contacts: []string{"bob", "carol"}, Start: ts("2026-03-09T09:00:00Z"), End: ts("2026-03-16T08:00:00Z")},
	}
	names := map[string]string{"alice": "Alice Müller, SRE; Berlin", "bob": "Bob"}
	got := oncall.ICS("platform-primary", shifts, func(id string) string { return names[id] }, ts("2026-03-01T00:00:00Z"))
	if !strings.HasPrefix(got, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n") || !strings.HasSuffix(got, "END:VCALENDAR\r\n") {
		t.Errorf("ICS = %q; want a VCALENDAR with CRLF lines", got)
	}
	if n := strings.Count(got, "BEGIN:VEVENT"); n != 3 {
		t.Errorf("ICS has %d events; want 3 (one per person per shift, none for the gap)", n)
	}
	for _, want := range []string{"DTSTART:20260302T080000Z\r\n", "DTEND:20260309T080000Z\r\n", "DTSTAMP:20260301T000000Z\r\n",
		`SUMMARY:On call: Alice Müller\, SRE\; Berlin (platform-primary)`, "SUMMARY:On call: carol (platform-primary)",
		"UID:platform-primary-20260309T090000Z-bob@firebreak"} {
		if !strings.Contains(got, want) {
			t.Errorf("ICS lacks %q:\n%s", want, got)
		}
	}
	for _, line := range strings.Split(strings.TrimSuffix(got, "\r\n"), "\r\n") {
		if len(line) > 75 {
			t.Errorf("ICS line of %d octets > 75: %q", len(line), line)
		}
		if strings.Contains(line, "\n") || strings.Contains(line, "\r") {
			t.Errorf("ICS line has a bare line break: %q", line)
		}
	}
	unfolded := strings.ReplaceAll(got, "\r\n ", "")
	if !strings.Contains(unfolded, `DESCRIPTION:Alice Müller\, SRE\; Berlin is on call for platform-primary from 2026-03-02T08:00:00Z to 2026-03-09T08:00:00Z.\nContact id: alice`) {
		t.Errorf("unfolded ICS lacks the escaped description:\n%s", unfolded)
	}
}

func TestFoldNeverSplitsACharacter(t *testing.T) {
	long := strings.Repeat("ü", 100)
	got := oncall.ICS(long, nil, nil, ts("2026-03-01T00:00:00Z"))
	for _, line := range strings.Split(got, "\r\n") {
		if len(line) > 75 {
			t.Errorf("line of %d octets", len(line))
		}
		if !strings.HasPrefix(line, " ") && strings.ContainsRune(line, '\uFFFD') {
			t.Errorf("split character in %q", line)
		}
	}
	if !strings.Contains(strings.ReplaceAll(got, "\r\n ", ""), "X-WR-CALNAME:On call: "+long+"\r\n") {
		t.Errorf("unfolded calendar name is not the original")
	}
}
