// Package chaos runs Firebreak's AWS calls through faults: a proxy on 127.0.0.1 in front
// of a local AWS-protocol endpoint (dynalite, the recording SNS and Step Functions
// endpoints) that, at a configured rate and seed, answers the errors AWS answers under
// load, answers too late, drops connections, or fails a write after it happened.
package chaos

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Kind is a kind of fault.
type Kind string

// The faults the proxy injects.
const (
	// Throttling answers HTTP 400 ThrottlingException (DynamoDB's and Step Functions'
	// JSON protocol) or Throttling (SNS's query protocol): the SDK retries it.
	Throttling Kind = "throttling"
	// ProvisionedThroughput answers HTTP 400 ProvisionedThroughputExceededException
	// (DynamoDB): the SDK retries it.
	ProvisionedThroughput Kind = "provisioned-throughput"
	// InternalError answers HTTP 500 before forwarding.
	InternalError Kind = "http-500"
	// Unavailable answers HTTP 503 before forwarding.
	Unavailable Kind = "http-503"
	// Slow forwards the request only after the client's timeout (Options.Slow): the
	// client gives up, and the request still lands, late.
	Slow Kind = "slow"
	// Dropped closes the connection without an answer, before forwarding.
	Dropped Kind = "dropped"
	// AfterWrite forwards a write, then answers HTTP 500: the write happened; the
	// client saw an error. Only writes get it.
	AfterWrite Kind = "after-write"
)

// AllKinds is every kind of fault, in a fixed order.
var AllKinds = []Kind{Throttling, ProvisionedThroughput, InternalError, Unavailable, Slow, Dropped, AfterWrite}

// Options configure a proxy.
type Options struct {
	Rate  float64       // share of requests that get a fault, 0..1
	Seed  uint64        // the faults' random sequence
	Kinds []Kind        // the kinds drawn from (default AllKinds)
	Slow  time.Duration // how late a Slow request is forwarded (default 2s)
}

// Proxy forwards requests to a target, injecting faults. Safe for concurrent use.
type Proxy struct {
	URL string // http://127.0.0.1:<port>

	opts    Options
	target  *url.URL
	forward *httputil.ReverseProxy
	srv     *http.Server
	lis     net.Listener
	late    sync.WaitGroup // Slow requests still to land

	mu        sync.Mutex
	rng       *rand.Rand
	faults    map[Kind]int
	ambiguous map[string]int
	forwarded int
	retries   int
}

// Retries returns how many requests were SDK retries (amz-sdk-request: attempt=N, N>1).
func (p *Proxy) Retries() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.retries
}

// Start listens on 127.0.0.1 and forwards to target (an http:// URL).
func Start(target string, o Options) (*Proxy, error) {
	u, err := url.Parse(target)
	if err != nil || u.Scheme != "http" || u.Host == "" {
		return nil, fmt.Errorf("chaos proxy: target %q: want http://host:port", target)
	}
	if o.Rate < 0 || o.Rate > 1 {
		return nil, fmt.Errorf("chaos proxy: rate %v: want 0..1", o.Rate)
	}
	if len(o.Kinds) == 0 {
		o.Kinds = AllKinds
	}
	if o.Slow <= 0 {
		o.Slow = 2 * time.Second
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("chaos proxy: %w", err)
	}
	p := &Proxy{URL: "http://" + lis.Addr().String(), opts: o, target: u, lis: lis,
		rng: rand.New(rand.NewPCG(o.Seed, 0x5eed)), faults: map[Kind]int{}, ambiguous: map[string]int{}}
	p.forward = &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) { r.SetURL(u); r.Out.Host = u.Host }}
	p.srv = &http.Server{Handler: p, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = p.srv.Serve(lis) }()
	return p, nil
}

// Close stops the proxy after the requests in flight have been answered and the late
// (Slow) requests have landed: the handlers end first, so every late request has been
// counted before Close waits for it.
func (p *Proxy) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), p.opts.Slow+5*time.Second)
	defer cancel()
	if err := p.srv.Shutdown(ctx); err != nil {
		_ = p.srv.Close()
	}
	p.late.Wait()
}

// Faults returns how many faults of each kind the proxy injected.
func (p *Proxy) Faults() map[Kind]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make(map[Kind]int, len(p.faults))
	for k, n := range p.faults {
		out[k] = n
	}
	return out
}

// Forwarded returns how many requests reached the target.
func (p *Proxy) Forwarded() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.forwarded
}

// draw decides the fault for one request ("" for none).
func (p *Proxy) draw(op string, write bool) Kind {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.opts.Rate == 0 || p.rng.Float64() >= p.opts.Rate {
		p.forwarded++
		return ""
	}
	k := p.opts.Kinds[p.rng.IntN(len(p.opts.Kinds))]
	if k == AfterWrite && !write {
		k = InternalError
	}
	p.faults[k]++
	if k == Slow || k == AfterWrite {
		p.forwarded++
		if write {
			p.ambiguous[op]++
		}
	}
	return k
}

// Ambiguous returns, by operation, the writes that happened while their client saw a
// failure (Slow, AfterWrite): a retry of one repeats it unless the call is idempotent.
func (p *Proxy) Ambiguous() map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make(map[string]int, len(p.ambiguous))
	for k, n := range p.ambiguous {
		out[k] = n
	}
	return out
}

func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, "read body: "+err.Error(), http.StatusBadRequest)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	op := operation(r, body)
	if a := r.Header.Get("Amz-Sdk-Request"); strings.HasPrefix(a, "attempt=") && !strings.HasPrefix(a, "attempt=1;") && a != "attempt=1" {
		p.mu.Lock()
		p.retries++
		p.mu.Unlock()
	}
	switch p.draw(op, isWrite(op)) {
	case "":
		p.forward.ServeHTTP(w, r)
	case Throttling:
		p.awsError(w, r, http.StatusBadRequest, "ThrottlingException", "Throttling", "Rate exceeded")
	case ProvisionedThroughput:
		p.awsError(w, r, http.StatusBadRequest, "ProvisionedThroughputExceededException", "Throttling",
			"The level of configured provisioned throughput for the table was exceeded.")
	case InternalError:
		p.awsError(w, r, http.StatusInternalServerError, "InternalServerError", "InternalFailure", "Internal server error")
	case Unavailable:
		p.awsError(w, r, http.StatusServiceUnavailable, "ServiceUnavailable", "ServiceUnavailable", "Service unavailable")
	case Dropped:
		drop(w)
	case Slow:
		// The client times out; the request lands later, on its own.
		p.late.Add(1)
		out := r.Clone(context.WithoutCancel(r.Context()))
		go func() {
			defer p.late.Done()
			time.Sleep(p.opts.Slow)
			out.Body = io.NopCloser(bytes.NewReader(body))
			p.forward.ServeHTTP(discard{header: http.Header{}}, out)
		}()
		select {
		case <-r.Context().Done():
		case <-time.After(p.opts.Slow + time.Second):
			drop(w)
		}
	case AfterWrite:
		p.forward.ServeHTTP(discard{header: http.Header{}}, r)
		p.awsError(w, r, http.StatusInternalServerError, "InternalServerError", "InternalFailure", "Internal server error (after the write)")
	}
}

// drop closes the connection without a response.
func drop(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler) // net/http closes the connection without a response
}

// awsError answers an error in the request's protocol: JSON (X-Amz-Target: DynamoDB,
// Step Functions) or query/XML (SNS).
func (p *Proxy) awsError(w http.ResponseWriter, r *http.Request, status int, jsonCode, queryCode, msg string) {
	if r.Header.Get("X-Amz-Target") != "" {
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"__type":"com.amazonaws.dynamodb.v20120810#%s","message":%q}`, jsonCode, msg)
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	kind := "Sender"
	if status >= 500 {
		kind = "Receiver"
	}
	fmt.Fprintf(w, `<ErrorResponse><Error><Type>%s</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>chaos</RequestId></ErrorResponse>`, kind, queryCode, msg)
}

// operation names the API operation of a request: the X-Amz-Target suffix (JSON
// protocols) or the query protocol's Action.
func operation(r *http.Request, body []byte) string {
	if t := r.Header.Get("X-Amz-Target"); t != "" {
		_, op, _ := strings.Cut(t, ".")
		return op
	}
	if v, err := url.ParseQuery(string(body)); err == nil {
		return v.Get("Action")
	}
	return ""
}

// isWrite reports whether an operation changes state.
func isWrite(op string) bool {
	switch op {
	case "PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems",
		"Publish", "PublishBatch", "StartExecution", "SendTaskSuccess", "SendTaskFailure":
		return true
	}
	return false
}

// discard is a ResponseWriter for a forwarded request whose answer nobody reads.
type discard struct{ header http.Header }

func (d discard) Header() http.Header         { return d.header }
func (d discard) Write(b []byte) (int, error) { return len(b), nil }
func (d discard) WriteHeader(int)             {}
