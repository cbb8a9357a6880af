package webhook_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/chat"
	"github.com/firebreak-ops/firebreak/internal/chat/chattest"
	"github.com/firebreak-ops/firebreak/internal/notify"
	"github.com/firebreak-ops/firebreak/internal/webhook"
)

// TestOutboxFiles: in local mode the relay's deliveries are recorded beside the pages,
// and the outbox folder lists every message in the order it would have gone: each page,
// then its chat notification and webhook bodies, one file per message and protocol,
// the chat file a valid custom notification and the webhook file the body as POSTed.
func TestOutboxFiles(t *testing.T) {
	now := chattest.T0
	clock := func() time.Time { return now }
	pages := &notify.Outbox{Now: clock}
	rec := &webhook.Recorder{Now: clock, Pages: pages}
	cfg := chatConfig()
	relay := &webhook.Relay{Notifier: notify.New(pages, map[string]string{"security": teamTopic, "platform": "arn:aws:sns:local:000000000000:firebreak-platform"}),
		Outbound: rec, TopicARN: outboundTopic, Config: cfg}
	inc := chattest.Cases()["opened"].Incident
	sent := []notify.Notice{
		chattest.Cases()["opened"],       // page, chat, ticketing, everything
		chattest.Cases()["acknowledged"], // page, chat, everything
	}
	resolved := chattest.Cases()["resolved"]
	sent = append(sent, resolved)
	for _, n := range sent {
		if _, err := relay.Send(context.Background(), "security", n); err != nil {
			t.Fatal(err)
		}
		now = now.Add(time.Minute)
	}
	dir := filepath.Join(t.TempDir(), "outbox")
	page, err := notify.WriteOutboxWith(dir, pages.Sent(), webhook.OutboxFiles(rec.Recorded()))
	if err != nil {
		t.Fatal(err)
	}
	idx := readOutbox(t, dir)
	var order, names []string
	for i, m := range idx.Messages {
		if m.Seq != i+1 {
			t.Errorf("message %d has seq %d", i+1, m.Seq)
		}
		for proto, f := range m.Files {
			if proto == "email" || proto == "chat" || proto == "webhook" {
				order = append(order, proto+" "+m.To)
				names = append(names, f)
			}
		}
	}
	want := []string{
		"email firebreak-security", "chat chat team:security", "webhook webhook ticketing", "webhook webhook everything",
		"email firebreak-security", "chat chat team:security", "webhook webhook everything",
		"email firebreak-security", "chat chat team:security", "webhook webhook ticketing", "webhook webhook everything",
	}
	if !slices.Equal(order, want) {
		t.Errorf("outbox order:\n got  %q\n want %q", order, want)
	}
	if !slices.IsSorted(names) {
		t.Errorf("file names %v do not sort in the order the messages went", names)
	}
	chatFile, hookFile := idx.Messages[1].Files["chat"], idx.Messages[2].Files["webhook"]
	if !strings.HasSuffix(chatFile, ".chat.json") || !strings.HasSuffix(hookFile, ".webhook.json") || !strings.Contains(hookFile, inc.ID) {
		t.Errorf("files %q, %q; want .chat.json and .webhook.json named for the incident", chatFile, hookFile)
	}
	var c chat.Notification
	if b, err := os.ReadFile(filepath.Join(dir, chatFile)); err != nil || json.Unmarshal(b, &c) != nil || chat.Validate(c) != nil {
		t.Errorf("chat file %s = %s, %v; want a valid custom notification", chatFile, b, err)
	}
	b, err := os.ReadFile(filepath.Join(dir, hookFile))
	if err != nil {
		t.Fatal(err)
	}
	posted, err := webhook.Encode(sent[0])
	if err != nil {
		t.Fatal(err)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, b); err != nil || !bytes.Equal(compact.Bytes(), posted) {
		t.Errorf("webhook file = %s; want the body as POSTed: %s", b, posted)
	}
	if html, err := os.ReadFile(page); err != nil || !strings.Contains(string(html), `href="`+hookFile+`">webhook JSON`) {
		t.Errorf("index.html does not link %s", hookFile)
	}
	// Written again with fewer messages, the earlier files go.
	if _, err := notify.WriteOutboxWith(dir, pages.Sent()[:1], webhook.OutboxFiles(rec.Recorded()[:1])); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 3+1+2 {
		t.Errorf("folder holds %d files; want one page's 3, one chat file and the 2 indexes", len(entries))
	}
}

func readOutbox(t *testing.T, dir string) notify.OutboxIndex {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, notify.OutboxIndexJSON))
	if err != nil {
		t.Fatal(err)
	}
	var idx notify.OutboxIndex
	if err := json.Unmarshal(raw, &idx); err != nil {
		t.Fatal(err)
	}
	return idx
}
