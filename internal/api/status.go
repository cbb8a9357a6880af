package api

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/firebreak-ops/firebreak/internal/status"
	"github.com/firebreak-ops/firebreak/internal/token"
)

// ViewVerifier checks the viewer tokens of status-page links (token.Signer) and says
// which account, if one, a token is limited to.
type ViewVerifier interface {
	VerifyView(ctx context.Context, tok string) (string, token.Claims, error)
}

var _ ViewVerifier = (*token.Signer)(nil)

// statusPage serves the read-only status page: GET /status/<viewer token>/… on the
// links URL (no IAM caller: the token is the only way in), GET /status/… for an IAM
// caller (and `firebreak serve`, whose caller is the local user). Nothing below
// /status changes anything.
func (h *Handler) statusPage(c *call) events.LambdaFunctionURLResponse {
	c.route = "/status"
	if c.method != http.MethodGet && c.method != http.MethodHead {
		r := statusError(http.StatusMethodNotAllowed, "The status page is read-only.")
		r.Headers["Allow"] = "GET, HEAD"
		return r
	}
	rest, scope, base := c.segs[1:], "", "/status/"
	if c.actor == "" {
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
		account, _, err := v.VerifyView(c.ctx, rest[0])
		if errors.Is(err, token.ErrRejected) {
			h.log().WarnContext(c.ctx, "viewer link refused", "request_id", c.reqID, "reason", err.Error(), "source_ip", c.req.RequestContext.HTTP.SourceIP)
			return statusError(http.StatusForbidden, "This viewer link cannot be used: it may have expired or been revoked. Ask for a new one.")
		}
		if err != nil {
			h.log().ErrorContext(c.ctx, "viewer link not checked", "request_id", c.reqID, "error", err)
			return statusError(http.StatusInternalServerError, "The status page is not available. Try again later.")
		}
		scope, base, rest = account, token.ViewPath(rest[0]), rest[1:]
	}
	// The board's relative links need the trailing slash.
	if len(rest) == 0 && !strings.HasSuffix(c.req.RawPath, "/") && !strings.HasSuffix(c.req.RequestContext.HTTP.Path, "/") {
		return events.LambdaFunctionURLResponse{StatusCode: http.StatusPermanentRedirect, Headers: map[string]string{"Location": base}}
	}
	page := &status.Page{Store: h.Store, Now: h.Now, Log: h.log()}
	r := page.Render(c.ctx, status.Request{Path: strings.Join(rest, "/"), Account: c.req.QueryStringParameters["account"], Scope: scope})
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
