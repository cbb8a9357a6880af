package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/firebreak-ops/firebreak/internal/api"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/lifecycle"
	"github.com/firebreak-ops/firebreak/internal/store"
)

var t0 = time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)

type received struct {
	req  *http.Request
	body []byte
}

// TestSigV4 sends a request to a Function URL host (routed to a local TLS server) and
// checks the signature over exactly what arrived.
func TestSigV4(t *testing.T) {
	const host = "abc123xyz.lambda-url.eu-west-1.on.aws"
	var mu sync.Mutex
	var got []received
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			t.Error(err)
		}
		mu.Lock()
		got = append(got, received{r.Clone(context.Background()), b})
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"incident":{"id":"FB-X-1","status":"acknowledged"}}`)
	}))
	t.Cleanup(srv.Close)
	creds := credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "SESSIONTOKEN")
	ctx := context.Background()
	c, err := newAPIClient(ctx, "https://"+host, func(context.Context) (aws.CredentialsProvider, error) { return creds, nil })
	if err != nil {
		t.Fatal(err)
	}
	tr := srv.Client().Transport.(*http.Transport).Clone()
	tr.TLSClientConfig.ServerName = "example.com" // the test certificate's name; the Host header stays the Function URL's
	tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, srv.Listener.Addr().String())
	}
	c.http = &http.Client{Transport: tr}
	c.now = func() time.Time { return t0 }
	c.newKey = func() string { return "cli-key-1" }

	if _, err := c.call(ctx, http.MethodPost, "/incidents/FB-X-1/approvals/FB-X-1-v1/approval/approve", nil, map[string]any{"note": "ok"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.call(ctx, http.MethodGet, "/incidents", map[string][]string{"status": {"open,acknowledged"}}, nil); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("Got(requests) = %d; want 2", len(got))
	}
	for _, g := range got {
		r := g.req
		sum := sha256.Sum256(g.body)
		hash := hex.EncodeToString(sum[:])
		auth := r.Header.Get("Authorization")
		if r.Host != host {
			t.Errorf("Got(Host) = %q; want %q", r.Host, host)
		}
		if want := "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261102/eu-west-1/lambda/aws4_request, SignedHeaders="; !strings.HasPrefix(auth, want) {
			t.Errorf("Got(Authorization) = %q; want it to start %q", auth, want)
		}
		if got := r.Header.Get("X-Amz-Content-Sha256"); got != hash {
			t.Errorf("Got(X-Amz-Content-Sha256) = %q; want %q, the body's SHA-256", got, hash)
		}
		if got := r.Header.Get("X-Amz-Security-Token"); got != "SESSIONTOKEN" {
			t.Errorf("Got(X-Amz-Security-Token) = %q; want the session token", got)
		}
		signed := auth[strings.Index(auth, "SignedHeaders=")+len("SignedHeaders=") : strings.Index(auth, ", Signature=")]
		for _, h := range []string{"host", "x-amz-content-sha256", "x-amz-date"} {
			if !strings.Contains(";"+signed+";", ";"+h+";") {
				t.Errorf("Got(SignedHeaders) = %q; want %s signed", signed, h)
			}
		}
		if r.Method == http.MethodPost {
			for _, h := range []string{"content-type", "idempotency-key"} {
				if !strings.Contains(";"+signed+";", ";"+h+";") {
					t.Errorf("Got(SignedHeaders) = %q; want %s signed", signed, h)
				}
			}
		}
		// Verify as Lambda would: the canonical request from what arrived, with the
		// headers the signature names, signed again with the same key and time.
		check, err := http.NewRequest(r.Method, "https://"+host+r.URL.RequestURI(), bytes.NewReader(g.body))
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range strings.Split(signed, ";") {
			if h != "host" && h != "content-length" {
				check.Header.Set(h, r.Header.Get(h))
			}
		}
		at, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
		if err != nil {
			t.Fatal(err)
		}
		k, err := creds.Retrieve(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if err := v4.NewSigner().SignHTTP(context.Background(), k, check, hash, "lambda", "eu-west-1", at); err != nil {
			t.Fatal(err)
		}
		if check.Header.Get("Authorization") != auth {
			t.Errorf("Got(%s signature) = %q; want %q (signed over what arrived)", r.Method, auth, check.Header.Get("Authorization"))
		}
	}
	if got[0].req.Header.Get("Idempotency-Key") != "cli-key-1" || got[1].req.Header.Get("Idempotency-Key") != "" {
		t.Errorf("Got(Idempotency-Key) = %q, %q; want one on the POST only", got[0].req.Header.Get("Idempotency-Key"), got[1].req.Header.Get("Idempotency-Key"))
	}
	if got[0].req.URL.EscapedPath() != "/incidents/FB-X-1/approvals/FB-X-1-v1/approval/approve" {
		t.Errorf("Got(path) = %q; want the approval key's '/' kept", got[0].req.URL.EscapedPath())
	}
}

func TestFunctionURLRegion(t *testing.T) {
	for _, tc := range []struct{ host, region string }{
		{"abc.lambda-url.eu-west-1.on.aws", "eu-west-1"}, {"ABC.LAMBDA-URL.US-EAST-1.ON.AWS", "us-east-1"},
		{"abc.lambda-url.eu-west-1.on.aws.evil.com", ""}, {"lambda-url.eu-west-1.on.aws", ""}, {"example.com", ""},
	} {
		if got, _ := functionURLRegion(tc.host); got != tc.region {
			t.Errorf("functionURLRegion(%q) = %q; want %q", tc.host, got, tc.region)
		}
	}
}

// TestRetryKeepsTheKey loses the answer of a first attempt that the API applied: the
// retry carries the same Idempotency-Key, so the incident is acknowledged once and the
// command succeeds.
func TestRetryKeepsTheKey(t *testing.T) {
	ctx := context.Background()
	now := func() time.Time { return t0 }
	st := store.NewMemory(now)
	inc := incident.Incident{ID: "FB-X-1", Seq: 1, Fingerprint: "fp", Class: "ops.alarm", Title: "cpu", Severity: incident.Sev3, Team: "platform",
		Status: incident.Open, OpenedAt: t0, StateAt: t0}
	if _, _, err := st.Open(ctx, inc, incident.Entry{}); err != nil {
		t.Fatal(err)
	}
	h := &api.Loopback{Handler: &api.Handler{Store: st, Lifecycle: &lifecycle.Service{Store: st, Now: now}, Now: now}, Actor: "local:tester"}
	var mu sync.Mutex
	var keys []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		keys = append(keys, r.Header.Get("Idempotency-Key"))
		first := len(keys) == 1
		mu.Unlock()
		if !first {
			h.ServeHTTP(w, r)
			return
		}
		h.ServeHTTP(httptest.NewRecorder(), r) // applied …
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		_ = conn.Close() // … but the answer is lost
	}))
	t.Cleanup(srv.Close)
	c, err := newAPIClient(ctx, srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	c.pause = 0
	if _, err := c.call(ctx, http.MethodPost, "/incidents/FB-X-1/ack", nil, map[string]any{"note": "once"}); err != nil {
		t.Fatalf("Got(ack with a lost answer) = %v; want the retry to succeed", err)
	}
	if len(keys) != 2 || keys[0] == "" || keys[0] != keys[1] {
		t.Errorf("Got(Idempotency-Keys) = %q; want two attempts with one key", keys)
	}
	tl, err := st.Timeline(ctx, "FB-X-1")
	if err != nil {
		t.Fatal(err)
	}
	acks := 0
	for _, e := range tl {
		if e.Kind == incident.KindAcknowledged {
			acks++
		}
	}
	got, err := st.Get(ctx, "FB-X-1")
	if err != nil {
		t.Fatal(err)
	}
	if acks != 1 || got.Version != 2 {
		t.Errorf("Got(acknowledgements, version) = %d, %d; want 1, 2", acks, got.Version)
	}
}
