package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/firebreak-ops/firebreak/internal/status"
	"github.com/firebreak-ops/firebreak/internal/token"
)

// ViewVerifier checks the viewer tokens of status-page links (token.Signer) and says
// what a token may see: one account or all, an audience's view or the responders'.
type ViewVerifier interface {
	VerifyView(ctx context.Context, tok string) (token.Scope, token.Claims, error)
}

var _ ViewVerifier = (*token.Signer)(nil)

// statusRoute is /status and /status/{rest...}: a public route (the links URL has no IAM
// caller), so the caller, if any, is read here.
func (h *Handler) statusRoute(c *call) (any, error) {
	c.actor = iamCaller(c.req)
	return pageBody{h.statusPage(c)}, nil
}

// statusPage serves the read-only status page: GET /status/<viewer token>/… on the
// links URL (no IAM caller: the token is the only way in), and also GET /status/ and
// /status/incidents/{id} for an IAM caller (and `firebreak serve`, whose caller is the
// local user). Nothing below /status changes anything.
func (h *Handler) statusPage(c *call) events.LambdaFunctionURLResponse {
	c.route = "/status"
	if c.method != http.MethodGet && c.method != http.MethodHead {
		r := statusError(http.StatusMethodNotAllowed, "The status page is read-only.")
		r.Headers["Allow"] = "GET, HEAD"
		return r
	}
	var rest []string
	for _, s := range strings.Split(c.param("rest"), "/") {
		if s != "" {
			rest = append(rest, s)
		}
	}
	scope, base := token.Scope{}, "/status/"
	// A viewer link names its token first; an IAM caller may open the pages directly
	// (/status/, /status/incidents/{id}) or through a viewer link like anyone else.
	if c.actor == "" || (len(rest) > 0 && rest[0] != "incidents") {
		c.route = "/status/{token}"
		if len(rest) == 0 {
			return statusError(http.StatusForbidden, "The status page needs a viewer link: ask for one with `firebreak status-link`.")
		}
		if !h.linkGuard().take(h.now()) {
			r := statusError(http.StatusTooManyRequests, "Too many requests right now. Try again in a minute.")
			r.Headers["Retry-After"] = "60"
			return r
		}
		v, ok := h.Tokens.(ViewVerifier)
		if !ok {
			h.log().ErrorContext(c.ctx, "status page: viewer links are not configured", "request_id", c.reqID)
			return statusError(http.StatusInternalServerError, "The status page is not available.")
		}
		sc, _, err := v.VerifyView(c.ctx, rest[0])
		if errors.Is(err, token.ErrRejected) {
			h.log().WarnContext(c.ctx, "viewer link refused", "request_id", c.reqID, "reason", err.Error(), "source_ip", c.req.RequestContext.HTTP.SourceIP)
			return statusError(http.StatusForbidden, "This viewer link cannot be used: it may have expired or been revoked. Ask for a new one.")
		}
		if err != nil {
			h.log().ErrorContext(c.ctx, "viewer link not checked", "request_id", c.reqID, "error", err)
			return statusError(http.StatusInternalServerError, "The status page is not available. Try again later.")
		}
		scope, base, rest = sc, token.ViewPath(rest[0]), rest[1:]
	}
	// The board's relative links need the trailing slash.
	if len(rest) == 0 && !strings.HasSuffix(c.req.RawPath, "/") && !strings.HasSuffix(c.req.RequestContext.HTTP.Path, "/") {
		return events.LambdaFunctionURLResponse{StatusCode: http.StatusPermanentRedirect, Headers: map[string]string{"Location": base}}
	}
	page := &status.Page{Store: h.Store, Now: h.Now, Log: h.log()}
	r := page.Render(c.ctx, status.Request{Path: strings.Join(rest, "/"), Account: c.req.QueryStringParameters["account"],
		Client: c.req.QueryStringParameters["client"], Scope: scope.Account, Audience: scope.Audience})
	body := string(r.Body)
	if c.method == http.MethodHead {
		body = ""
	}
	return events.LambdaFunctionURLResponse{StatusCode: r.Status, Headers: status.Headers(), Body: body}
}

func statusError(code int, msg string) events.LambdaFunctionURLResponse {
	r := (&status.Page{}).ErrorPage(code, msg)
	return events.LambdaFunctionURLResponse{StatusCode: r.Status, Headers: status.Headers(), Body: string(r.Body)}
}

// ViewSigner makes viewer tokens (token.Signer).
type ViewSigner interface {
	Sign(ctx context.Context, inc, action string, ttl time.Duration) (string, token.Claims, error)
}

var _ ViewSigner = (*token.Signer)(nil)

// StatusLinkRequest is POST /status-links: a viewer link for every account, or for one;
// the responders' view, or an audience's (only what was published to it).
type StatusLinkRequest struct {
	Account  string `json:"account,omitempty"`
	Audience string `json:"audience,omitempty"`
	// TTL is how long the link lives, e.g. "72h" (empty: token.ViewTTL, the most allowed).
	TTL string `json:"ttl,omitempty"`
}

// StatusLinkResponse is a viewer link's path below the links URL (the Function URL of
// the API's "links" alias) and its expiry.
type StatusLinkResponse struct {
	Path    string    `json:"path"`
	Scope   string    `json:"scope"`
	Expires time.Time `json:"expires"`
}

var (
	viewAccountRe  = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)
	viewAudienceRe = regexp.MustCompile(`^[a-z][a-z0-9-]{0,31}$`)
)

// statusLink is POST /status-links (IAM callers only).
func (h *Handler) statusLink(c *call) (any, error) {
	var req StatusLinkRequest
	if err := decode(c.body, &req); err != nil {
		return nil, err
	}
	if req.Account != "" && !viewAccountRe.MatchString(req.Account) {
		return nil, fail(errBadRequest, "field \"account\": %q is not an account id (1 to 64 letters, digits, '.', '_' or '-')", clipText(req.Account, 64))
	}
	if req.Audience != "" && !viewAudienceRe.MatchString(req.Audience) {
		return nil, fail(errBadRequest, "field \"audience\": %q: want 1 to 32 lower-case letters, digits or '-', starting with a letter", clipText(req.Audience, 64))
	}
	scope := token.Scope{Account: req.Account, Audience: req.Audience}.String()
	ttl := token.ViewTTL
	if req.TTL != "" {
		d, err := time.ParseDuration(req.TTL)
		if err != nil || d <= 0 || d > token.MaxLifetime {
			return nil, fail(errBadRequest, "field \"ttl\": %q: want a duration up to %v, e.g. 72h", clipText(req.TTL, 32), token.MaxLifetime)
		}
		ttl = d
	}
	s, ok := h.Tokens.(ViewSigner)
	if !ok {
		return nil, errors.New("status link: the handler's tokens cannot sign")
	}
	tok, claims, err := s.Sign(c.ctx, scope, token.View, ttl)
	if err != nil {
		return nil, fmt.Errorf("status link: %w", err)
	}
	h.log().InfoContext(c.ctx, "viewer link made", "request_id", c.reqID, "actor", c.actor, "scope", scope, "expires", claims.Expires)
	return createdBody{StatusLinkResponse{Path: token.ViewPath(tok), Scope: scope, Expires: claims.Expires}}, nil
}
