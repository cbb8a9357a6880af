package token

import (
	"context"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/notify"
)

// Lifetimes of the links in notifications.
const (
	ActionTTL   = 24 * time.Hour     // acknowledge, resolve
	ApprovalTTL = 5 * 24 * time.Hour // approve, reject
)

// signTimeout bounds reading the keys while building a notice's links.
const signTimeout = 5 * time.Second

// Links makes the one-click links of notifications; it satisfies dispatch.Links and
// runbook.Links. A link is <Base>/t/<token>?incident=<id>&action=<action>: the API checks
// that the token was signed for that incident and that action.
type Links struct {
	Signer      *Signer
	Base        string        // the links URL of the API (the Function URL of its "links" alias)
	ActionTTL   time.Duration // default ActionTTL
	ApprovalTTL time.Duration // default ApprovalTTL
	Log         *slog.Logger  // nil: discard
}

// URL makes the link for action on incident, valid for ttl.
func (l *Links) URL(ctx context.Context, inc, action string, ttl time.Duration) (string, error) {
	tok, _, err := l.Signer.Sign(ctx, inc, action, ttl)
	if err != nil {
		return "", err
	}
	return LinkURL(l.Base, tok, inc, action), nil
}

// LinkURL is where a token is used.
func LinkURL(base, tok, inc, action string) string {
	q := url.Values{"incident": {inc}, "action": {action}}
	return strings.TrimRight(base, "/") + "/t/" + tok + "?" + q.Encode()
}

// Actions returns the links of a notice: Acknowledge (while the incident is open) and
// Resolve (while it is active) on notices that ask for a response (opened, triggered
// again, severity raised, escalated, update due, runbook needs you), Resolve alone on
// mitigated and acknowledged notices, none otherwise (resolved). A link that cannot be
// signed is left out and logged: the notice still goes, with the CLI commands.
func (l *Links) Actions(inc incident.Incident, kind notify.Kind) []notify.Action {
	return l.actions(inc, kind, "")
}

// actions returns the links of a notice, acting as the suffix's person when it is one
// (":contact:<id>").
func (l *Links) actions(inc incident.Incident, kind notify.Kind, as string) []notify.Action {
	var ack, resolve bool
	switch kind {
	case notify.Opened, notify.Retriggered, notify.SeverityRaised, notify.Escalation, notify.Reminder, notify.RunbookNotice:
		ack, resolve = true, true
	case notify.Mitigated, notify.Acknowledged:
		resolve = true
	}
	ack = ack && inc.Status == incident.Open
	resolve = resolve && inc.Status.Active()
	var out []notify.Action
	if ack {
		out = l.add(out, inc, "Acknowledge", Ack+as, l.ttl(l.ActionTTL, ActionTTL))
	}
	if resolve {
		out = l.add(out, inc, "Resolve", Resolve+as, l.ttl(l.ActionTTL, ActionTTL))
	}
	return out
}

// Approval returns the Approve and Reject links of a runbook approval.
func (l *Links) Approval(inc incident.Incident, key string) []notify.Action {
	ttl := l.ttl(l.ApprovalTTL, ApprovalTTL)
	out := l.add(nil, inc, "Approve", Approve+":"+key, ttl)
	return l.add(out, inc, "Reject", Reject+":"+key, ttl)
}

func (l *Links) add(out []notify.Action, inc incident.Incident, label, action string, ttl time.Duration) []notify.Action {
	// The Links interfaces carry no context; reading the keys is bounded here instead.
	ctx, cancel := context.WithTimeout(context.Background(), signTimeout)
	defer cancel()
	u, err := l.URL(ctx, inc.ID, action, ttl)
	if err != nil {
		l.log().ErrorContext(ctx, "one-click link left out of the notice", "incident", inc.ID, "action", action, "error", err)
		return out
	}
	return append(out, notify.Action{Label: label, URL: u})
}

func (l *Links) ttl(v, def time.Duration) time.Duration {
	if v > 0 {
		return v
	}
	return def
}

func (l *Links) log() *slog.Logger {
	if l.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return l.Log
}

// SecretLinks makes links signed with the key ring kept in a Secrets Manager secret.
func SecretLinks(client SecretsManagerAPI, secretID, base string, now func() time.Time, log *slog.Logger) *Links {
	return &Links{Signer: &Signer{Keys: &SecretsManager{Client: client, SecretID: secretID, Now: now}, Now: now}, Base: base, Log: log}
}
