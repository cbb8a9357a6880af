package webhook_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/awstest"
	"github.com/firebreak-ops/firebreak/internal/chat/chattest"
	"github.com/firebreak-ops/firebreak/internal/notify"
	"github.com/firebreak-ops/firebreak/internal/webhook"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

const key = "0123456789abcdef0123456789abcdef"

// receiver is a local HTTPS endpoint that records every request as it arrived.
type receiver struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []recorded
	// answer is the status of the nth request (1-based); nil: 200.
	answer func(n int) int
}

type recorded struct {
	header http.Header
	body   []byte
}

func newReceiver(t *testing.T, answer func(n int) int) *receiver {
	r := &receiver{answer: answer}
	r.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.reqs = append(r.reqs, recorded{req.Header.Clone(), body})
		n := len(r.reqs)
		r.mu.Unlock()
		status := 200
		if r.answer != nil {
			status = r.answer(n)
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, "echo of "+req.URL.String()) // a careless receiver echoing the URL
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) requests() []recorded {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.reqs)
}

// secretStore is Secrets Manager on a local endpoint, through the real SDK client.
func secretStore(t *testing.T, name, url string) (*awstest.Server, *webhook.Secrets, *time.Time) {
	t.Helper()
	srv := awstest.New()
	t.Cleanup(srv.Close)
	value, _ := json.Marshal(webhook.Endpoint{URL: url, Key: key})
	srv.Answer = awstest.NewSecret("arn:aws:secretsmanager:eu-west-1:123456789012:secret:"+name+"-AbCdEf", name, string(value)).Answer
	now := chattest.T0
	return srv, &webhook.Secrets{Client: srv.SecretsManager(), Now: func() time.Time { return now }}, &now
}

func poster(r *receiver, secrets *webhook.Secrets, sleeps *[]time.Duration) *webhook.Poster {
	return &webhook.Poster{HTTP: r.Client(), Secrets: secrets, Now: func() time.Time { return chattest.T0 },
		Sleep: func(_ context.Context, d time.Duration) error { *sleeps = append(*sleeps, d); return nil }}
}

// docRecipe reads the header names and the signature prefix from docs/webhooks.md, so
// the verifier below checks what the document tells receivers, not the package's constants.
func docRecipe(t *testing.T) (tsHeader, sigHeader, prefix string) {
	t.Helper()
	doc, err := os.ReadFile("../../docs/webhooks.md")
	if err != nil {
		t.Fatal(err)
	}
	ts := regexp.MustCompile("(?m)^\\| `(X-[A-Za-z-]+)` \\| the time of this attempt, in seconds since the Unix epoch").FindSubmatch(doc)
	sig := regexp.MustCompile("(?m)^\\| `(X-[A-Za-z-]+)` \\| `([a-z0-9]+=)` followed by the lower-case hex HMAC-SHA256").FindSubmatch(doc)
	recipe := regexp.MustCompile("`timestamp \\+ \"\\.\" \\+ body`").Find(doc)
	if ts == nil || sig == nil || recipe == nil {
		t.Fatalf("docs/webhooks.md no longer documents the timestamp header, the signature header and prefix, and the signed string in the form this test reads")
	}
	return string(ts[1]), string(sig[1]), string(sig[2])
}

// verify is a receiver's check, written from docs/webhooks.md with crypto/hmac only.
func verify(t *testing.T, req recorded, now time.Time) bool {
	tsHeader, sigHeader, prefix := docRecipe(t)
	ts := req.header.Get(tsHeader)
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || now.Sub(time.Unix(sec, 0)).Abs() > 5*time.Minute {
		return false
	}
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write([]byte(ts + "." + string(req.body)))
	return hmac.Equal([]byte(prefix+hex.EncodeToString(mac.Sum(nil))), []byte(req.header.Get(sigHeader)))
}

// TestReceiverRecipe: requests the sender made verify with the documented recipe; a
// tampered body, a wrong key and a stale timestamp do not.
func TestReceiverRecipe(t *testing.T) {
	tsHeader, sigHeader, prefix := docRecipe(t)
	if tsHeader != webhook.HeaderTimestamp || sigHeader != webhook.HeaderSignature || prefix != webhook.SignaturePrefix {
		t.Errorf("docs/webhooks.md says %s, %s, %s; the sender uses %s, %s, %s", tsHeader, sigHeader, prefix,
			webhook.HeaderTimestamp, webhook.HeaderSignature, webhook.SignaturePrefix)
	}
	r := newReceiver(t, nil)
	_, secrets, _ := secretStore(t, "firebreak/webhooks/ticketing", r.URL+"/hook")
	var sleeps []time.Duration
	body, err := webhook.Encode(chattest.Cases()["opened"])
	if err != nil {
		t.Fatal(err)
	}
	if err := poster(r, secrets, &sleeps).Post(context.Background(), "ticketing", "firebreak/webhooks/ticketing", body, "id-1"); err != nil {
		t.Fatalf("Post = %v", err)
	}
	got := r.requests()
	if len(got) != 1 {
		t.Fatalf("%d requests; want 1", len(got))
	}
	req := got[0]
	if !bytes.Equal(req.body, body) || req.header.Get("Content-Type") != "application/json" || req.header.Get(webhook.HeaderDelivery) != "id-1" {
		t.Errorf("request = %q %v; want the body as JSON with the delivery id", req.body, req.header)
	}
	if !verify(t, req, chattest.T0.Add(time.Minute)) {
		t.Errorf("the documented recipe does not verify the request %v", req.header)
	}
	tampered := req
	tampered.body = append(slices.Clone(req.body[:len(req.body)-1]), ' ', '}')
	if verify(t, tampered, chattest.T0) {
		t.Errorf("a tampered body verifies")
	}
	if verify(t, req, chattest.T0.Add(10*time.Minute)) {
		t.Errorf("a 10-minute-old request verifies")
	}
	other := req
	other.header = req.header.Clone()
	_, sig := webhook.Sign([]byte("another key entirely!"), chattest.T0, req.body)
	other.header.Set(webhook.HeaderSignature, sig)
	if verify(t, other, chattest.T0) {
		t.Errorf("a request signed with another key verifies")
	}
}

// TestRetries: failures that may pass are retried with exponential backoff within the
// call; what fails every time is returned (the queue redelivers it); a 4xx is not retried.
func TestRetries(t *testing.T) {
	for _, tc := range []struct {
		name     string
		answer   func(n int) int
		wantReqs int
		wantErr  string
		sleeps   []time.Duration
	}{
		{"passes at once", nil, 1, "", nil},
		{"503 then 429 then 200", func(n int) int { return []int{503, 429, 200}[n-1] }, 3, "", []time.Duration{500 * time.Millisecond, time.Second}},
		{"always 500", func(int) int { return 500 }, 3, "after 3 attempt(s): answered HTTP 500", []time.Duration{500 * time.Millisecond, time.Second}},
		{"400", func(int) int { return 400 }, 1, "after 1 attempt(s): answered HTTP 400", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newReceiver(t, tc.answer)
			sm, secrets, _ := secretStore(t, "hooks/a", r.URL+"/services/T000/B000/XXXXSECRETPATH?token=qq")
			var sleeps []time.Duration
			var logs bytes.Buffer
			body := []byte(`{"id":"x"}`)
			err := poster(r, secrets, &sleeps).Post(context.Background(), "a", "hooks/a", body, "x")
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("Post = %v; want error %q", err, tc.wantErr)
			}
			if got := len(r.requests()); got != tc.wantReqs {
				t.Errorf("%d requests; want %d", got, tc.wantReqs)
			}
			if !slices.Equal(sleeps, tc.sleeps) {
				t.Errorf("waits %v; want %v", sleeps, tc.sleeps)
			}
			for _, req := range r.requests() {
				if !verify(t, req, chattest.T0) || !bytes.Equal(req.body, body) {
					t.Errorf("attempt %v does not verify or changed the body", req.header)
				}
			}
			if n := len(sm.Of("GetSecretValue")); n != 1 {
				t.Errorf("%d GetSecretValue calls; want 1 (cached across attempts)", n)
			}
			if err != nil {
				slog.New(slog.NewJSONHandler(&logs, nil)).Error("delivery failed", "error", err.Error())
				assertNoSecrets(t, err.Error()+logs.String(), r.URL)
			}
		})
	}
}

func assertNoSecrets(t *testing.T, text, url string) {
	t.Helper()
	host := strings.TrimPrefix(url, "https://")
	for _, s := range []string{url, host, "XXXXSECRETPATH", "token=qq", key} {
		if strings.Contains(text, s) {
			t.Errorf("error/log %q contains the secret %q", text, s)
		}
	}
}

// TestNoRedirects: the Lambda's client does not follow a redirect; it is a failure, and
// the body never reaches the other address.
func TestNoRedirects(t *testing.T) {
	elsewhere := newReceiver(t, nil)
	r := newReceiver(t, nil)
	r.Config.Handler = http.RedirectHandler(elsewhere.URL+"/stolen", http.StatusTemporaryRedirect)
	_, secrets, _ := secretStore(t, "hooks/a", r.URL+"/hook")
	var sleeps []time.Duration
	p := poster(r, secrets, &sleeps)
	client := webhook.HTTPClient()
	client.Transport = r.Client().Transport
	p.HTTP = client
	err := p.Post(context.Background(), "a", "hooks/a", []byte(`{}`), "")
	if err == nil || !strings.Contains(err.Error(), "answered HTTP 307") || len(elsewhere.requests()) != 0 {
		t.Errorf("Post to a redirect = %v, %d requests elsewhere; want HTTP 307 as the failure and none", err, len(elsewhere.requests()))
	}
}

// TestUnreachable: a transport error (net/http quotes the URL in it) is redacted.
func TestUnreachable(t *testing.T) {
	r := newReceiver(t, nil)
	url := r.URL + "/services/XXXXSECRETPATH?token=qq"
	_, secrets, _ := secretStore(t, "hooks/a", url)
	r.Close() // nobody answers now
	var sleeps []time.Duration
	err := poster(r, secrets, &sleeps).Post(context.Background(), "a", "hooks/a", []byte(`{}`), "")
	if err == nil || !webhook.Retryable(err) || len(sleeps) != 2 {
		t.Fatalf("Post to a closed server = %v after %v; want a retryable error after 2 waits", err, sleeps)
	}
	t.Logf("Post to a closed server = %v", err)
	assertNoSecrets(t, err.Error(), r.URL)
}

// TestSecrets: a secret is read through the real SDK client once per CacheFor; a
// malformed or missing secret is an error naming the secret, never quoting its value.
func TestSecrets(t *testing.T) {
	sm, secrets, now := secretStore(t, "hooks/a", "https://hooks.example.com/T0/B0/secretpath")
	ctx := context.Background()
	for range 3 {
		if ep, err := secrets.Endpoint(ctx, "hooks/a"); err != nil || ep.Key != key {
			t.Fatalf("Endpoint = %+v, %v", ep, err)
		}
	}
	*now = now.Add(webhook.CacheFor)
	if _, err := secrets.Endpoint(ctx, "hooks/a"); err != nil {
		t.Fatal(err)
	}
	calls := sm.Of("GetSecretValue")
	if len(calls) != 2 || !calls[0].Signed || !strings.Contains(string(calls[0].JSON), `"SecretId":"hooks/a"`) {
		t.Errorf("GetSecretValue calls = %+v; want 2 signed, for hooks/a", calls)
	}
	for _, tc := range []struct{ name, value, want string }{
		{"not json", "https://hooks.example.com/secretpath", "(not JSON)"},
		{"http", `{"url": "http://hooks.example.com/secretpath", "key": "` + key + `"}`, "(url must be https)"},
		{"short key", `{"url": "https://hooks.example.com/secretpath", "key": "short"}`, "(key must be at least 16 characters)"},
		{"relative", `{"url": "/secretpath", "key": "` + key + `"}`, "(url is not an absolute URL)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := awstest.New()
			defer srv.Close()
			srv.Answer = awstest.NewSecret("arn:aws:secretsmanager:eu-west-1:123456789012:secret:bad-AbCdEf", "bad", tc.value).Answer
			s := &webhook.Secrets{Client: srv.SecretsManager(), Now: time.Now}
			_, err := s.Endpoint(ctx, "bad")
			if err == nil || !strings.Contains(err.Error(), "webhook secret bad") || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Endpoint(%s) = %v; want an error naming the secret and %q", tc.name, err, tc.want)
			}
			if err != nil && (strings.Contains(err.Error(), "secretpath") || strings.Contains(err.Error(), "short\"")) {
				t.Errorf("Endpoint(%s) = %v quotes the secret's value", tc.name, err)
			}
			if webhook.Retryable(err) {
				t.Errorf("Retryable(%v) = true; want false: a bad secret fails the same way until fixed", err)
			}
		})
	}
	if _, err := secrets.Endpoint(ctx, "missing"); err == nil || !strings.Contains(err.Error(), "read webhook secret missing") {
		t.Errorf("Endpoint(missing) = %v; want an error naming it", err)
	}
}

// TestGolden: the body of every notice kind, as a receiver gets it.
func TestGolden(t *testing.T) {
	for name, n := range chattest.Cases() {
		t.Run(name, func(t *testing.T) {
			b, err := webhook.Encode(n)
			if err != nil {
				t.Fatalf("Encode(%s) = %v", name, err)
			}
			var pretty bytes.Buffer
			if err := json.Indent(&pretty, b, "", "  "); err != nil {
				t.Fatal(err)
			}
			pretty.WriteByte('\n')
			path := filepath.Join("testdata", name+".json")
			if *update {
				_ = os.MkdirAll("testdata", 0o755)
				if err := os.WriteFile(path, pretty.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (go test ./internal/webhook -update creates it)", err)
			}
			if !bytes.Equal(pretty.Bytes(), want) {
				t.Errorf("%s differs from the golden file (-update rewrites it after review):\n%s", name, pretty.Bytes())
			}
			again, _ := webhook.Encode(n)
			if !bytes.Equal(again, b) {
				t.Errorf("Encode(%s) twice differs: the id must be the same for the same notice", name)
			}
			var body webhook.Body
			if err := json.Unmarshal(b, &body); err != nil || body.Incident.ID != n.Incident.ID || body.Kind != string(n.Kind) ||
				len(body.Links) != len(n.Actions) || !strings.HasPrefix(body.ID, n.Incident.ID+"-") {
				t.Errorf("Encode(%s) = %s (%v); want the incident, kind, links and an id of the incident", name, b, err)
			}
		})
	}
}

// TestDocumentedKinds: docs/webhooks.md lists exactly internal/notify's kinds.
func TestDocumentedKinds(t *testing.T) {
	doc, err := os.ReadFile("../../docs/webhooks.md")
	if err != nil {
		t.Fatal(err)
	}
	sec := string(doc)
	start := strings.Index(sec, "## Notice kinds")
	end := strings.Index(sec[start:], "internal/notify's kinds")
	if start < 0 || end < 0 {
		t.Fatal("docs/webhooks.md has no '## Notice kinds' list")
	}
	var listed []string
	for _, m := range regexp.MustCompile("`([a-z-]+)`").FindAllStringSubmatch(sec[start:start+end], -1) {
		listed = append(listed, m[1])
	}
	var kinds []string
	for _, k := range notify.Kinds() {
		kinds = append(kinds, string(k))
	}
	slices.Sort(listed)
	slices.Sort(kinds)
	if !slices.Equal(listed, kinds) {
		t.Errorf("docs/webhooks.md lists %v; internal/notify has %v", listed, kinds)
	}
}
