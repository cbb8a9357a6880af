package api

import (
	"context"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// routes is the whole API, one line per endpoint. A pattern is net/http's
// (http.ServeMux): "METHOD /path", {name} for one path segment, {name...} for the rest of
// the path; the endpoint reads them with c.param(name). A method-less pattern receives
// every method and answers the wrong ones itself.
//
// A new endpoint is a method `func (h *Handler) x(c *call) (any, error)` in a new file
// of this package, its bodies in types.go, and one line here. Returning created(v)
// answers 201, an error made with fail() its status (see statuses), anything else 200
// with v as JSON.
var routes = []route{
	{pattern: "GET /incidents", serve: (*Handler).list},
	{pattern: "GET /incidents/{id}", serve: (*Handler).show},
	{pattern: "POST /incidents/{id}/ack", serve: (*Handler).ack},
	{pattern: "POST /incidents/{id}/resolve", serve: (*Handler).resolve},
	{pattern: "POST /incidents/{id}/status", serve: (*Handler).status},
	{pattern: "POST /incidents/{id}/notes", serve: (*Handler).note},
	{pattern: "POST /incidents/{id}/links", serve: (*Handler).addLink},
	{pattern: "POST /incidents/{id}/severity", serve: (*Handler).severity},
	{pattern: "POST /incidents/{id}/owner", serve: (*Handler).owner},
	{pattern: "POST /incidents/{id}/role", serve: (*Handler).role},
	{pattern: "POST /incidents/{id}/updates", serve: (*Handler).postUpdate},
	{pattern: "POST /incidents/{id}/approvals/{key...}", serve: (*Handler).decision}, // {key}/approve|reject; a key holds '/'
	{pattern: "GET /incidents/{id}/review", serve: followup(func(h *Handler, c *call) (any, error) { return h.showReview(c, c.param("id")) })},
	{pattern: "POST /incidents/{id}/review/edit", serve: followup(func(h *Handler, c *call) (any, error) { return h.editReview(c, c.param("id")) })},
	{pattern: "POST /incidents/{id}/review/complete", serve: followup(func(h *Handler, c *call) (any, error) { return h.completeReview(c, c.param("id")) })},
	{pattern: "GET /actions", serve: followup((*Handler).listActions)},
	{pattern: "POST /actions", serve: followup((*Handler).addAction)},
	{pattern: "POST /actions/{id}/done", serve: followup(func(h *Handler, c *call) (any, error) { return h.closeAction(c, c.param("id"), "done") })},
	{pattern: "POST /actions/{id}/wontdo", serve: followup(func(h *Handler, c *call) (any, error) { return h.closeAction(c, c.param("id"), "wontdo") })},
	{pattern: "GET /oncall", serve: (*Handler).onCallNow},
	{pattern: "GET /oncall/overrides", serve: (*Handler).listOverrides},
	{pattern: "POST /oncall/overrides", serve: (*Handler).addOverride},
	{pattern: "DELETE /oncall/overrides/{schedule}/{id}", serve: (*Handler).removeStoredOverride},
	{pattern: "GET /oncall/{schedule}/shifts", serve: (*Handler).shiftsOf},
	{pattern: "GET /oncall/{schedule}/ics", serve: (*Handler).icsOf},
	{pattern: "GET /problems", serve: problems((*Handler).listProblems)},
	{pattern: "POST /problems", serve: problems((*Handler).openProblem)},
	{pattern: "GET /problems/{id}", serve: problems(func(h *Handler, c *call) (any, error) {
		v, err := h.showProblem(c.ctx, c.param("id"))
		return v, problemErr(err)
	})},
	{pattern: "POST /problems/{id}/link", serve: problems(func(h *Handler, c *call) (any, error) { return h.changeProblem(c, c.param("id"), "link") })},
	{pattern: "POST /problems/{id}/status", serve: problems(func(h *Handler, c *call) (any, error) { return h.changeProblem(c, c.param("id"), "status") })},
	{pattern: "POST /problems/{id}/note", serve: problems(func(h *Handler, c *call) (any, error) { return h.changeProblem(c, c.param("id"), "note") })},
	{pattern: "GET /report", serve: problems((*Handler).report)},
	{pattern: "GET /silences", serve: (*Handler).silences},
	{pattern: "POST /silences", serve: (*Handler).addSilence},
	{pattern: "DELETE /silences/{id}", serve: (*Handler).endSilence},
	{pattern: "/t/{token}", serve: (*Handler).signedLink, public: true},
	{pattern: "POST /status-links", serve: (*Handler).statusLink},
	{pattern: "/status", serve: (*Handler).statusRoute, public: true}, // the status page: viewer links, or IAM callers
	{pattern: "/status/{rest...}", serve: (*Handler).statusRoute, public: true},
}

// route is one endpoint.
type route struct {
	pattern string
	serve   func(h *Handler, c *call) (any, error)
	// public routes answer callers without IAM credentials (the links URL); every other
	// route answers them 403.
	public bool
	method string // of the pattern; "" for any
}

// mux matches requests to routes: the registered handlers only record which route
// matched (the call's match), serve runs it.
var mux = newMux(routes)

type matchKey struct{}

// match is what the mux found for a request.
type match struct {
	route *route
	req   *http.Request // holds the path wildcards (PathValue)
}

func newMux(rs []route) *http.ServeMux {
	m := http.NewServeMux()
	for i := range rs {
		rt := &rs[i]
		if method, _, ok := strings.Cut(rt.pattern, " "); ok {
			rt.method = method
		}
		// Handle panics on a malformed or conflicting pattern: a programming error that
		// every test of this package meets at once, as regexp.MustCompile.
		m.Handle(rt.pattern, http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
			if found, ok := r.Context().Value(matchKey{}).(*match); ok {
				found.route, found.req = rt, r
			}
		}))
	}
	return m
}

// methods are the methods a route may name, in the order an Allow header lists them.
var methods = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

// find returns the route for c's method and path, or the error to answer: 404 for a
// path no route has, 405 (and the methods allowed in c.allow) for a method it has not.
func find(c *call, segs []string) (*route, *http.Request, error) {
	u := pathURL(segs)
	found := &match{}
	r := &http.Request{Method: c.method, URL: u, Host: "api", Header: http.Header{}}
	mux.ServeHTTP(discard{}, r.WithContext(context.WithValue(c.ctx, matchKey{}, found)))
	if rt := found.route; rt != nil && (rt.method == "" || rt.method == c.method) {
		return rt, found.req, nil
	}
	// The mux answers HEAD with a GET route; here only the methods named are served.
	if allow := allowed(u); allow != "" {
		c.allow = allow
		return nil, nil, &public{kind: errMethod, msg: fmt.Sprintf("%s is not allowed here (allowed: %s)", c.method, allow)}
	}
	return nil, nil, fail(errNotFound, "no such route: %s %s", c.method, u.Path)
}

// allowed lists the methods the routes serve on the path of u, for an Allow header.
func allowed(u *url.URL) string {
	var out []string
	for _, m := range methods {
		if _, pattern := mux.Handler(&http.Request{Method: m, URL: u, Host: "api"}); pattern != "" {
			out = append(out, m)
		}
	}
	return strings.Join(out, ", ")
}

// pathURL is the URL of decoded path segments, each escaped again so that a '/' inside
// one (an approval key) stays inside its wildcard.
func pathURL(segs []string) *url.URL {
	esc := make([]string, len(segs))
	for i, s := range segs {
		esc[i] = url.PathEscape(s)
	}
	return &url.URL{Path: "/" + strings.Join(segs, "/"), RawPath: "/" + strings.Join(esc, "/")}
}

// discard is the ResponseWriter the mux writes its own 404 and 405 answers to; find
// answers those itself.
type discard struct{}

func (discard) Header() http.Header         { return http.Header{} }
func (discard) Write(b []byte) (int, error) { return len(b), nil }
func (discard) WriteHeader(int)             {}

// checkMediaType refuses a POST whose body is not JSON: a browser cannot send a
// cross-site JSON POST without a CORS preflight, which nothing here answers.
func checkMediaType(c *call, rt *route) error {
	if rt.method != http.MethodPost {
		return nil
	}
	mt, _, err := mime.ParseMediaType(header(c.req, "content-type"))
	if err != nil || mt != "application/json" {
		return fail(errMediaType, "Content-Type must be application/json")
	}
	return nil
}

// created marks a 201 answer.
func created(v any) any { return createdBody{v} }

// createdBody marks a 201 response.
type createdBody struct{ v any }

// pageBody is a response the route made whole (an HTML page), sent as it is.
type pageBody struct {
	resp events.LambdaFunctionURLResponse
}

// The adapters of routes whose handlers take their path values as arguments.

// decision is POST /incidents/{id}/approvals/{key}/approve|reject.
func (h *Handler) decision(c *call) (any, error) {
	key, verb, _ := cutLast(c.param("key"), "/")
	if key == "" || (verb != "approve" && verb != "reject") {
		return nil, fail(errNotFound, "no such route: %s %s (want …/approvals/{key}/approve or /reject)", c.method, c.path)
	}
	return h.approval(c, c.param("id"), key, verb == "approve")
}

func (h *Handler) signedLink(c *call) (any, error) {
	return pageBody{h.link(c, c.param("token"))}, nil
}

func cutLast(s, sep string) (before, after string, found bool) {
	if i := strings.LastIndex(s, sep); i >= 0 {
		return s[:i], s[i+len(sep):], true
	}
	return "", s, false
}
