package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/firebreak-ops/firebreak/internal/notify"
)

// TestReplayOutboxChat: with a chat channel and a webhook in the configuration, `replay
// --outbox` writes each page's chat notification and webhook body as files of their
// own, after the page, listed in the index.
func TestReplayOutboxChat(t *testing.T) {
	dir := t.TempDir()
	shipped, err := os.ReadFile("../../firebreak.yaml")
	if err != nil {
		t.Fatal(err)
	}
	runbooks, err := filepath.Abs("../../runbooks")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(runbooks, filepath.Join(dir, "runbooks")); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "firebreak.yaml")
	extra := "\nchat:\n  teams:\n    security:\n      slack: {workspace_id: T0123ABCD, channel_id: C0123ABCD}\n" +
		"webhooks:\n  - {name: ticketing, secret: firebreak/webhooks/ticketing}\n"
	if err := os.WriteFile(cfg, append(shipped, extra...), 0o644); err != nil {
		t.Fatal(err)
	}
	outbox := filepath.Join(dir, "outbox")
	code, out, errs := run(t, "", "replay", "--config", cfg, "--outbox", outbox, samples)
	if code != 0 {
		t.Fatalf("replay --config (chat) --outbox: exit %d, stderr %s", code, errs)
	}
	if !strings.Contains(out, "chat and webhook messages") {
		t.Errorf("replay output does not count the chat and webhook messages:\n%s", out)
	}
	raw, err := os.ReadFile(filepath.Join(outbox, notify.OutboxIndexJSON))
	if err != nil {
		t.Fatal(err)
	}
	var idx notify.OutboxIndex
	if err := json.Unmarshal(raw, &idx); err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	lastPageTeam := ""
	for i, m := range idx.Messages {
		if strings.HasPrefix(m.Kind, "audience-") { // the communication plan's: no chat or webhook
			continue
		}
		for proto, f := range m.Files {
			counts[proto]++
			if _, err := os.Stat(filepath.Join(outbox, f)); err != nil {
				t.Errorf("message %d: %v", m.Seq, err)
			}
		}
		if m.Files["email"] != "" {
			lastPageTeam = m.Team
		}
		if m.Files["chat"] != "" && (i == 0 || lastPageTeam != "security") {
			t.Errorf("chat message %d does not follow a page of the security team", m.Seq)
		}
	}
	if counts["chat"] == 0 || counts["webhook"] < counts["chat"] || counts["webhook"] != counts["email"] {
		t.Errorf("outbox files by protocol %v; want chat files for security's pages and a webhook file for every page", counts)
	}
}
