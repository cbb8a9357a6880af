package token_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/awstest"
	"github.com/firebreak-ops/firebreak/internal/token"
)

var t0 = time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)

func ringJSON(current string, ids ...string) string {
	keys := map[string]string{}
	for i, id := range ids {
		keys[id] = base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{byte(i + 1)}, token.KeySize))
	}
	b, _ := json.Marshal(map[string]any{"current": current, "keys": keys})
	return string(b)
}

// secretEndpoint answers GetSecretValue with whatever value holds.
type secretEndpoint struct {
	*awstest.Server
	mu    sync.Mutex
	value string
	fail  bool
}

func newSecretEndpoint(t *testing.T, value string) *secretEndpoint {
	e := &secretEndpoint{Server: awstest.New(), value: value}
	t.Cleanup(e.Close)
	e.Answer = func(r awstest.Request) (awstest.Reply, bool) {
		e.mu.Lock()
		defer e.mu.Unlock()
		if e.fail {
			return awstest.JSONError("InternalServiceError", "unavailable"), true
		}
		switch r.Action {
		case "GetSecretValue":
			b, _ := json.Marshal(map[string]any{"ARN": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:firebreak/links", "Name": "firebreak/links",
				"SecretString": e.value, "VersionId": "v1"})
			return awstest.Reply{Status: 200, Body: string(b)}, true
		}
		return awstest.Reply{}, false
	}
	return e
}

func (e *secretEndpoint) set(value string, fail bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.value, e.fail = value, fail
}

// TestKeySources: the Secrets Manager source reads the ring once per CacheFor, signed,
// keeps serving it while the secret cannot be read (up to MaxStale), and reports a
// malformed ring without quoting a key.
func TestKeySources(t *testing.T) {
	ctx := context.Background()
	e := newSecretEndpoint(t, ringJSON("k1", "k1"))
	now := t0
	clock := func() time.Time { return now }
	src := &token.SecretsManager{Client: e.SecretsManager(), SecretID: "firebreak/links", Now: clock}
	action := "GetSecretValue"
	calls := func() int { return len(e.Of(action)) }

	r, err := src.Load(ctx)
	if err != nil || r.Current != "k1" || len(r.Keys["k1"]) != token.KeySize {
		t.Fatalf("Load() = %+v, %v; want the ring with k1", r, err)
	}
	req := e.Of(action)[0]
	if !req.Signed {
		t.Errorf("%s was not SigV4-signed", action)
	}
	want := `"SecretId":"firebreak/links"`
	if !strings.Contains(string(req.JSON), want) {
		t.Errorf("%s sent %s; want %s", action, req.JSON, want)
	}

	// Cached for five minutes.
	now = t0.Add(token.CacheFor - time.Second)
	if _, err := src.Load(ctx); err != nil || calls() != 1 {
		t.Errorf("Load() within 5 minutes made %d calls, %v; want the cached ring (1 call)", calls(), err)
	}
	// Then read again: a rotation shows.
	e.set(ringJSON("k2", "k1", "k2"), false)
	now = t0.Add(token.CacheFor)
	if r, err := src.Load(ctx); err != nil || r.Current != "k2" || calls() != 2 {
		t.Errorf("Load() after 5 minutes = %q, %v, %d calls; want k2 read again", r.Current, err, calls())
	}
	// The source failing: the cached ring serves for up to an hour.
	e.set("", true)
	now = t0.Add(2 * token.CacheFor)
	if r, err := src.Load(ctx); err != nil || r.Current != "k2" {
		t.Errorf("Load() with the source down = %q, %v; want the cached ring", r.Current, err)
	}
	now = t0.Add(token.CacheFor + token.MaxStale)
	if _, err := src.Load(ctx); err == nil {
		t.Errorf("Load() with the source down past MaxStale = nil error; want the failure")
	}
	// A malformed ring is an error that quotes no key.
	e.set(`{"current":"k1","keys":{"k1":"c2hvcnQ="}}`, false)
	now = now.Add(time.Hour)
	_, err = src.Load(ctx)
	if err == nil || !strings.Contains(err.Error(), "keys.k1: must be 32 bytes") || strings.Contains(err.Error(), "c2hvcnQ=") {
		t.Errorf("Load(malformed ring) = %v; want a size error without the key", err)
	}
}

func TestVerifyReloadsForANewKey(t *testing.T) {
	ctx := context.Background()
	e := newSecretEndpoint(t, ringJSON("k1", "k1"))
	now := t0
	clock := func() time.Time { return now }
	verifier := &token.Signer{Keys: &token.SecretsManager{Client: e.SecretsManager(), SecretID: "s", Now: clock}, Now: clock}
	if _, err := verifier.Keys.Load(ctx); err != nil {
		t.Fatal(err)
	}
	// Another process (dispatch) already signs with k2, a key this verifier has not read.
	e.set(ringJSON("k2", "k1", "k2"), false)
	signer := &token.Signer{Keys: &token.SecretsManager{Client: e.SecretsManager(), SecretID: "s", Now: clock}, Now: clock}
	tok, _, err := signer.Sign(ctx, "FB-X-1", token.Ack, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	now = t0.Add(10 * time.Second) // within 30s of the last read: no reload yet
	if _, err := verifier.Verify(ctx, tok, "FB-X-1", token.Ack); !errors.Is(err, token.ErrKey) {
		t.Errorf("Verify(new key, just read) = %v; want %v", err, token.ErrKey)
	}
	now = t0.Add(time.Minute)
	if _, err := verifier.Verify(ctx, tok, "FB-X-1", token.Ack); err != nil {
		t.Errorf("Verify(new key, after 30s) = %v; want the ring reloaded and the token accepted", err)
	}
}
