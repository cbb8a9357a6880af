package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/lifecycle"
	"github.com/firebreak-ops/firebreak/internal/store"
	"github.com/firebreak-ops/firebreak/internal/token"
)

// The pages of signed links. A GET only shows what the link would do, with one button
// that POSTs to the same URL: mail scanners and link previews fetch links, and a fetch
// must never act. Everything shown is escaped by html/template; the page loads nothing
// and runs no script.
const pageStyle = `body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1b1f24}` +
	`main{max-width:34rem;margin:3rem auto;padding:2rem;background:#fff;border-radius:8px;box-shadow:0 1px 3px #0002}` +
	`h1{font-size:1.3rem;margin-top:0}dl{display:grid;grid-template-columns:8rem 1fr;gap:.3rem 1rem}dt{color:#59636e}dd{margin:0;overflow-wrap:anywhere}` +
	`button{font:inherit;padding:.6rem 1.4rem;border:0;border-radius:6px;background:#0b5cd5;color:#fff;cursor:pointer}` +
	`.reject{background:#b3261e}.note{color:#59636e;font-size:.9rem}.request{padding:.8rem;background:#f6f7f9;border-left:3px solid #0b5cd5}`

var pageCSP = "default-src 'none'; style-src 'sha256-" + styleHash() + "'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

func styleHash() string {
	sum := sha256.Sum256([]byte(pageStyle))
	return base64.StdEncoding.EncodeToString(sum[:])
}

var pages = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="no-referrer"><meta name="robots" content="noindex">
<title>{{.Heading}} · Firebreak</title><style>{{.Style}}</style></head>
<body><main>
<h1>{{.Heading}}</h1>
{{- if .Message}}
<p>{{.Message}}</p>
{{- end}}
{{- if .Request}}
<p class="request">{{.Request}}</p>
{{- end}}
{{- with .Incident}}
<dl>
<dt>Incident</dt><dd>{{.ID}}</dd>
<dt>What</dt><dd>{{.Title}}</dd>
<dt>Severity</dt><dd>{{.Severity}}</dd>
<dt>Status</dt><dd>{{.Status}}</dd>
<dt>Owner</dt><dd>{{.Team}}</dd>
<dt>Opened</dt><dd>{{.OpenedAt.UTC.Format "2006-01-02 15:04 UTC"}}</dd>
</dl>
{{- end}}
{{- if .Button}}
<form method="post" action="{{.Action}}"><button type="submit"{{if .Danger}} class="reject"{{end}}>{{.Button}}</button></form>
<p class="note">This link works once and expires {{.Expires}}.</p>
{{- end}}
{{- if .RequestID}}
<p class="note">Request {{.RequestID}}</p>
{{- end}}
</main></body></html>
`))

type page struct {
	Heading, Message, Request string
	Incident                  *incident.Incident
	Button, Action, Expires   string
	Danger                    bool
	RequestID                 string
	Style                     template.CSS
}

// linkActions name what each action does, for the pages.
var linkActions = map[string]struct{ heading, button, done string }{
	token.Ack:     {"Acknowledge this incident?", "Acknowledge", "Acknowledged"},
	token.Resolve: {"Resolve this incident?", "Resolve", "Resolved"},
	token.Approve: {"Approve this runbook step?", "Approve", "Approved"},
	token.Reject:  {"Reject this runbook step?", "Reject", "Rejected"},
}

var linkStatus = map[string]incident.Status{token.Ack: incident.Acknowledged, token.Resolve: incident.Resolved}

// invalidLink is all a refused link is told: never which check failed.
const invalidLink = "This link cannot be used. It may have expired, been used already, or not be a Firebreak link. " +
	"Use the firebreak CLI, or the links in the latest notification."

// link serves GET (confirm) and POST (act) /t/{token}?incident=&action=.
func (h *Handler) link(c *call, tok string) events.LambdaFunctionURLResponse {
	if c.method != http.MethodGet && c.method != http.MethodPost {
		r := h.page(c, http.StatusMethodNotAllowed, page{Heading: "Not allowed", Message: "Open the link in a browser."})
		r.Headers["Allow"] = "GET, POST"
		return r
	}
	if !h.linkGuard().take(h.now()) {
		r := h.page(c, http.StatusTooManyRequests, page{Heading: "Too many requests", Message: "Firebreak is answering many link requests right now. Try again in a minute, or use the firebreak CLI."})
		r.Headers["Retry-After"] = "60"
		return r
	}
	if h.Tokens == nil {
		return h.internalPage(c, errors.New("signed links are not configured: no verifier"))
	}
	q := c.req.QueryStringParameters
	inc, action := q["incident"], q["action"]
	claims, err := h.Tokens.Verify(c.ctx, tok, inc, action)
	if errors.Is(err, token.ErrRejected) {
		h.log().WarnContext(c.ctx, "signed link refused", "request_id", c.reqID, "reason", err.Error(), "incident", clipText(inc, 128),
			"action", clipText(action, 128), "method", c.method, "source_ip", c.req.RequestContext.HTTP.SourceIP)
		return h.page(c, http.StatusForbidden, page{Heading: "Link not valid", Message: invalidLink})
	}
	if err != nil {
		return h.internalPage(c, err)
	}
	verb, key, _ := strings.Cut(claims.Act, ":")
	what, acts := linkActions[verb]
	if !acts { // a viewer token reads the status page and does nothing here
		return h.page(c, http.StatusForbidden, page{Heading: "Link not valid", Message: invalidLink})
	}
	cur, err := h.Store.Get(c.ctx, claims.Inc)
	if errors.Is(err, store.ErrNotFound) {
		return h.page(c, http.StatusNotFound, page{Heading: "Incident not found", Message: "Incident " + claims.Inc + " does not exist (any more)."})
	}
	if err != nil {
		return h.internalPage(c, err)
	}
	var request, done string
	switch verb {
	case token.Ack, token.Resolve:
		if err := incident.CanTransition(cur.Status, linkStatus[verb]); err != nil {
			done = "Nothing to do: the incident is " + string(cur.Status) + "."
		}
	default:
		aps, err := h.Store.Approvals(c.ctx, claims.Inc)
		if err != nil {
			return h.internalPage(c, err)
		}
		done = "This runbook step is no longer waiting for a decision."
		for _, a := range aps {
			if a.Key != key {
				continue
			}
			request, done = a.Request, ""
			if a.Decision != "" {
				done = "Already " + a.Decision + " by " + a.By + "."
			}
		}
	}
	if done != "" && c.method == http.MethodGet { // nothing to confirm
		return h.page(c, http.StatusConflict, page{Heading: "Nothing to do", Message: done, Request: request, Incident: &cur})
	}
	if c.method == http.MethodGet {
		action := "/t/" + url.PathEscape(tok) + "?" + url.Values{"incident": {inc}, "action": {action}}.Encode()
		return h.page(c, http.StatusOK, page{Heading: what.heading, Request: request, Incident: &cur, Button: what.button, Action: action,
			Danger: verb == token.Reject, Expires: claims.Expires.UTC().Format("2006-01-02 15:04 UTC")})
	}

	// POST: spend the nonce, then act. A replayed link finds its nonce spent.
	fresh, err := h.Store.UseToken(c.ctx, claims.Nonce, claims.Expires)
	if err != nil {
		return h.internalPage(c, err)
	}
	if !fresh {
		h.log().WarnContext(c.ctx, "signed link refused", "request_id", c.reqID, "reason", "already used", "incident", claims.Inc,
			"action", claims.Act, "source_ip", c.req.RequestContext.HTTP.SourceIP)
		return h.page(c, http.StatusForbidden, page{Heading: "Link not valid", Message: invalidLink})
	}
	by := "link:" + claims.Act + " via signed link"
	if person, ok := strings.CutPrefix(key, token.ContactActor); ok && (verb == token.Ack || verb == token.Resolve) {
		by = token.ContactActor + person + " via signed link" // the person the link was sent to
	}
	c.actor = by
	switch verb {
	case token.Ack, token.Resolve:
		cur, err = h.change(c.ctx, func(ctx context.Context) (incident.Incident, error) {
			return h.Lifecycle.Transition(ctx, lifecycle.Request{Incident: claims.Inc, By: by, Key: claims.Nonce}, linkStatus[verb], "")
		})
	default:
		_, err = h.decide(c.ctx, claims.Inc, key, verb == token.Approve, by, "")
		if err == nil {
			cur, err = h.Store.Get(c.ctx, claims.Inc)
		}
	}
	if err != nil {
		status, msg := h.classify(c, err)
		if status == http.StatusInternalServerError {
			return h.page(c, status, page{Heading: "Something went wrong", Message: "Nothing is known to have changed. Try the firebreak CLI.", RequestID: c.reqID})
		}
		return h.page(c, status, page{Heading: "Not done", Message: msg, Incident: &cur})
	}
	h.log().InfoContext(c.ctx, "signed link used", "request_id", c.reqID, "incident", claims.Inc, "action", claims.Act)
	return h.page(c, http.StatusOK, page{Heading: what.done, Message: what.done + " " + claims.Inc + ".", Request: request, Incident: &cur})
}

func (h *Handler) internalPage(c *call, err error) events.LambdaFunctionURLResponse {
	h.log().ErrorContext(c.ctx, "signed link failed", "request_id", c.reqID, "method", c.method, "error", err)
	return h.page(c, http.StatusInternalServerError, page{Heading: "Something went wrong", Message: "Nothing was changed. Try again later or use the firebreak CLI.", RequestID: c.reqID})
}

func (h *Handler) page(c *call, status int, p page) events.LambdaFunctionURLResponse {
	p.Style = template.CSS(pageStyle)
	var b bytes.Buffer
	if err := pages.Execute(&b, p); err != nil {
		h.log().ErrorContext(c.ctx, "page not rendered", "request_id", c.reqID, "error", err)
		status = http.StatusInternalServerError
		b.Reset()
		b.WriteString("<!doctype html><title>Firebreak</title><p>Something went wrong.</p>")
	}
	return events.LambdaFunctionURLResponse{StatusCode: status, Body: b.String(), Headers: map[string]string{
		"Content-Type":            "text/html; charset=utf-8",
		"Content-Security-Policy": pageCSP,
		"X-Frame-Options":         "DENY",
		"Referrer-Policy":         "no-referrer",
		"Cache-Control":           "no-store",
	}}
}
