package cli_test

import (
	"strings"
	"testing"
	"time"
)

// The proof: one alarm that triggers and recovers 20 minutes later reports a
// mean time to mitigate of 1200 seconds for its severity (and to resolve, 1200 s plus
// the 30 minutes of quiet auto-resolve waits); severities with no incident say nothing.
func TestReplayReportsTimeToMitigate(t *testing.T) {
	t0 := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	in := alarmLine("a1", "prod-db-1", "ALARM", t0) + "\n" + alarmLine("a2", "prod-db-1", "OK", t0.Add(20*time.Minute)) + "\n"
	m := replayJSON(t, in, "--until", "2h", "-")
	list, _ := m["incident_list"].([]any)
	if len(list) != 1 {
		t.Fatalf("replay incident_list = %v; want one incident", m["incident_list"])
	}
	sev, _ := list[0].(map[string]any)["severity"].(string)
	rep, _ := m["report"].(map[string]any)
	got, _ := rep[sev].(map[string]any)
	if got["mttm_seconds"] != 1200.0 {
		t.Errorf("replay --json report.%s.mttm_seconds = %v; want 1200 (report %v)", sev, got["mttm_seconds"], rep)
	}
	if got["mttr_seconds"] != 3000.0 {
		t.Errorf("replay --json report.%s.mttr_seconds = %v; want 3000 (20m to recover, 30m quiet to resolve)", sev, got["mttr_seconds"])
	}
	for k, v := range rep {
		if k != sev {
			t.Errorf("replay --json report.%s = %v; want absent (no incident of that severity)", k, v)
		}
	}
	if m["problems"] != 0.0 {
		t.Errorf("replay --json problems = %v; want 0", m["problems"])
	}
	code, out, errs := run(t, in, "replay", "--until", "2h", "-")
	if code != 0 || !strings.Contains(out, "time to mitigate 20m0s") {
		t.Errorf("replay = exit %d, %s%s; want the mean time to mitigate shown", code, out, errs)
	}
}

// An alarm that fires and recovers on four days opens one problem explaining four
// incidents, listed in replay --json and in the human summary.
func TestReplayOpensRecurringProblem(t *testing.T) {
	t0 := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	var lines []string
	for d := range 4 {
		at := t0.Add(time.Duration(d) * 24 * time.Hour)
		lines = append(lines, alarmLine("f"+string(rune('0'+d)), "prod-db-1", "ALARM", at),
			alarmLine("o"+string(rune('0'+d)), "prod-db-1", "OK", at.Add(20*time.Minute)))
	}
	in := strings.Join(lines, "\n") + "\n"
	m := replayJSON(t, in, "--until", "2h", "-")
	if m["problems"] != 1.0 {
		t.Fatalf("replay --json problems = %v; want 1", m["problems"])
	}
	list, _ := m["problem_list"].([]any)
	p, _ := list[0].(map[string]any)
	incs, _ := p["incidents"].([]any)
	if len(incs) != 4 || !strings.HasPrefix(p["id"].(string), "PRB-") || !strings.Contains(p["fingerprint"].(string), "prod-db-1") {
		t.Errorf("replay --json problem_list = %v; want one PRB- problem of prod-db-1 explaining 4 incidents", list)
	}
	code, out, _ := run(t, in, "replay", "--until", "2h", "-")
	if code != 0 || !strings.Contains(out, "Problems opened: 1") || !strings.Contains(out, p["id"].(string)) {
		t.Errorf("replay = exit %d:\n%s\nwant the problem listed", code, out)
	}
}
