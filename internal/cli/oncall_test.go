package cli_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak"
)

// writeOncallConfig writes the shipped configuration plus a known schedule.
func writeOncallConfig(t *testing.T) string {
	t.Helper()
	extra := strings.Replace(string(firebreak.ConfigBytes()), "schedules:\n", `schedules:
  test-weekly:
    layers:
      - members: [alice, bob]
        every: week
        days: [mon]
        hand_off: "09:00"
        time_zone: Europe/Berlin
        start: 2026-03-02
`, 1)
	return writeConfig(t, []byte(extra))
}

type onCallEntry struct {
	Schedule, Contact, Start, End string
}

func onCallJSON(t *testing.T, args ...string) []onCallEntry {
	t.Helper()
	code, out, errs := run(t, "", args...)
	if code != 0 {
		t.Fatalf("%v: exit %d, stderr %s", args, code, errs)
	}
	var got []onCallEntry
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v printed %q: %v", args, out, err)
	}
	for _, e := range got {
		for _, ts := range []string{e.Start, e.End} {
			if _, err := time.Parse(time.RFC3339, ts); err != nil {
				t.Errorf("%v: %q is not RFC 3339", args, ts)
			}
		}
	}
	return got
}

func TestOncallAtTime(t *testing.T) {
	cfg := writeOncallConfig(t)
	tests := []struct {
		at, want, start, end string
	}{
		{"2026-03-09T07:59:00Z", "alice", "2026-03-02T08:00:00Z", "2026-03-09T08:00:00Z"},
		{"2026-03-09T08:00:00Z", "bob", "2026-03-09T08:00:00Z", "2026-03-16T08:00:00Z"},
		{"2026-03-30T06:59:00+00:00", "bob", "2026-03-23T08:00:00Z", "2026-03-30T07:00:00Z"}, // across the switch to CEST
	}
	for _, tt := range tests {
		t.Run(tt.at, func(t *testing.T) {
			got := onCallJSON(t, "oncall", "test-weekly", "--at", tt.at, "--json", "--config", cfg)
			if len(got) != 1 || got[0] != (onCallEntry{"test-weekly", tt.want, tt.start, tt.end}) {
				t.Errorf("oncall test-weekly --at %s = %+v; want %s from %s to %s", tt.at, got, tt.want, tt.start, tt.end)
			}
		})
	}
}

// The shipped configuration's weekly rotation hands over: a week later someone else is
// on call for platform-primary.
func TestShippedScheduleRotatesWeekly(t *testing.T) {
	cfg, err := firebreak.Config()
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Warnings) > 0 {
		t.Errorf("firebreak.yaml warnings: %v", cfg.Warnings)
	}
	for _, at := range []string{"2026-12-01T03:00:00Z", "2027-02-10T23:00:00Z"} {
		t0, _ := time.Parse(time.RFC3339, at)
		a := onCallJSON(t, "oncall", "platform-primary", "--at", at, "--json")
		b := onCallJSON(t, "oncall", "platform-primary", "--at", t0.AddDate(0, 0, 7).Format(time.RFC3339), "--json")
		if len(a) != 1 || len(b) != 1 || a[0].Contact == b[0].Contact || a[0].Contact == "" {
			t.Errorf("oncall platform-primary at %s and a week later = %+v, %+v; want two different people", at, a, b)
		}
	}
}

func TestOncallShiftsAndICS(t *testing.T) {
	cfg := writeOncallConfig(t)
	code, out, errs := run(t, "", "oncall", "shifts", "test-weekly", "--from", "2026-03-01", "--to", "2026-03-17", "--json", "--config", cfg)
	if code != 0 {
		t.Fatalf("oncall shifts: exit %d, %s", code, errs)
	}
	var shifts []struct {
		Contacts   []string
		Start, End time.Time
	}
	if err := json.Unmarshal([]byte(out), &shifts); err != nil {
		t.Fatalf("oncall shifts --json printed %q: %v", out, err)
	}
	want := []string{"", "alice", "bob", "alice"} // a gap before the start
	if len(shifts) != len(want) {
		t.Fatalf("oncall shifts = %+v; want %d shifts", shifts, len(want))
	}
	for i, w := range want {
		if got := strings.Join(shifts[i].Contacts, ","); got != w {
			t.Errorf("shift %d = %q; want %q", i, got, w)
		}
	}
	code, out, errs = run(t, "", "oncall", "ics", "test-weekly", "--from", "2026-03-01", "--to", "2026-03-17", "--config", cfg)
	if code != 0 || !strings.HasPrefix(out, "BEGIN:VCALENDAR\r\n") || strings.Count(out, "BEGIN:VEVENT") != 3 ||
		!strings.Contains(out, "DTSTART:20260309T080000Z\r\nDTEND:20260316T080000Z\r\nSUMMARY:On call: Bob Okafor (test-weekly)") {
		t.Errorf("oncall ics = %d %q %s; want a calendar of three shifts with Bob's", code, out, errs)
	}
}

func TestOncallErrors(t *testing.T) {
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"oncall", "nope"}, 1, `"nope" is not a schedule (schedules: platform-primary, platform-secondary)`},
		{[]string{"oncall", "--at", "tuesday"}, 2, `--at: "tuesday" is not a time`},
		{[]string{"oncall", "shifts", "platform-primary"}, 2, "want one SCHEDULE, --from and --to"},
		{[]string{"oncall", "shifts", "platform-primary", "--from", "2026-03-02", "--to", "2026-03-01"}, 2, "is not after --from"},
		{[]string{"oncall", "ics"}, 2, "want one SCHEDULE"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, _, errs := run(t, "", tt.args...)
			if code != tt.code || !strings.Contains(errs, tt.want) {
				t.Errorf("%v = exit %d, %q; want exit %d and %q", tt.args, code, errs, tt.code, tt.want)
			}
		})
	}
	code, out, _ := run(t, "", "oncall", "help")
	if code != 0 || !strings.Contains(out, "--api") {
		t.Errorf("oncall help = %d %q; want the usage with the --api variants", code, out)
	}
}
