package cli_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// heartbeatConfig is a small configuration with one heartbeat: the nightly backup job's
// "succeeded" application event, expected every hour, ten minutes' grace.
const heartbeatConfig = `version: 1
defaults:
  team: platform
teams:
  platform:
    email: [oncall@example.com]
taxonomy:
  - class: app.alert
    match: {"detail-type": ["Firebreak Application Alert"], "source": [{"prefix": "app."}]}
    severity: sev3
severities:
  sev1: {channels: [email], acknowledge_within: 5m}
  sev2: {channels: [email], acknowledge_within: 15m}
  sev3: {channels: [email]}
  sev4: {channels: []}
heartbeats:
  - name: backup
    match: {"source": ["app.backup"], "detail": {"alert": ["NightlyBackup"], "state": ["succeeded"]}}
    interval: 1h
    grace: 10m
    severity: sev2
`

// beatEvent is the backup job's success, as the application puts it on EventBridge.
func beatEvent(id string, at time.Time) string {
	return fmt.Sprintf(`{"version":"0","id":%q,"detail-type":"Firebreak Application Alert","source":"app.backup","account":"123456789012","time":%q,"region":"eu-west-1","resources":[],"detail":{"service":"backup","alert":"NightlyBackup","state":"succeeded"}}`,
		id, at.UTC().Format(time.RFC3339))
}

// TestReplayHeartbeatMissed is issue 13's heartbeat proof: a heartbeat with a 1h
// interval, fed for three hours then silent, with --until 3h, opens exactly one
// heartbeat.missed incident, interval + grace after the last beat; a later beat
// mitigates it.
func TestReplayHeartbeatMissed(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "firebreak.yaml")
	if err := os.WriteFile(cfg, []byte(heartbeatConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	var beats []string
	for i := range 4 { // 09:00 … 12:00: three hours of hourly beats
		beats = append(beats, beatEvent(fmt.Sprintf("beat-%d", i), start.Add(time.Duration(i)*time.Hour)))
	}
	write := func(name string, lines []string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	type inc struct {
		ID, Status, Class, Severity, Team, Title string
		OpenedAt                                 string `json:"opened_at"`
	}
	replay := func(until, path string) (map[string]any, []inc) {
		t.Helper()
		code, out, errs := run(t, "", "replay", "--json", "--config", cfg, "--until", until, path)
		if code != 0 {
			t.Fatalf("replay --until %s exit %d: %s", until, code, errs)
		}
		var m map[string]any
		var list struct {
			List []inc `json:"incident_list"`
		}
		if err := json.Unmarshal([]byte(out), &m); err != nil {
			t.Fatalf("replay --json: %v\n%s", err, out)
		}
		if err := json.Unmarshal([]byte(out), &list); err != nil {
			t.Fatal(err)
		}
		return m, list.List
	}

	wantOpened := start.Add(3*time.Hour + time.Hour + 10*time.Minute).Format(time.RFC3339) // 13:10
	m, list := replay("3h", write("silent.jsonl", beats))
	if len(list) != 1 || m["heartbeats_missed"] != 1.0 {
		t.Fatalf("replay --until 3h: %d incidents, heartbeats_missed %v; want exactly one heartbeat.missed incident", len(list), m["heartbeats_missed"])
	}
	got := list[0]
	if got.Class != "heartbeat.missed" || got.Severity != "sev2" || got.Team != "platform" || got.Status != "open" {
		t.Errorf("incident = %+v; want an open sev2 heartbeat.missed for platform", got)
	}
	if got.OpenedAt != wantOpened {
		t.Errorf("heartbeat.missed opened at %s; want %s (interval + grace after the last beat)", got.OpenedAt, wantOpened)
	}
	if !strings.Contains(got.Title, "2026-11-02 12:00 UTC") {
		t.Errorf("title %q; want it to say when the last beat came (2026-11-02 12:00 UTC)", got.Title)
	}

	// Redelivered beats, out of order, one a batch: the same one incident at the same time.
	shuffled := []string{beats[3], beats[1], beats[3], beats[0], beats[2], beats[1]}
	code, out, errs := run(t, "", "replay", "--json", "--config", cfg, "--until", "3h", "--batch", "1", write("shuffled.jsonl", shuffled))
	var again struct {
		Missed int   `json:"heartbeats_missed"`
		List   []inc `json:"incident_list"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &again) != nil || again.Missed != 1 || len(again.List) != 1 || again.List[0].OpenedAt != wantOpened {
		t.Errorf("replay of redelivered, shuffled beats, --batch 1 = exit %d %s: %+v; want the same one incident opened at %s", code, errs, again, wantOpened)
	}

	if code, out, _ := run(t, "", "replay", "--config", cfg, "--until", "3h", filepath.Join(dir, "silent.jsonl")); code != 0 ||
		!strings.Contains(out, "heartbeats missed  1") || !strings.Contains(out, "heartbeat.missed") {
		t.Errorf("replay --until 3h = exit %d:\n%s\nwant the heartbeats line of the summary and the incident", code, out)
	}

	// The job runs again at 14:30: the incident is mitigated, and no second one opens
	// before the next beat is due (15:40).
	later := append(beats, beatEvent("beat-late", start.Add(5*time.Hour+30*time.Minute)))
	m, list = replay("20m", write("resumed.jsonl", later)) // before auto-resolve
	if len(list) != 1 || m["heartbeats_missed"] != 1.0 || m["heartbeats_resumed"] != 1.0 {
		t.Fatalf("replay with a later beat: %d incidents, missed %v, resumed %v; want one incident, missed 1, resumed 1",
			len(list), m["heartbeats_missed"], m["heartbeats_resumed"])
	}
	if list[0].Status != "mitigated" || list[0].OpenedAt != wantOpened {
		t.Errorf("after the later beat: %+v; want the incident opened at %s, mitigated", list[0], wantOpened)
	}
}

func TestHeartbeatsCommand(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "firebreak.yaml")
	start := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	var beats []string
	for i := range 4 {
		beats = append(beats, beatEvent(fmt.Sprintf("beat-%d", i), start.Add(time.Duration(i)*time.Hour)))
	}
	events := filepath.Join(dir, "beats.jsonl")
	if err := os.WriteFile(cfg, []byte(heartbeatConfig+`  - name: never
    match: {"source": ["app.never"]}
    interval: 24h
    severity: sev3
`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(events, []byte(strings.Join(beats, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		until, state, next string
	}{
		{"0s", "ok", "2026-11-02T13:10:00Z"},
		{"1h", "ok", "2026-11-02T13:10:00Z"},
		{"3h", "missed", "2026-11-02T13:10:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.until, func(t *testing.T) {
			code, out, errs := run(t, "", "heartbeats", "--json", "--config", cfg, "--until", tt.until, events)
			if code != 0 {
				t.Fatalf("heartbeats exit %d: %s", code, errs)
			}
			var rows []struct {
				Name, State, Incident, Interval, Grace, Severity, Team string
				LastBeat                                               string `json:"last_beat"`
				LastEvent                                              string `json:"last_event"`
				NextDue                                                string `json:"next_due"`
			}
			if err := json.Unmarshal([]byte(out), &rows); err != nil {
				t.Fatalf("heartbeats --json: %v\n%s", err, out)
			}
			if len(rows) != 2 {
				t.Fatalf("heartbeats --json = %d rows; want 2 (every configured heartbeat)", len(rows))
			}
			b := rows[0]
			if b.Name != "backup" || b.State != tt.state || b.LastBeat != "2026-11-02T12:00:00Z" || b.LastEvent != "beat-3" || b.NextDue != tt.next ||
				b.Interval != "1h" || b.Grace != "10m" || b.Severity != "sev2" || b.Team != "platform" {
				t.Errorf("heartbeats --until %s: backup = %+v; want state %s, last beat 12:00 (beat-3), next due %s", tt.until, b, tt.state, tt.next)
			}
			if (tt.state == "missed") != (b.Incident != "") {
				t.Errorf("heartbeats --until %s: incident %q in state %s; want one exactly when missed", tt.until, b.Incident, b.State)
			}
			if n := rows[1]; n.Name != "never" || n.State != "waiting" || n.LastBeat != "" {
				t.Errorf("heartbeats: never = %+v; want waiting, no last beat", n)
			}
		})
	}
	code, out, _ := run(t, "", "heartbeats", "--config", cfg, "--until", "3h", events)
	if code != 0 || !strings.Contains(out, "backup") || !strings.Contains(out, "2026-11-02 13:10 UTC") || !strings.Contains(out, "missed") {
		t.Errorf("heartbeats = exit %d:\n%s\nwant a table with backup, missed, next due 13:10", code, out)
	}
	if code, _, errs := run(t, "", "heartbeats"); code != 2 || !strings.Contains(errs, "give the events") {
		t.Errorf("heartbeats without paths = exit %d, %q; want a usage error", code, errs)
	}
}
