// Package webhook tells HTTPS endpoints of Firebreak's notices, and relays the chat
// notifications of internal/chat, off the notifiers' critical path:
//
//   - Relay wraps the team notifier of dispatch, escalate and the runbook task: after a
//     notice is published to its team's topic, each chat channel and webhook that hears
//     it gets one Delivery, enqueued on the outbound SQS queue (one message per target,
//     so a retry of one target never repeats another).
//   - Handler is the webhook Lambda on that queue: a chat delivery is published to its
//     chat topic (Amazon Q Developer posts it); a webhook delivery is POSTed, signed, to
//     the URL in its Secrets Manager secret, retried with exponential backoff within the
//     invocation; a delivery still failing goes back to the queue (SQS redelivers it),
//     and after the queue's maximum receives to its dead-letter queue, alarmed.
//
// The body, its headers and the signature a receiver checks are documented in
// docs/webhooks.md; the constants below are the ones that document quotes.
package webhook

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/firebreak-ops/firebreak/internal/notify"
)

// BodyVersion is the version of the body's shape; a change that removes or renames a
// field gets a new version.
const BodyVersion = "1"

// Body is the JSON a webhook receives: one notice.
type Body struct {
	Version string `json:"version"`
	// ID is the same for every delivery of the same notice (redeliveries, retries): a
	// receiver that keeps the ids it saw drops duplicates.
	ID         string       `json:"id"`
	Kind       string       `json:"kind"`     // opened, mitigated, resolved, approval, runbook, …
	Headline   string       `json:"headline"` // "Opened", "Severity raised sev2 → sev1", …
	Incident   Incident     `json:"incident"`
	Message    string       `json:"message,omitempty"` // the approval request, the runbook's message, …
	Automation []Automation `json:"automation,omitempty"`
	NextUpdate *time.Time   `json:"next_update_due,omitempty"`
	Links      []Link       `json:"links,omitempty"` // signed one-click links: acknowledge, resolve, view, approve, …
	Paged      *Paged       `json:"paged,omitempty"` // the person paged, when the notice went to one
}

// Incident is what the body says of the incident.
type Incident struct {
	ID           string    `json:"id"`
	Title        string    `json:"title"`
	Severity     string    `json:"severity"`
	SeverityName string    `json:"severity_name"`
	Previous     string    `json:"previous_severity,omitempty"`
	Status       string    `json:"status"`
	Team         string    `json:"team"`
	TeamName     string    `json:"team_name,omitempty"`
	Class        string    `json:"class"`
	Impact       string    `json:"impact,omitempty"`
	Account      string    `json:"account,omitempty"`
	Region       string    `json:"region,omitempty"`
	Resource     string    `json:"resource,omitempty"`
	Actor        string    `json:"actor,omitempty"`
	OpenedAt     time.Time `json:"opened_at"`
	LastSeen     time.Time `json:"last_seen"`
	Count        int       `json:"count"`
}

// Automation is what a runbook did.
type Automation struct {
	Runbook string `json:"runbook"`
	Status  string `json:"status"`
	Detail  string `json:"detail,omitempty"`
	URL     string `json:"url,omitempty"`
}

// Link is a one-click action.
type Link struct {
	Label string `json:"label"`
	URL   string `json:"url"`
}

// Paged is who was paged and why.
type Paged struct {
	Name string `json:"name"`
	Why  string `json:"why"`
}

// NewBody is the body of a notice.
func NewBody(n notify.Notice) (Body, error) {
	headline := notify.Headline(n)
	if headline == "" {
		return Body{}, fmt.Errorf("webhook body for %s: unknown kind %q", n.Incident.ID, n.Kind)
	}
	inc := n.Incident
	b := Body{
		Version: BodyVersion, Kind: string(n.Kind), Headline: headline, Message: n.Message,
		Incident: Incident{ID: inc.ID, Title: inc.Title, Severity: string(inc.Severity), SeverityName: inc.Severity.Label(),
			Previous: string(n.Previous), Status: string(inc.Status), Team: inc.Team, TeamName: n.TeamName, Class: inc.Class,
			Impact: inc.Impact, Account: inc.Account, Region: inc.Region, Resource: inc.Resource, Actor: inc.Actor,
			OpenedAt: inc.OpenedAt.UTC(), LastSeen: inc.LastSeen.UTC(), Count: inc.Count},
	}
	if n.Policy != nil && n.Policy.Name != "" {
		b.Incident.SeverityName = n.Policy.Name
	}
	for _, a := range n.Automation {
		b.Automation = append(b.Automation, Automation(a))
	}
	if !n.NextUpdate.IsZero() {
		t := n.NextUpdate.UTC()
		b.NextUpdate = &t
	}
	for _, a := range n.Actions {
		b.Links = append(b.Links, Link(a))
	}
	if n.Paged.Name != "" || n.Paged.Why != "" {
		p := Paged(n.Paged)
		b.Paged = &p
	}
	// The id is the hash of everything else: the same notice, the same id.
	content, err := json.Marshal(b)
	if err != nil {
		return Body{}, fmt.Errorf("encode webhook body for %s: %w", inc.ID, err)
	}
	sum := sha256.Sum256(content)
	b.ID = inc.ID + "-" + hex.EncodeToString(sum[:8])
	return b, nil
}

// Encode is the JSON of a notice's body.
func Encode(n notify.Notice) ([]byte, error) {
	b, err := NewBody(n)
	if err != nil {
		return nil, err
	}
	out, err := json.Marshal(b)
	if err != nil {
		return nil, fmt.Errorf("encode webhook body for %s: %w", n.Incident.ID, err)
	}
	return out, nil
}
