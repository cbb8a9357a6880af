package notify

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"
)

// OutboxIndex is the index.json of an outbox folder: every message in the order it
// would have gone, with the files that hold it.
type OutboxIndex struct {
	Messages []OutboxEntry `json:"messages"`
}

// OutboxEntry is one message of an outbox folder.
type OutboxEntry struct {
	Seq       int       `json:"seq"`
	At        time.Time `json:"at,omitzero"`
	Topic     string    `json:"topic"`
	To        string    `json:"to"`             // the topic's name
	Team      string    `json:"team,omitempty"` // the incident's owner
	Incident  string    `json:"incident,omitempty"`
	Kind      string    `json:"kind,omitempty"`
	Severity  string    `json:"severity,omitempty"`
	Subject   string    `json:"subject"`
	MessageID string    `json:"message_id"`
	// Files are the message's files by protocol: "email" (subject and body as the
	// e-mail protocol gets them), "sms", "json" (the whole message as SNS would
	// deliver it to an email-json, SQS or HTTPS subscriber: subject, message and
	// attributes).
	Files map[string]string `json:"files"`
}

// Outbox folder protocols and the suffix of their files.
var outboxFiles = []struct{ proto, suffix string }{{"email", ".email.txt"}, {"sms", ".sms.txt"}, {"json", ".sns.json"}}

// Names of the outbox folder's index files.
const (
	OutboxIndexJSON = "index.json"
	OutboxIndexHTML = "index.html"
)

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// fileBase names a message's files so that they sort by time: the time it would have
// gone (UTC, to the second), its place in the sequence, the incident, the topic it went
// to and the kind.
func fileBase(seq int, s Sent) string {
	parts := []string{}
	if !s.At.IsZero() {
		parts = append(parts, s.At.UTC().Format("20060102T150405Z"))
	}
	parts = append(parts, fmt.Sprintf("%05d", seq))
	for _, v := range []string{s.Attributes["incident"], topicName(s.Topic), s.Attributes["kind"]} {
		if v = strings.Trim(unsafeName.ReplaceAllString(v, "_"), "._"); v != "" {
			parts = append(parts, clipName(v, 64))
		}
	}
	return strings.Join(parts, "-")
}

// topicName is the name part of a topic ARN.
func topicName(arn string) string { return arn[strings.LastIndex(arn, ":")+1:] }

func clipName(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// WriteOutbox writes sent to dir, one file per message and protocol, plus index.json
// and index.html, and returns the path of index.html. dir is created when missing. A
// folder holding an earlier outbox (its index.json) has that outbox's files replaced;
// any other folder that is not empty is refused, so that nothing else is overwritten.
func WriteOutbox(dir string, sent []Sent) (string, error) { return WriteOutboxWith(dir, sent, nil) }

// WriteOutboxWith is WriteOutbox with the messages of other protocols (chat, webhooks)
// among the SNS messages, each after the SNS message its After counts, in one sequence.
func WriteOutboxWith(dir string, sent []Sent, extra []OutboxExtra) (string, error) {
	if err := clearOutbox(dir); err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("outbox %s: %w", dir, err)
	}
	idx := OutboxIndex{Messages: make([]OutboxEntry, 0, len(sent)+len(extra))}
	next := 0 // the next extra to write
	writeExtras := func(after int) error {
		for ; next < len(extra) && extra[next].After <= after; next++ {
			x := extra[next]
			seq := len(idx.Messages) + 1
			name, content, err := extraFile(seq, x)
			if err != nil {
				return fmt.Errorf("outbox %s: %w", dir, err)
			}
			if err := os.WriteFile(filepath.Join(dir, name), content, 0o644); err != nil {
				return fmt.Errorf("outbox %s: %w", dir, err)
			}
			idx.Messages = append(idx.Messages, OutboxEntry{Seq: seq, At: x.At, To: x.To, Incident: x.Incident, Kind: x.Kind,
				Subject: x.Kind + " of " + x.Incident, Files: map[string]string{x.Protocol: name}})
		}
		return nil
	}
	if err := writeExtras(0); err != nil {
		return "", err
	}
	for i, s := range sent {
		seq := len(idx.Messages) + 1
		base := fileBase(seq, s)
		e := OutboxEntry{Seq: seq, At: s.At, Topic: s.Topic, To: topicName(s.Topic), Team: s.Attributes["team"], Incident: s.Attributes["incident"],
			Kind: s.Attributes["kind"], Severity: s.Attributes["severity"], Subject: s.Subject, MessageID: s.MessageID, Files: map[string]string{}}
		delivered, err := json.MarshalIndent(map[string]any{"Type": "Notification", "MessageId": s.MessageID, "TopicArn": s.Topic,
			"Subject": s.Subject, "Message": s.Email, "Timestamp": s.At, "MessageAttributes": s.Attributes}, "", "  ")
		if err != nil {
			return "", fmt.Errorf("outbox %s: message %d: %w", dir, i+1, err)
		}
		content := map[string][]byte{
			"email": []byte("Subject: " + s.Subject + "\n\n" + s.Email),
			"sms":   []byte(s.SMS + "\n"),
			"json":  append(delivered, '\n'),
		}
		for _, f := range outboxFiles {
			name := base + f.suffix
			if err := os.WriteFile(filepath.Join(dir, name), content[f.proto], 0o644); err != nil {
				return "", fmt.Errorf("outbox %s: %w", dir, err)
			}
			e.Files[f.proto] = name
		}
		idx.Messages = append(idx.Messages, e)
		if err := writeExtras(i + 1); err != nil {
			return "", err
		}
	}
	if next < len(extra) { // After past the last SNS message: at the end
		if err := writeExtras(len(extra) + len(sent)); err != nil {
			return "", err
		}
	}
	b, err := json.MarshalIndent(idx, "", "  ")
	if err != nil {
		return "", fmt.Errorf("outbox %s: index: %w", dir, err)
	}
	if err := os.WriteFile(filepath.Join(dir, OutboxIndexJSON), append(b, '\n'), 0o644); err != nil {
		return "", fmt.Errorf("outbox %s: %w", dir, err)
	}
	var h bytes.Buffer
	if err := outboxPage().Execute(&h, idx); err != nil {
		return "", fmt.Errorf("outbox %s: index page: %w", dir, err)
	}
	page := filepath.Join(dir, OutboxIndexHTML)
	if err := os.WriteFile(page, h.Bytes(), 0o644); err != nil {
		return "", fmt.Errorf("outbox %s: %w", dir, err)
	}
	return page, nil
}

// clearOutbox removes an earlier outbox's files from dir: those its index names and
// the indexes. A folder with other files and no index is refused.
func clearOutbox(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("outbox %s: %w", dir, err)
	}
	if len(entries) == 0 {
		return nil
	}
	raw, err := os.ReadFile(filepath.Join(dir, OutboxIndexJSON))
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("outbox %s: the folder is not empty and holds no earlier outbox (%s): give a new or empty folder", dir, OutboxIndexJSON)
	}
	if err != nil {
		return fmt.Errorf("outbox %s: %w", dir, err)
	}
	var old OutboxIndex
	if err := json.Unmarshal(raw, &old); err != nil {
		return fmt.Errorf("outbox %s: %s is not an outbox index: %w", dir, OutboxIndexJSON, err)
	}
	for _, m := range old.Messages {
		for _, name := range m.Files {
			if name != filepath.Base(name) || strings.HasPrefix(name, ".") { // only plain names inside dir
				continue
			}
			if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("outbox %s: %w", dir, err)
			}
		}
	}
	for _, name := range []string{OutboxIndexJSON, OutboxIndexHTML} {
		if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("outbox %s: %w", dir, err)
		}
	}
	return nil
}

const outboxStyle = `body{font:15px/1.45 system-ui,sans-serif;margin:1rem;color:#1b1f24}table{border-collapse:collapse;width:100%}` +
	`th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #d0d7de;vertical-align:top}td{overflow-wrap:anywhere}.t{white-space:nowrap;color:#59636e}`

// outboxPage is parsed when an outbox is first written, not at every binary's init.
var outboxPage = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("outbox").Funcs(template.FuncMap{
		"style": func() template.CSS { return template.CSS(outboxStyle) },
		"when": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.UTC().Format("2006-01-02 15:04:05Z")
		},
	}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Firebreak outbox</title><style>{{style}}</style></head>
<body><h1>Outbox: {{len .Messages}} messages that would have been sent</h1>
<table><thead><tr><th>#</th><th>When</th><th>To</th><th>Subject</th><th>Files</th></tr></thead><tbody>
{{- range .Messages}}
<tr><td>{{.Seq}}</td><td class="t">{{when .At}}</td><td>{{.To}}</td><td>{{.Subject}}</td>
<td>{{if index .Files "email"}}<a href="{{index .Files "email"}}">e-mail</a> · <a href="{{index .Files "sms"}}">SMS</a> · <a href="{{index .Files "json"}}">JSON</a>{{else}}{{range $p, $f := .Files}}<a href="{{$f}}">{{$p}} JSON</a>{{end}}{{end}}</td></tr>
{{- end}}
</tbody></table></body></html>
`))
})
