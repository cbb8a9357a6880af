package cli_test

import (
	"strings"
	"testing"
	"time"
)

// TestSilenceListShowsConfiguredWindows: `silence list` shows the configuration's planned
// windows, with their next occurrence, beside those made through the API.
func TestSilenceListShowsConfiguredWindows(t *testing.T) {
	s := serve(t, samples+"/cloudtrail/stop-logging.json")
	s.ok(t, "silence", "add", "--match", "team=platform", "--for", "2h", "--comment", "deploy window")
	out := s.ok(t, "silence", "list", "--wide") // one line each; in 120 columns the free text has a line of its own
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "ID") || !strings.Contains(lines[0], "ORIGIN") || !strings.Contains(lines[0], "REPEATS") {
		t.Fatalf("silence list =\n%s\nwant a header, the configured window and the API's silence", out)
	}
	cfgLine, apiLine := lines[1], lines[2]
	f := strings.Fields(cfgLine)
	if len(f) < 6 || f[0] != "batch-fleet-patching" || f[1] != "config" || !strings.Contains(cfgLine, "weekly sun 02:00 for 3h UTC") {
		t.Fatalf("configured window line = %q; want batch-fleet-patching, config, weekly sun 02:00 for 3h UTC", cfgLine)
	}
	starts, err1 := time.Parse("2006-01-02 15:04:05Z", f[3]+" "+f[4])
	ends, err2 := time.Parse("2006-01-02 15:04:05Z", f[5]+" "+f[6])
	if err1 != nil || err2 != nil || starts.Weekday() != time.Sunday || starts.Hour() != 2 || starts.Minute() != 0 || ends.Sub(starts) != 3*time.Hour {
		t.Errorf("configured window line = %q; want its next (or current) occurrence: a Sunday 02:00 UTC, for 3h", cfgLine)
	}
	if g := strings.Fields(apiLine); len(g) < 3 || g[1] != "api" || g[2] != "active" || !strings.Contains(apiLine, "local:tester") {
		t.Errorf("API silence line = %q; want origin api, active, by local:tester", apiLine)
	}
	// In 120 columns: each silence's line, then its matchers, who and why, indented.
	narrow := strings.Split(strings.TrimSpace(s.ok(t, "silence", "list")), "\n")
	if len(narrow) != 5 || narrow[1] != strings.TrimRight(cfgLine[:len(narrow[1])], " ") || !strings.HasPrefix(narrow[2], "  class=") ||
		!strings.HasPrefix(narrow[4], "  team=platform · by local:tester · deploy window") {
		t.Errorf("silence list =\n%s\nwant each silence's line and under it its matchers, who and why", strings.Join(narrow, "\n"))
	}
}
