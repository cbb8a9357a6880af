package chat_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/firebreak-ops/firebreak/internal/chat"
	"github.com/firebreak-ops/firebreak/internal/chat/chattest"
	"github.com/firebreak-ops/firebreak/internal/notify"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/chat -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it after review):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// TestGolden: every notice kind's custom notification, as a channel would receive it.
func TestGolden(t *testing.T) {
	for name, n := range chattest.Cases() {
		t.Run(name, func(t *testing.T) {
			b, err := chat.Encode(n)
			if err != nil {
				t.Fatalf("Encode(%s) = %v", name, err)
			}
			var pretty bytes.Buffer
			if err := json.Indent(&pretty, b, "", "  "); err != nil {
				t.Fatal(err)
			}
			pretty.WriteByte('\n')
			golden(t, name+".json", pretty.Bytes())
		})
	}
}

// TestEveryKind: a notice of every kind internal/notify knows renders.
func TestEveryKind(t *testing.T) {
	covered := map[notify.Kind]bool{}
	for _, n := range chattest.Cases() {
		covered[n.Kind] = true
	}
	for _, k := range notify.Kinds() {
		if !covered[k] {
			t.Errorf("notice kind %q has no golden case here", k)
		}
	}
}

// TestValidAgainstFormat reads each golden file back as a receiver would (unknown fields
// rejected) and checks the documented constraints: version "1.0", source "custom",
// client-markdown, a description, the bounds, the thread of the incident, the links.
func TestValidAgainstFormat(t *testing.T) {
	for name, n := range chattest.Cases() {
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("testdata", name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			if len(b) > chat.MaxMessage {
				t.Errorf("%s is %d bytes; SNS takes %d", name, len(b), chat.MaxMessage)
			}
			var raw map[string]json.RawMessage
			if err := json.Unmarshal(b, &raw); err != nil {
				t.Fatal(err)
			}
			for _, k := range []string{"version", "source", "content", "metadata"} {
				if _, ok := raw[k]; !ok {
					t.Errorf("%s: no %q", name, k)
				}
			}
			dec := json.NewDecoder(bytes.NewReader(b))
			dec.DisallowUnknownFields()
			var c chat.Notification
			if err := dec.Decode(&c); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if err := chat.Validate(c); err != nil {
				t.Errorf("Validate(%s) = %v", name, err)
			}
			if c.Metadata.ThreadID != n.Incident.ID {
				t.Errorf("%s: threadId = %q; want the incident id %q", name, c.Metadata.ThreadID, n.Incident.ID)
			}
			if !strings.Contains(c.Content.Title, strings.ToUpper(string(n.Incident.Severity))) || !strings.Contains(c.Content.Title, n.Incident.ID) {
				t.Errorf("%s: title %q; want the severity and the id", name, c.Content.Title)
			}
			for _, a := range n.Actions {
				if !containsSuffix(c.Content.NextSteps, a.URL) {
					t.Errorf("%s: nextSteps %q; want the %s link %s", name, c.Content.NextSteps, a.Label, a.URL)
				}
			}
			for _, want := range []string{string(n.Incident.Severity), n.Incident.Team, n.Incident.Class, n.Incident.Account} {
				if !containsSuffix(c.Content.Keywords, want) {
					t.Errorf("%s: keywords %q; want %q", name, c.Content.Keywords, want)
				}
			}
			for _, want := range []string{string(n.Incident.Status), n.Incident.Account, n.Incident.Region, n.Incident.Team} {
				if !strings.Contains(c.Content.Description, want) {
					t.Errorf("%s: description lacks %q:\n%s", name, want, c.Content.Description)
				}
			}
		})
	}
}

func containsSuffix(list []string, s string) bool {
	for _, v := range list {
		if strings.HasSuffix(v, s) {
			return true
		}
	}
	return false
}

// TestValidate: what the format forbids is an error naming the field.
func TestValidate(t *testing.T) {
	ok, err := chat.Render(chattest.Cases()["opened"])
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		change func(*chat.Notification)
		want   string
	}{
		{"version", func(c *chat.Notification) { c.Version = "1" }, `version is "1"`},
		{"source", func(c *chat.Notification) { c.Source = "aws.chatbot" }, "source is"},
		{"text type", func(c *chat.Notification) { c.Content.TextType = "html" }, "content.textType"},
		{"no description", func(c *chat.Notification) { c.Content.Description = " " }, "content.description is empty"},
		{"long title", func(c *chat.Notification) { c.Content.Title = strings.Repeat("x", chat.MaxTitle+1) }, "content.title has 251 characters"},
		{"empty keyword", func(c *chat.Notification) { c.Content.Keywords = []string{""} }, "empty string"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := ok
			c.Content.Keywords = append([]string(nil), ok.Content.Keywords...)
			tc.change(&c)
			err := chat.Validate(c)
			if !errors.Is(err, chat.ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Validate(%s) = %v; want ErrInvalid mentioning %q", tc.name, err, tc.want)
			}
		})
	}
}

// TestNoMentions: an event-supplied title cannot ping a Slack channel or a Teams user,
// and bounds hold for absurd input.
func TestNoMentions(t *testing.T) {
	n := chattest.Cases()["opened"]
	n.Incident.Title = "<!channel> <@U123> <at>everyone</at> " + strings.Repeat("ü", 5000)
	n.Incident.Impact = strings.Repeat("<!here> ", 1000)
	c, err := chat.Render(n)
	if err != nil {
		t.Fatalf("Render = %v", err)
	}
	b, _ := json.Marshal(c)
	if bytes.ContainsAny(b, "<>") || bytes.Contains(b, []byte(`\u003c`)) {
		t.Errorf("Render(mentions) = %s; want no angle brackets", b)
	}
	if _, err := chat.Render(notify.Notice{Kind: "nope", Incident: n.Incident}); err == nil {
		t.Errorf("Render(kind nope) = nil error; want one")
	}
}
