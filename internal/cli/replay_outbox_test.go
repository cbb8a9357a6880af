package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/firebreak-ops/firebreak/internal/notify"
)

func TestReplayOutboxAndStatusPage(t *testing.T) {
	dir := t.TempDir()
	outbox, site := filepath.Join(dir, "outbox"), filepath.Join(dir, "status")
	code, out, errs := run(t, "", "replay", "--outbox", outbox, "--status-page", site, samples)
	if code != 0 {
		t.Fatalf("replay --outbox --status-page: exit %d, stderr %s", code, errs)
	}
	for _, want := range []string{"open " + filepath.Join(outbox, "index.html"), "open " + filepath.Join(site, "index.html")} {
		if !strings.Contains(out, want) {
			t.Errorf("replay output lacks %q:\n%s", want, out)
		}
	}
	raw, err := os.ReadFile(filepath.Join(outbox, notify.OutboxIndexJSON))
	if err != nil {
		t.Fatal(err)
	}
	var idx notify.OutboxIndex
	if err := json.Unmarshal(raw, &idx); err != nil {
		t.Fatal(err)
	}
	var summary struct {
		Notifications int `json:"notifications"`
	}
	code, js, _ := run(t, "", "replay", "--json", samples)
	if code != 0 || json.Unmarshal([]byte(js), &summary) != nil {
		t.Fatalf("replay --json: exit %d", code)
	}
	if len(idx.Messages) != summary.Notifications || len(idx.Messages) == 0 {
		t.Errorf("outbox holds %d messages; replay --json counts %d notifications", len(idx.Messages), summary.Notifications)
	}
	for i, m := range idx.Messages {
		if i > 0 && m.At.Before(idx.Messages[i-1].At) {
			t.Errorf("message %d (%v) is before message %d (%v)", m.Seq, m.At, m.Seq-1, idx.Messages[i-1].At)
		}
		for _, f := range m.Files {
			if _, err := os.Stat(filepath.Join(outbox, f)); err != nil {
				t.Errorf("message %d: %v", m.Seq, err)
			}
		}
	}
	board, err := os.ReadFile(filepath.Join(site, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(board), "Active incidents") || !strings.Contains(string(board), `href="incidents/`+idx.Messages[0].Incident+`.html"`) {
		t.Errorf("status page does not link the first notified incident %s", idx.Messages[0].Incident)
	}
	if !strings.Contains(string(board), `<a href="../outbox/index.html">the outbox</a>`) {
		t.Errorf("status page does not link the outbox beside it")
	}
	if _, err := os.Stat(filepath.Join(site, "incidents", idx.Messages[0].Incident+".html")); err != nil {
		t.Errorf("incident page: %v", err)
	}
	if code, _, errs := run(t, "", "replay", "--diff", "a.yaml", "b.yaml", "--outbox", outbox, samples); code != 2 || !strings.Contains(errs, "drop --diff") {
		t.Errorf("replay --diff --outbox = exit %d, %q; want a usage error", code, errs)
	}
}
