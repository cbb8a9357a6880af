package notify_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/notify"
)

// sendAll publishes an opened, an acknowledged and a resolved notice a minute apart
// through a Notifier into an Outbox.
func sendAll(t *testing.T) []notify.Sent {
	t.Helper()
	now := t0
	box := &notify.Outbox{Now: func() time.Time { return now }}
	n := notify.New(box, map[string]string{"security": "arn:aws:sns:eu-west-1:123456789012:firebreak-security"})
	inc := sampleIncident()
	for _, k := range []notify.Kind{notify.Opened, notify.Acknowledged, notify.Resolved} {
		if k == notify.Resolved {
			inc.Status = incident.Resolved
		}
		if _, err := n.Send(context.Background(), "security", notify.Notice{Kind: k, Incident: inc, Policy: policy}); err != nil {
			t.Fatal(err)
		}
		now = now.Add(time.Minute)
	}
	return box.Sent()
}

func readIndex(t *testing.T, dir string) notify.OutboxIndex {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, notify.OutboxIndexJSON))
	if err != nil {
		t.Fatal(err)
	}
	var idx notify.OutboxIndex
	if err := json.Unmarshal(raw, &idx); err != nil {
		t.Fatalf("index.json: %v", err)
	}
	return idx
}

func TestWriteOutbox(t *testing.T) {
	sent := sendAll(t)
	dir := filepath.Join(t.TempDir(), "outbox")
	page, err := notify.WriteOutbox(dir, sent)
	if err != nil {
		t.Fatal(err)
	}
	if page != filepath.Join(dir, "index.html") {
		t.Errorf("WriteOutbox = %q; want %s/index.html", page, dir)
	}
	idx := readIndex(t, dir)
	if len(idx.Messages) != 3 {
		t.Fatalf("index.json lists %d messages; want 3", len(idx.Messages))
	}
	var names []string
	for i, m := range idx.Messages {
		if !m.At.Equal(t0.Add(time.Duration(i) * time.Minute)) {
			t.Errorf("message %d at %v; want %v", i+1, m.At, t0.Add(time.Duration(i)*time.Minute))
		}
		if m.Incident != "FB-KHCFVO73-1" || m.Team != "security" {
			t.Errorf("message %d: incident %q team %q; want FB-KHCFVO73-1 security", i+1, m.Incident, m.Team)
		}
		for _, proto := range []string{"email", "sms", "json"} {
			if m.Files[proto] == "" {
				t.Errorf("message %d has no %s file", i+1, proto)
			}
		}
		names = append(names, m.Files["email"])
	}
	if want := "20261102T105800Z-00001-FB-KHCFVO73-1-firebreak-security-opened.email.txt"; names[0] != want {
		t.Errorf("first e-mail file = %q; want %q", names[0], want)
	}
	if !slices.IsSorted(names) {
		t.Errorf("file names %v do not sort in the order the messages went", names)
	}
	email, err := os.ReadFile(filepath.Join(dir, names[0]))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(email), "Subject: "+sent[0].Subject+"\n\n") || !strings.Contains(string(email), sent[0].Email) {
		t.Errorf("e-mail file = %q; want the subject line, a blank line and the body", email)
	}
	sms, err := os.ReadFile(filepath.Join(dir, idx.Messages[0].Files["sms"]))
	if err != nil || string(sms) != sent[0].SMS+"\n" {
		t.Errorf("SMS file = %q, %v; want %q", sms, err, sent[0].SMS+"\n")
	}
	var msg struct {
		Type, Subject, Message string
		MessageAttributes      map[string]string
	}
	raw, err := os.ReadFile(filepath.Join(dir, idx.Messages[2].Files["json"]))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &msg); err != nil {
		t.Fatalf("JSON file: %v", err)
	}
	if msg.Type != "Notification" || msg.Subject != sent[2].Subject || msg.MessageAttributes["kind"] != "resolved" {
		t.Errorf("JSON file = %+v; want the resolved notice as SNS delivers it", msg)
	}
	html, err := os.ReadFile(page)
	if err != nil || !strings.Contains(string(html), `href="`+names[0]+`"`) {
		t.Errorf("index.html does not link %s (err %v)", names[0], err)
	}

	t.Run("written again: the earlier outbox is replaced", func(t *testing.T) {
		if _, err := notify.WriteOutbox(dir, sent[:1]); err != nil {
			t.Fatal(err)
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != 5 { // 3 files of one message and the two indexes
			var got []string
			for _, e := range entries {
				got = append(got, e.Name())
			}
			t.Errorf("folder holds %v; want one message's 3 files and the 2 indexes", got)
		}
	})
	t.Run("a folder of other files is refused", func(t *testing.T) {
		other := t.TempDir()
		keep := filepath.Join(other, "notes.txt")
		if err := os.WriteFile(keep, []byte("mine"), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := notify.WriteOutbox(other, sent); err == nil || !strings.Contains(err.Error(), "not empty") {
			t.Errorf("WriteOutbox(a folder of other files) = %v; want a refusal saying it is not empty", err)
		}
		if b, err := os.ReadFile(keep); err != nil || string(b) != "mine" {
			t.Errorf("notes.txt after a refused write = %q, %v; want it untouched", b, err)
		}
	})
	t.Run("messages without a time still sort", func(t *testing.T) {
		untimed := slices.Clone(sent)
		for i := range untimed {
			untimed[i].At = time.Time{}
		}
		d := t.TempDir()
		if _, err := notify.WriteOutbox(d, untimed); err != nil {
			t.Fatal(err)
		}
		if got := readIndex(t, d).Messages[0].Files["email"]; got != "00001-FB-KHCFVO73-1-firebreak-security-opened.email.txt" {
			t.Errorf("untimed first file = %q; want 00001-FB-KHCFVO73-1-firebreak-security-opened.email.txt", got)
		}
	})
}
