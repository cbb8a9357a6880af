// Package chat renders Firebreak notices as custom notifications of Amazon Q Developer in
// chat applications (formerly AWS Chatbot): the JSON a chat topic carries, which the
// service posts to the Slack or Microsoft Teams channel configured on that topic.
//
// The event format, as the service documents it: "version" must be "1.0" and "source"
// must be "custom" (both required); "content" holds "textType" (only "client-markdown"
// is supported), "title", "description", "nextSteps" and "keywords"; "metadata" holds
// "threadId" (notifications with the same thread id are threaded in the channel, when the
// channel's preferences allow it), "summary", "eventType", "relatedResources",
// "additionalContext" (string values) and "enableCustomActions". The message travels
// through SNS, so it is at most 262,144 bytes.
//
// What Firebreak puts there: the title says severity, what happened, the incident and its
// id; the description its impact, status, owner, account and region, what automation did
// and when the next update is due; the next steps are the notice's signed links; the
// keywords its severity, team, class and account; the thread is the incident's, so a
// channel reads one thread per incident. Text that comes from events (titles, resource
// names, messages) cannot mention a channel or user: the angle brackets Slack and Teams
// use for mentions are replaced.
package chat

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/firebreak-ops/firebreak/internal/notify"
)

// Notification is one custom notification.
type Notification struct {
	Version  string   `json:"version"`
	Source   string   `json:"source"`
	ID       string   `json:"id,omitempty"`
	Content  Content  `json:"content"`
	Metadata Metadata `json:"metadata"`
}

// Content is what the channel shows.
type Content struct {
	TextType    string   `json:"textType,omitempty"`
	Title       string   `json:"title,omitempty"`
	Description string   `json:"description"`
	NextSteps   []string `json:"nextSteps,omitempty"`
	Keywords    []string `json:"keywords,omitempty"`
}

// Metadata threads and describes the notification.
type Metadata struct {
	ThreadID            string            `json:"threadId,omitempty"`
	Summary             string            `json:"summary,omitempty"`
	EventType           string            `json:"eventType,omitempty"`
	RelatedResources    []string          `json:"relatedResources,omitempty"`
	AdditionalContext   map[string]string `json:"additionalContext,omitempty"`
	EnableCustomActions bool              `json:"enableCustomActions"`
}

// The values the format requires, and Firebreak's own bounds on the parts a channel
// shows: the service documents no per-field limits, so these keep a message readable in
// both clients and far below the SNS limit.
const (
	Version        = "1.0"
	Source         = "custom"
	TextType       = "client-markdown"
	MaxMessage     = 262144 // bytes: the SNS message limit
	MaxTitle       = 250    // characters
	MaxDescription = 4000   // characters
	MaxSummary     = 250    // characters
)

// Render is the custom notification of a notice.
func Render(n notify.Notice) (Notification, error) {
	headline := notify.Headline(n)
	if headline == "" {
		return Notification{}, fmt.Errorf("render chat notice for %s: unknown kind %q", n.Incident.ID, n.Kind)
	}
	inc := n.Incident
	sev := strings.ToUpper(string(inc.Severity))
	// The id stays whole: a long title gives way.
	head, tail := fmt.Sprintf("%s %s: ", sev, headline), fmt.Sprintf(" (%s)", inc.ID)
	title := head + clip(clean(inc.Title), max(MaxTitle-utf8.RuneCountInString(head+tail), 8)) + tail
	out := Notification{
		Version: Version,
		Source:  Source,
		Content: Content{
			TextType:    TextType,
			Title:       clip(title, MaxTitle),
			Description: clip(description(n), MaxDescription),
			NextSteps:   nextSteps(n),
			Keywords:    nonEmpty(string(inc.Severity), inc.Team, inc.Class, inc.Account),
		},
		Metadata: Metadata{
			ThreadID:         inc.ID,
			Summary:          clip(fmt.Sprintf("%s %s: %s", sev, headline, clean(inc.Title)), MaxSummary),
			EventType:        string(n.Kind),
			RelatedResources: nonEmpty(clean(inc.Resource)),
			AdditionalContext: map[string]string{
				"incident": inc.ID, "kind": string(n.Kind), "status": string(inc.Status),
				"severity": string(inc.Severity), "team": inc.Team,
			},
		},
	}
	return out, Validate(out)
}

// Encode is the JSON of the notice's custom notification: the SNS message of a chat topic.
func Encode(n notify.Notice) ([]byte, error) {
	c, err := Render(n)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("encode chat notice for %s: %w", n.Incident.ID, err)
	}
	if len(b) > MaxMessage {
		return nil, fmt.Errorf("chat notice for %s is %d bytes; SNS takes at most %d", n.Incident.ID, len(b), MaxMessage)
	}
	return b, nil
}

// ErrInvalid is wrapped by every error of Validate.
var ErrInvalid = errors.New("not a valid custom notification")

// Validate checks a notification against the documented format and Firebreak's bounds.
func Validate(c Notification) error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...))
	}
	if c.Version != Version {
		bad("version is %q; must be %q", c.Version, Version)
	}
	if c.Source != Source {
		bad("source is %q; must be %q", c.Source, Source)
	}
	if c.Content.TextType != "" && c.Content.TextType != TextType {
		bad("content.textType is %q; only %q is supported", c.Content.TextType, TextType)
	}
	if strings.TrimSpace(c.Content.Description) == "" {
		bad("content.description is empty")
	}
	for field, v := range map[string]struct {
		s   string
		max int
	}{"content.title": {c.Content.Title, MaxTitle}, "content.description": {c.Content.Description, MaxDescription}, "metadata.summary": {c.Metadata.Summary, MaxSummary}} {
		if n := utf8.RuneCountInString(v.s); n > v.max {
			bad("%s has %d characters; at most %d", field, n, v.max)
		}
	}
	for _, list := range [][]string{c.Content.NextSteps, c.Content.Keywords, c.Metadata.RelatedResources} {
		for _, s := range list {
			if s == "" {
				bad("an empty string in a list")
			}
		}
	}
	return errors.Join(errs...)
}

func description(n notify.Notice) string {
	inc := n.Incident
	var b strings.Builder
	line := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	if n.Paged.Why != "" {
		line("*Paged:* %s, %s", clean(n.Paged.Name), clean(n.Paged.Why))
	}
	if n.Message != "" {
		line("%s", clean(n.Message))
	}
	impact := clean(inc.Impact)
	if impact == "" {
		impact = "Not described for class " + inc.Class + "."
	}
	line("*Impact:* %s", impact)
	sevName := inc.Severity.Label()
	if n.Policy != nil && n.Policy.Name != "" {
		sevName = n.Policy.Name
	}
	line("*Status:* %s · *Severity:* %s (%s)", inc.Status, inc.Severity, sevName)
	owner := n.TeamName
	if owner == "" || owner == inc.Team {
		owner = inc.Team
	} else {
		owner += " (" + inc.Team + ")"
	}
	line("*Owner:* %s", clean(owner))
	line("*Account/region:* %s / %s", inc.Account, inc.Region)
	if inc.Resource != "" {
		line("*Resource:* %s", clean(inc.Resource))
	}
	for _, a := range n.Automation {
		s := fmt.Sprintf("*Runbook %s:* %s", a.Runbook, a.Status)
		if a.Detail != "" {
			s += " — " + clean(a.Detail)
		}
		line("%s", s)
	}
	if !n.NextUpdate.IsZero() {
		line("*Next update due:* %s", n.NextUpdate.UTC().Format(time.DateTime+" UTC"))
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// nextSteps are the notice's links, labelled, then where to look from the CLI.
func nextSteps(n notify.Notice) []string {
	var out []string
	for _, a := range n.Actions {
		if a.URL != "" {
			out = append(out, a.Label+": "+a.URL)
		}
	}
	for _, a := range n.Automation {
		if a.URL != "" {
			out = append(out, "Runbook "+a.Runbook+" execution: "+a.URL)
		}
	}
	return append(out, "From the CLI: firebreak incidents show "+n.Incident.ID)
}

// mentions are the characters Slack (<!channel>, <@U…>) and Teams (<at>) mention with.
var mentions = strings.NewReplacer("<", "‹", ">", "›")

// clean makes event-supplied text one harmless line.
func clean(s string) string {
	return strings.Join(strings.Fields(mentions.Replace(s)), " ")
}

func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

func nonEmpty(vs ...string) []string {
	var out []string
	for _, v := range vs {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}
