package cli_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// alarmLine is one CloudWatch alarm event as a JSON line.
func alarmLine(id, name, state string, at time.Time) string {
	return fmt.Sprintf(`{"version":"0","id":%q,"detail-type":"CloudWatch Alarm State Change","source":"aws.cloudwatch","account":"123456789012","time":%q,"region":"eu-west-1","resources":["arn:aws:cloudwatch:eu-west-1:123456789012:alarm:%s"],"detail":{"alarmName":%q,"state":{"value":%q},"previousState":{"value":"OK"}}}`,
		id, at.UTC().Format(time.RFC3339), name, name, state)
}

// The proof: the same events spaced further apart than the batching window
// give identical counts whatever --batch says.
func TestReplayBatchFlagDoesNotMatterBeyondTheWindow(t *testing.T) {
	t0 := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	var lines []string
	for i := range 45 {
		state := "ALARM"
		if i%3 == 2 {
			state = "OK"
		}
		lines = append(lines, alarmLine(fmt.Sprintf("e%02d", i), fmt.Sprintf("prod-db-%d", i%4), state, t0.Add(time.Duration(i)*6*time.Second)))
	}
	in := strings.Join(lines, "\n") + "\n"
	base := replayJSON(t, in, "--until", "1h", "-")
	if base["incidents"] == 0.0 || base["recoveries"] == 0.0 {
		t.Fatalf("replay = %v; want incidents and recoveries", base)
	}
	for _, b := range []string{"1", "100"} {
		got := replayJSON(t, in, "--until", "1h", "--batch", b, "-")
		for k, v := range base {
			if k == "incident_list" {
				continue
			}
			if !reflect.DeepEqual(got[k], v) {
				t.Errorf("replay --batch %s: %s = %v; want %v (the default batch size)", b, k, got[k], v)
			}
		}
	}
	if code, _, errs := run(t, in, "replay", "--batch", "0", "-"); code != 2 || !strings.Contains(errs, "--batch must be at least 1") {
		t.Errorf("replay --batch 0 = exit %d, %q; want 2 and why", code, errs)
	}
}

// Every input is read and accounted for: truncated arrays, concatenated documents,
// JSON lines in a .json file; files not read are named in a warning.
func TestReplayAccountsForEveryInput(t *testing.T) {
	t0 := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	dir := t.TempDir()
	write := func(name, body string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("a-truncated.json", "[\n"+alarmLine("t1", "a", "ALARM", t0)+",\n"+alarmLine("t2", "b", "ALARM", t0)+",\n"+alarmLine("t3", "c", "ALARM", t0)[:80])
	write("b-concatenated.json", "{\n  \"version\": \"0\", \"id\": \"c1\", \"detail-type\": \"CloudWatch Alarm State Change\", \"source\": \"aws.cloudwatch\",\n"+
		"  \"account\": \"123456789012\", \"time\": \"2026-11-02T09:01:00Z\", \"region\": \"eu-west-1\", \"resources\": [], \"detail\": {\"alarmName\": \"d\", \"state\": {\"value\": \"ALARM\"}}\n}\n"+
		"{\n  \"version\": \"0\", \"id\": \"c2\", \"detail-type\": \"CloudWatch Alarm State Change\", \"source\": \"aws.cloudwatch\",\n"+
		"  \"account\": \"123456789012\", \"time\": \"2026-11-02T09:02:00Z\", \"region\": \"eu-west-1\", \"resources\": [], \"detail\": {\"alarmName\": \"e\", \"state\": {\"value\": \"ALARM\"}}\n}\n")
	write("c-lines.json", alarmLine("l1", "f", "ALARM", t0)+"\n"+alarmLine("l2", "g", "ALARM", t0)+"\n{broken\n")
	write("notes.txt", "not events")
	write("README.md", "# events")

	code, out, errs := run(t, "", "replay", "--json", dir)
	if code != 0 {
		t.Fatalf("replay exit %d: %s", code, errs)
	}
	for _, f := range []string{"notes.txt", "README.md"} {
		if !strings.Contains(errs, "warning") || !strings.Contains(errs, f) {
			t.Errorf("replay stderr = %q; want a warning naming %s", errs, f)
		}
	}
	m := decodeJSON(t, out)
	// 2 array elements + the rest of the array, 2 documents, 3 lines.
	if m["events"] != 8.0 || m["incidents"] != 6.0 || m["quarantined"] != 2.0 {
		t.Errorf("replay events/incidents/quarantined = %v/%v/%v; want 8/6/2", m["events"], m["incidents"], m["quarantined"])
	}
	q, _ := m["quarantine"].([]any)
	got := map[string]bool{}
	for _, e := range q {
		e := e.(map[string]any)
		got[fmt.Sprintf("%s:%v", filepath.Base(e["origin"].(string)), e["line"])] = true
		if r, _ := e["reason"].(string); r == "" {
			t.Errorf("quarantine entry %v has no reason", e)
		}
	}
	if !got["a-truncated.json:4"] || !got["c-lines.json:3"] || len(got) != 2 {
		t.Errorf("quarantine = %v; want a-truncated.json line 4 and c-lines.json line 3", q)
	}
	if sk, _ := m["skipped"].([]any); len(sk) != 2 {
		t.Errorf("skipped = %v; want the two files not read", m["skipped"])
	}

	code, out, _ = run(t, "", "replay", dir)
	if code != 0 || !strings.Contains(out, "Quarantined (2):") || !strings.Contains(out, "truncated JSON array") {
		t.Errorf("replay (human) = exit %d:\n%s\nwant the quarantined inputs with their reasons", code, out)
	}
}

func decodeJSON(t *testing.T, s string) map[string]any {
	t.Helper()
	m := map[string]any{}
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("output is not one JSON object: %v\n%s", err, s)
	}
	return m
}

func TestClassifyGoesOnPastBadInputs(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.json")
	broken := filepath.Join(dir, "broken.json")
	missing := filepath.Join(dir, "missing.json")
	if err := os.WriteFile(good, []byte(alarmLine("g1", "a", "ALARM", time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(broken, []byte(`{"id": "b1", "source": `), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := run(t, "", "classify", broken, missing, good)
	if code != 1 {
		t.Errorf("classify = exit %d; want 1", code)
	}
	if strings.Count(out, "\n") != 1 || !strings.Contains(out, `"id":"g1"`) {
		t.Errorf("classify stdout = %q; want the good event, classified after the bad ones", out)
	}
	for _, want := range []string{broken + ":", missing + ":", "2 of 3 inputs could not be classified"} {
		if !strings.Contains(errs, want) {
			t.Errorf("classify stderr = %q; want %q", errs, want)
		}
	}
}

func TestReplayDiff(t *testing.T) {
	dir := t.TempDir()
	cfg, err := os.ReadFile("../../firebreak.yaml")
	if err != nil {
		t.Fatal(err)
	}
	oldPath, newPath := filepath.Join(dir, "old.yaml"), filepath.Join(dir, "new.yaml")
	if err := os.WriteFile(oldPath, cfg, 0o644); err != nil {
		t.Fatal(err)
	}
	// The new configuration makes every sev1 class sev2.
	if err := os.WriteFile(newPath, []byte(strings.ReplaceAll(string(cfg), "severity: sev1", "severity: sev2")), 0o644); err != nil {
		t.Fatal(err)
	}
	ev := samples + "/cloudtrail/stop-logging.json"
	code, out, errs := run(t, "", "replay", "--json", "--diff", oldPath, newPath, ev)
	if code != 0 {
		t.Fatalf("replay --diff = exit %d: %s", code, errs)
	}
	m := decodeJSON(t, out)
	totals, _ := m["totals"].(map[string]any)
	if totals["changed"] != 1.0 || totals["opened"] != 0.0 || totals["not_opened"] != 0.0 {
		t.Errorf("replay --diff totals = %v; want one incident changed", totals)
	}
	incs, _ := m["incidents"].([]any)
	if len(incs) != 1 {
		t.Fatalf("replay --diff incidents = %v; want one", incs)
	}
	c := incs[0].(map[string]any)
	old, _ := c["old"].(map[string]any)
	nw, _ := c["new"].(map[string]any)
	if f := fmt.Sprint(c["fields"]); !strings.HasPrefix(f, "[severity") || old["severity"] != "sev1" || nw["severity"] != "sev2" || c["change"] != "changed" {
		t.Errorf("replay --diff incident = %v; want severity sev1 → sev2", c)
	}

	code, out, errs = run(t, "", "replay", "--diff", oldPath, newPath, ev)
	if code != 0 || !strings.Contains(out, "1 handled differently") || !strings.Contains(out, "changed (severity") {
		t.Errorf("replay --diff (human) = exit %d, %s\n%s; want the totals and the changed incident", code, errs, out)
	}
	if code, _, errs := run(t, "", "replay", "--diff", oldPath, newPath); code != 2 || !strings.Contains(errs, "--diff") {
		t.Errorf("replay --diff without events = exit %d, %q; want 2", code, errs)
	}
	if code, _, errs := run(t, "", "replay", "--diff", oldPath, newPath, "-"); code != 2 || !strings.Contains(errs, "not -") {
		t.Errorf("replay --diff - = exit %d, %q; want 2: stdin cannot be read twice", code, errs)
	}
}

// Progress goes to a terminal only: a replay whose stderr is a file or pipe prints none.
func TestReplayPrintsNoProgressOffTerminal(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.json"), []byte(alarmLine("p1", "a", "ALARM", time.Now())), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errs := run(t, "", "replay", dir)
	if code != 0 || errs != "" {
		t.Errorf("replay = exit %d, stderr %q; want nothing on stderr", code, errs)
	}
}
