// Package api is Firebreak's HTTP API, served by the api Lambda behind Function URLs and
// by `firebreak serve` on a laptop: list and read incidents, acknowledge, resolve, add
// notes and links, change severity and owner, decide runbook approvals, manage silences,
// and the one-click signed links of notifications. routes.go lists every endpoint as a
// net/http method-and-path pattern; types.go holds every request and response body,
// which the firebreak CLI sends and reads too.
//
// The api function has two URLs. Its own URL uses AuthType AWS_IAM: Lambda checks the
// caller's SigV4 signature before the code runs and passes the caller in
// requestContext.authorizer.iam, and such callers get the whole API with their ARN as
// the actor. The URL of its "links" alias uses AuthType NONE, for link clicks from mail:
// without an IAM caller only /t/{token} answers, everything else is 403.
//
// Errors: a bad request is 400 with a message that says what to fix, an unknown
// incident 404, an action the incident's state does not allow 409, anything else 500
// with only {"error":"internal error","request_id":…}; the detail is logged.
package api

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/firebreak-ops/firebreak/internal/action"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/lifecycle"
	"github.com/firebreak-ops/firebreak/internal/report"
	"github.com/firebreak-ops/firebreak/internal/review"
	"github.com/firebreak-ops/firebreak/internal/silence"
	"github.com/firebreak-ops/firebreak/internal/store"
	"github.com/firebreak-ops/firebreak/internal/token"
)

// Incidents reads incidents.
type Incidents interface {
	Get(ctx context.Context, id string) (incident.Incident, error)
	List(ctx context.Context, f store.Filter) ([]incident.Incident, error)
	Timeline(ctx context.Context, id string) ([]incident.Entry, error)
}

// Approvals reads and decides runbook approvals and records decisions on the timeline.
type Approvals interface {
	Approvals(ctx context.Context, id string) ([]store.Approval, error)
	Decide(ctx context.Context, id, key, decision, by string, at time.Time) (store.Approval, error)
	AddEntries(ctx context.Context, entries ...incident.Entry) error
}

// Silences stores ad hoc silences.
type Silences interface {
	PutSilence(ctx context.Context, s silence.Silence) error
	Silences(ctx context.Context) ([]silence.Silence, error)
}

// Nonces spends the nonces of signed links: false when one was spent before.
type Nonces interface {
	UseToken(ctx context.Context, nonce string, expires time.Time) (bool, error)
}

// Store is what the API reads and writes directly (changes of an incident go through
// the lifecycle service).
type Store interface {
	Incidents
	Approvals
	Silences
	Nonces
	Overrides // on call (oncall.go)
}

var (
	_ Store = (*store.Memory)(nil)
	_ Store = (*store.Dynamo)(nil)
)

// Verifier checks signed links (token.Signer).
type Verifier interface {
	Verify(ctx context.Context, tok, inc, action string) (token.Claims, error)
}

var _ Verifier = (*token.Signer)(nil)

// Steps runs each change a person makes together with what follows from it, one at a
// time: under `firebreak serve` the local pipeline dispatches the change (as the table's
// stream does in AWS) and runs the clocks (pipeline.Local).
type Steps interface {
	Do(ctx context.Context, f func(ctx context.Context) error) error
}

// Handler serves the API. Handle never returns an error: every failure is a response.
type Handler struct {
	Store     Store
	Lifecycle *lifecycle.Service
	Approver  Approver
	Tokens    Verifier
	Steps     Steps // nil: changes run directly (in AWS the stream reacts to them)
	Now       func() time.Time
	Rand      io.Reader    // silence ids and request ids; nil: crypto/rand
	Log       *slog.Logger // nil: discard
	// LinkRate overrides the link requests answered per second (burst twice that);
	// 0 means LinkRate.
	LinkRate float64

	// Reviews and Actions serve post-incident reviews and tracked actions (reviews.go);
	// nil: those routes answer 404.
	Reviews *review.Service
	Actions *action.Service

	// Problems serves /problems and /report (problems.go); nil: not served.
	Problems       Problems
	ReportSections []report.Contributor // further report sections (actions, reviews)

	guardOnce sync.Once
	guard     *bucket
}

// do runs one change (see Steps).
func (h *Handler) do(ctx context.Context, f func(ctx context.Context) error) error {
	if h.Steps == nil {
		return f(ctx)
	}
	return h.Steps.Do(ctx, f)
}

// MaxBody bounds a request body.
const MaxBody = 64 << 10

// Limits of list requests.
const (
	DefaultLimit = 100
	MaxLimit     = 1000
)

// Errors the handlers return; respond maps them to statuses.
var (
	errBadRequest = errors.New("bad request")            // 400
	errForbidden  = errors.New("forbidden")              // 403
	errNotFound   = errors.New("not found")              // 404
	errMethod     = errors.New("method not allowed")     // 405
	errConflict   = errors.New("conflict")               // 409
	errTooLarge   = errors.New("body too large")         // 413
	errMediaType  = errors.New("unsupported media type") // 415
)

// public is an error whose message is safe to show the caller.
type public struct {
	kind error
	msg  string
}

func (p *public) Error() string { return p.msg }
func (p *public) Unwrap() error { return p.kind }

func fail(kind error, format string, args ...any) error {
	return &public{kind: kind, msg: fmt.Sprintf(format, args...)}
}

// call is one request as the routes see it.
type call struct {
	ctx     context.Context
	req     events.LambdaFunctionURLRequest
	method  string
	path    string        // decoded, for messages
	match   *http.Request // the request the mux matched: its path values
	route   string        // the route's pattern, for logs (never the token)
	allow   string        // the methods allowed, for a 405's Allow header
	body    []byte
	actor   string // the IAM caller; "" for link clicks
	reqID   string
	started time.Time
}

// param is the path wildcard name of the route's pattern ({id} in /incidents/{id}).
func (c *call) param(name string) string {
	if c.match == nil {
		return ""
	}
	return c.match.PathValue(name)
}

// Handle serves one Function URL request.
func (h *Handler) Handle(ctx context.Context, req events.LambdaFunctionURLRequest) (events.LambdaFunctionURLResponse, error) {
	c := &call{ctx: ctx, req: req, method: strings.ToUpper(req.RequestContext.HTTP.Method), reqID: req.RequestContext.RequestID, started: h.now()}
	if c.reqID == "" {
		c.reqID = h.randomID(8)
	}
	resp := h.serve(c)
	if resp.Headers == nil {
		resp.Headers = map[string]string{}
	}
	resp.Headers["X-Request-Id"] = c.reqID
	resp.Headers["Cache-Control"] = "no-store"
	resp.Headers["X-Content-Type-Options"] = "nosniff"
	h.log().InfoContext(ctx, "api request", "request_id", c.reqID, "method", c.method, "route", c.route, "status", resp.StatusCode,
		"actor", c.actor, "ms", h.now().Sub(c.started).Milliseconds())
	return resp, nil
}

// serve checks the path and body, finds the route (see routes), checks the caller and
// runs the route.
func (h *Handler) serve(c *call) events.LambdaFunctionURLResponse {
	path := c.req.RawPath
	if path == "" {
		path = c.req.RequestContext.HTTP.Path
	}
	segs, err := segments(path)
	if err != nil {
		c.route = "?"
		return h.respond(c, nil, err)
	}
	c.path = "/" + strings.Join(segs, "/")
	body, err := readBody(c.req)
	if err != nil {
		c.route = "?"
		return h.respond(c, nil, err)
	}
	c.body = body
	rt, match, err := find(c, segs)
	if rt == nil || !rt.public {
		if c.actor = iamCaller(c.req); c.actor == "" {
			c.route = "forbidden"
			return h.respond(c, nil, fail(errForbidden, "this URL accepts signed links only: use the IAM-authenticated API URL"))
		}
	}
	if err != nil {
		c.route = "unknown"
		return h.respond(c, nil, err)
	}
	c.route, c.match = rt.pattern, match
	if err := checkMediaType(c, rt); err != nil {
		return h.respond(c, nil, err)
	}
	v, err := rt.serve(h, c)
	return h.respond(c, v, err)
}

// iamCaller is the caller Lambda authenticated (AuthType AWS_IAM): its ARN, else its
// caller id; "" on the links URL.
func iamCaller(req events.LambdaFunctionURLRequest) string {
	iam := req.RequestContext.Authorizer
	if iam == nil || iam.IAM == nil {
		return ""
	}
	if iam.IAM.UserARN != "" {
		return iam.IAM.UserARN
	}
	return iam.IAM.CallerID
}

func header(req events.LambdaFunctionURLRequest, name string) string {
	for k, v := range req.Headers {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

// segments splits a raw (percent-encoded) path into decoded segments. Empty, "." and
// ".." segments are refused: no route names them, and the mux would redirect them.
func segments(path string) ([]string, error) {
	path = strings.Trim(path, "/")
	if path == "" {
		return nil, nil
	}
	raw := strings.Split(path, "/")
	out := make([]string, len(raw))
	for i, r := range raw {
		s, err := url.PathUnescape(r)
		if err != nil || s == "" || s == "." || s == ".." || len(s) > 1024 || strings.ContainsAny(s, "\x00\r\n") {
			return nil, fail(errBadRequest, "the path is not valid: segment %d", i+1)
		}
		out[i] = s
	}
	return out, nil
}

func readBody(req events.LambdaFunctionURLRequest) ([]byte, error) {
	if !req.IsBase64Encoded {
		if len(req.Body) > MaxBody {
			return nil, fail(errTooLarge, "the body is larger than %d KiB", MaxBody>>10)
		}
		return []byte(req.Body), nil
	}
	if base64.StdEncoding.DecodedLen(len(req.Body)) > MaxBody+3 {
		return nil, fail(errTooLarge, "the body is larger than %d KiB", MaxBody>>10)
	}
	b, err := base64.StdEncoding.DecodeString(req.Body)
	if err != nil {
		return nil, fail(errBadRequest, "the body is not valid base64")
	}
	if len(b) > MaxBody {
		return nil, fail(errTooLarge, "the body is larger than %d KiB", MaxBody>>10)
	}
	return b, nil
}

// decode reads a JSON body strictly: unknown fields and trailing data are errors. An
// empty body is an empty object.
func decode(body []byte, v any) error {
	if len(strings.TrimSpace(string(body))) == 0 {
		body = []byte("{}")
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		var tpe *time.ParseError
		switch {
		case errors.As(err, &tpe):
			return fail(errBadRequest, "%q is not an RFC 3339 time like 2026-11-02T15:04:05Z", tpe.Value)
		case errors.As(err, &syn):
			return fail(errBadRequest, "the body is not valid JSON (at byte %d)", syn.Offset)
		case errors.As(err, &typ):
			if typ.Field == "" {
				return fail(errBadRequest, "the body must be a JSON object")
			}
			return fail(errBadRequest, "field %q: want a %s, got %s", typ.Field, jsonKind(typ.Type.Kind().String()), typ.Value)
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			return fail(errBadRequest, "unknown field %s", strings.TrimPrefix(err.Error(), "json: unknown field "))
		case errors.Is(err, io.ErrUnexpectedEOF):
			return fail(errBadRequest, "the body is truncated JSON")
		}
		return fail(errBadRequest, "the body is not a valid JSON object")
	}
	if dec.More() {
		return fail(errBadRequest, "the body holds more than one JSON value")
	}
	return nil
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "string"
	case "int", "int64", "float64":
		return "number"
	case "bool":
		return "boolean"
	case "map", "struct":
		return "object"
	case "slice":
		return "array"
	}
	return goKind
}

var keyRe = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,128}$`)

// request builds the lifecycle request: the caller and the Idempotency-Key.
func request(c *call, id string) (lifecycle.Request, error) {
	key := header(c.req, "idempotency-key")
	if key != "" && !keyRe.MatchString(key) {
		return lifecycle.Request{}, fail(errBadRequest, "Idempotency-Key must be 1 to 128 letters, digits, '.', '_', ':' or '-'")
	}
	return lifecycle.Request{Incident: id, By: c.actor, Key: key}, nil
}

var statuses = []struct {
	kind   error
	status int
}{
	{errBadRequest, http.StatusBadRequest}, {lifecycle.ErrInvalid, http.StatusBadRequest},
	{errForbidden, http.StatusForbidden},
	{errNotFound, http.StatusNotFound},
	{errMethod, http.StatusMethodNotAllowed},
	{errConflict, http.StatusConflict}, {lifecycle.ErrConflict, http.StatusConflict},
	{store.ErrHeld, http.StatusConflict}, // the same request is being done: the client retries
	{errTooLarge, http.StatusRequestEntityTooLarge},
	{errMediaType, http.StatusUnsupportedMediaType},
}

// classify maps an error to its status and the message the caller may see.
func (h *Handler) classify(c *call, err error) (int, string) {
	for _, s := range statuses {
		if e := branch(err, s.kind); e != nil {
			return s.status, e.Error()
		}
	}
	if branch(err, store.ErrNotFound) != nil {
		// An incident (or approval) the route named does not exist; the store's message
		// is not shown, the route's is.
		return http.StatusNotFound, "not found"
	}
	h.log().ErrorContext(c.ctx, "api request failed", "request_id", c.reqID, "method", c.method, "route", c.route, "actor", c.actor, "error", err)
	return http.StatusInternalServerError, "internal error"
}

// branch is the part of err that is about kind: err itself, unless err is an action
// that failed and whose claim could not be released either (store.ReleaseError); then
// the action's failure, whose message is the caller's to see (the release's is not).
func branch(err, kind error) error {
	if !errors.Is(err, kind) {
		return nil
	}
	var re *store.ReleaseError
	if errors.As(err, &re) && errors.Is(re.Err, kind) {
		return branch(re.Err, kind)
	}
	return err
}

func (h *Handler) respond(c *call, v any, err error) events.LambdaFunctionURLResponse {
	if p, ok := v.(pageBody); ok && err == nil {
		return p.resp
	}
	status := http.StatusOK
	if created, ok := v.(createdBody); ok {
		status, v = http.StatusCreated, created.v
	}
	if err != nil {
		code, msg := h.classify(c, err)
		status, v = code, ErrorResponse{Error: msg, RequestID: c.reqID}
	}
	if raw, ok := v.(rawBody); ok {
		return events.LambdaFunctionURLResponse{StatusCode: status, Body: raw.body, Headers: map[string]string{"Content-Type": raw.contentType}}
	}
	b, merr := json.Marshal(v)
	if merr != nil {
		h.log().ErrorContext(c.ctx, "api response not encoded", "request_id", c.reqID, "route", c.route, "error", merr)
		status, b = http.StatusInternalServerError, []byte(fmt.Sprintf(`{"error":"internal error","request_id":%q}`, c.reqID))
	}
	resp := events.LambdaFunctionURLResponse{StatusCode: status, Body: string(b) + "\n",
		Headers: map[string]string{"Content-Type": "application/json; charset=utf-8"}}
	if status == http.StatusMethodNotAllowed {
		resp.Headers["Allow"] = c.allow
	}
	return resp
}

func (h *Handler) now() time.Time {
	if h.Now == nil {
		return time.Now().UTC()
	}
	return h.Now().UTC()
}

func (h *Handler) log() *slog.Logger {
	if h.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return h.Log
}

func (h *Handler) random() io.Reader {
	if h.Rand == nil {
		return rand.Reader
	}
	return h.Rand
}

func (h *Handler) randomID(n int) string {
	b := make([]byte, n)
	if _, err := io.ReadFull(h.random(), b); err != nil {
		return fmt.Sprintf("%x", h.now().UnixNano())
	}
	return hex.EncodeToString(b)
}
