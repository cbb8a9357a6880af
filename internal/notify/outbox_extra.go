package notify

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// OutboxExtra is a message of another protocol than the team topics' (a chat
// notification, a webhook body: internal/webhook.OutboxFiles) for an outbox folder.
type OutboxExtra struct {
	After    int // how many of the folder's SNS messages went before it
	At       time.Time
	Protocol string // chat, webhook: its file ends .<protocol>.json
	To       string // e.g. "webhook ticketing", "chat team:platform"
	Incident string
	Kind     string
	Body     []byte // JSON, written indented
}

// extraFile writes nothing itself: it names an extra's file and gives its content.
func extraFile(seq int, x OutboxExtra) (name string, content []byte, err error) {
	parts := []string{}
	if !x.At.IsZero() {
		parts = append(parts, x.At.UTC().Format("20060102T150405Z"))
	}
	parts = append(parts, fmt.Sprintf("%05d", seq))
	for _, v := range []string{x.Incident, x.To, x.Kind} {
		if v = strings.Trim(unsafeName.ReplaceAllString(v, "_"), "._"); v != "" {
			parts = append(parts, clipName(v, 64))
		}
	}
	var b bytes.Buffer
	if err := json.Indent(&b, x.Body, "", "  "); err != nil {
		return "", nil, fmt.Errorf("%s message %d is not JSON: %w", x.Protocol, seq, err)
	}
	b.WriteByte('\n')
	proto := strings.Trim(unsafeName.ReplaceAllString(x.Protocol, "_"), "._")
	return strings.Join(parts, "-") + "." + proto + ".json", b.Bytes(), nil
}
