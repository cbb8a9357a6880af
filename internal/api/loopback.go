package api

import (
	"context"
	"encoding/base64"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
)

// FunctionURLHandler is what Loopback serves: the API handler's Handle.
type FunctionURLHandler interface {
	Handle(ctx context.Context, req events.LambdaFunctionURLRequest) (events.LambdaFunctionURLResponse, error)
}

// Loopback serves a Function URL handler over net/http for `firebreak serve`: each
// request becomes the events.LambdaFunctionURLRequest Lambda would pass, with Actor as
// the IAM caller, and the response goes back as Lambda would send it. It answers only
// requests from and addressed to the loopback interface (a DNS-rebinding page in a
// browser names another host).
type Loopback struct {
	Handler FunctionURLHandler
	Actor   string // e.g. "local:alice"
	Now     func() time.Time
	NewID   func() string // request ids
}

// maxLoopbackBody is read before the handler's own limit applies (it answers 413).
const maxLoopbackBody = 1 << 20

// ServeHTTP adapts one request.
func (l *Loopback) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !loopbackAddr(r.RemoteAddr) || !loopbackHost(r.Host) {
		http.Error(w, "firebreak serve answers only on the loopback interface", http.StatusForbidden)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxLoopbackBody+1))
	if err != nil {
		http.Error(w, "cannot read the request body", http.StatusBadRequest)
		return
	}
	if len(body) > maxLoopbackBody {
		http.Error(w, "the body is too large", http.StatusRequestEntityTooLarge)
		return
	}
	now := time.Now().UTC()
	if l.Now != nil {
		now = l.Now().UTC()
	}
	req := events.LambdaFunctionURLRequest{
		Version:        "2.0",
		RawPath:        r.URL.EscapedPath(),
		RawQueryString: r.URL.RawQuery,
		Headers:        map[string]string{},
		RequestContext: events.LambdaFunctionURLRequestContext{
			AccountID:  "local",
			DomainName: r.Host,
			Time:       now.Format("02/Jan/2006:15:04:05 -0700"),
			TimeEpoch:  now.UnixMilli(),
			HTTP: events.LambdaFunctionURLRequestContextHTTPDescription{
				Method: r.Method, Path: r.URL.Path, Protocol: r.Proto, SourceIP: host(r.RemoteAddr), UserAgent: r.UserAgent(),
			},
			Authorizer: &events.LambdaFunctionURLRequestContextAuthorizerDescription{
				IAM: &events.LambdaFunctionURLRequestContextAuthorizerIAMDescription{UserARN: l.Actor, CallerID: l.Actor, AccountID: "local"},
			},
		},
	}
	if l.NewID != nil {
		req.RequestContext.RequestID = l.NewID()
	}
	// As Function URLs do: header names in lower case, repeated values joined by commas;
	// the same for query parameters.
	for k, v := range r.Header {
		req.Headers[strings.ToLower(k)] = strings.Join(v, ",")
	}
	if q := r.URL.Query(); len(q) > 0 {
		req.QueryStringParameters = map[string]string{}
		for k, v := range q {
			req.QueryStringParameters[k] = strings.Join(v, ",")
		}
	}
	if utf8.Valid(body) {
		req.Body = string(body)
	} else {
		req.Body, req.IsBase64Encoded = base64.StdEncoding.EncodeToString(body), true
	}
	resp, err := l.Handler.Handle(r.Context(), req)
	if err != nil { // Lambda answers a failed invocation with 502
		http.Error(w, "Internal Server Error", http.StatusBadGateway)
		return
	}
	out := []byte(resp.Body)
	if resp.IsBase64Encoded {
		if out, err = base64.StdEncoding.DecodeString(resp.Body); err != nil {
			http.Error(w, "Internal Server Error", http.StatusBadGateway)
			return
		}
	}
	for k, v := range resp.Headers {
		w.Header().Set(k, v)
	}
	for _, c := range resp.Cookies {
		w.Header().Add("Set-Cookie", c)
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(out)
}

func host(addr string) string {
	h, _, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	return h
}

func loopbackAddr(addr string) bool {
	ip := net.ParseIP(host(addr))
	return ip != nil && ip.IsLoopback()
}

// loopbackHost reports whether a Host header names the loopback interface.
func loopbackHost(h string) bool {
	if hh, _, err := net.SplitHostPort(h); err == nil {
		h = hh
	}
	h = strings.Trim(h, "[]")
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// LoopbackHost reports whether host (without a port) is a loopback address or localhost.
func LoopbackHost(h string) bool { return loopbackHost(h) }
