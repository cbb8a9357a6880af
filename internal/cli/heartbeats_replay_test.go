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
