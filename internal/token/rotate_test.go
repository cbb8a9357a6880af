package token_test

import (
	"bytes"
	"context"
	"encoding/json"
	"math/rand/v2"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/firebreak-ops/firebreak/internal/awstest"
	"github.com/firebreak-ops/firebreak/internal/token"
)

const secretARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:FirebreakLinkKeys-AbCdEf"

// rotation is a link-keys secret behind a recording Secrets Manager endpoint and the
// rotator that talks to it through the real SDK client.
type rotation struct {
	t      *testing.T
	srv    *awstest.Server
	secret *awstest.Secret
	r      *token.Rotator
	now    time.Time
}

func newRotation(t *testing.T, initial string) *rotation {
	t.Helper()
	rt := &rotation{t: t, srv: awstest.New(), secret: awstest.NewSecret(secretARN, "FirebreakLinkKeys", initial), now: t0}
	t.Cleanup(rt.srv.Close)
	rt.srv.Answer = rt.secret.Answer
	// Deterministic randomness, different for every key.
	rt.r = &token.Rotator{Client: rt.srv.SecretsManager(), Rand: rand.NewChaCha8([32]byte{'f', 'b'}),
		Now: func() time.Time { return rt.now }}
	return rt
}

func (rt *rotation) step(token, step string) error {
	return rt.r.Handle(context.Background(), events.SecretsManagerSecretRotationEvent{SecretID: secretARN, ClientRequestToken: token, Step: step})
}

// rotate runs what Secrets Manager runs for one rotation: the pending version, then the
// four steps in order.
func (rt *rotation) rotate(tok string) {
	rt.t.Helper()
	rt.secret.StartRotation(tok)
	for _, st := range []string{token.StepCreate, token.StepSet, token.StepTest, token.StepFinish} {
		if err := rt.step(tok, st); err != nil {
			rt.t.Fatalf("rotation %s: %s: %v", tok, st, err)
		}
	}
}

func (rt *rotation) current() token.Ring {
	rt.t.Helper()
	v, ok := rt.secret.Value(awstest.StageCurrent)
	if !ok {
		rt.t.Fatal("the secret has no AWSCURRENT value")
	}
	r, err := token.ParseRing([]byte(v))
	if err != nil {
		rt.t.Fatalf("AWSCURRENT is not a ring: %v", err)
	}
	return r
}

func ids(r token.Ring) []string {
	var out []string
	for id := range r.Keys {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

var rotatedKid = regexp.MustCompile(`^20261102T120000Z-[0-9a-f]{8}$`)

// TestRotateFromGeneratedValue: the first rotation replaces the value CloudFormation
// generated with a ring of one key, following the version-stage protocol.
func TestRotateFromGeneratedValue(t *testing.T) {
	rt := newRotation(t, "q8HzT0pXo2LmN4bV6cR1sJ9wK3yA5dE7")
	rt.rotate("tok-1")

	r := rt.current()
	if len(r.Keys) != 1 || !rotatedKid.MatchString(r.Current) || len(r.Keys[r.Current]) != token.KeySize {
		t.Errorf("ring after the first rotation = current %q, keys %v; want one 32-byte key with a time-stamped id", r.Current, ids(r))
	}
	stages := rt.secret.Stages()
	if got := stages["tok-1"]; !slices.Contains(got, "AWSCURRENT") {
		t.Errorf("version tok-1 labels = %v; want AWSCURRENT", got)
	}
	if got := strings.Join(stages["v0"], ","); got != "AWSPREVIOUS" {
		t.Errorf("version v0 labels = %s; want AWSPREVIOUS", got)
	}

	puts := rt.srv.Of("PutSecretValue")
	if len(puts) != 1 {
		t.Fatalf("%d PutSecretValue calls; want 1", len(puts))
	}
	var put map[string]any
	if err := json.Unmarshal(puts[0].JSON, &put); err != nil {
		t.Fatal(err)
	}
	if put["SecretId"] != secretARN || put["ClientRequestToken"] != "tok-1" || canonicalJSON(put["VersionStages"]) != `["AWSPENDING"]` {
		t.Errorf("PutSecretValue sent %s; want SecretId, ClientRequestToken tok-1 and VersionStages [AWSPENDING]", puts[0].JSON)
	}
	upd := rt.srv.Of("UpdateSecretVersionStage")
	if len(upd) != 1 || !strings.Contains(string(upd[0].JSON), `"MoveToVersionId":"tok-1"`) || !strings.Contains(string(upd[0].JSON), `"RemoveFromVersionId":"v0"`) ||
		!strings.Contains(string(upd[0].JSON), `"VersionStage":"AWSCURRENT"`) {
		t.Errorf("UpdateSecretVersionStage calls %v; want one moving AWSCURRENT from v0 to tok-1", upd)
	}
	for _, req := range rt.srv.Requests() {
		if !req.Signed {
			t.Errorf("%s was not SigV4-signed", req.Action)
		}
	}
}

// TestRotateKeepsTwoPreviousKeys: each rotation adds a key that signs; links signed
// before either of the last two rotations still verify, older ones do not.
func TestRotateKeepsTwoPreviousKeys(t *testing.T) {
	ctx := context.Background()
	rt := newRotation(t, "generated")
	var rings []token.Ring
	var links []string
	for i, tok := range []string{"tok-1", "tok-2", "tok-3", "tok-4"} {
		rt.now = t0.Add(time.Duration(i) * 30 * 24 * time.Hour)
		rt.rotate(tok)
		r := rt.current()
		signer := &token.Signer{Keys: token.Static{Ring: r}, Now: func() time.Time { return rt.now }}
		link, _, err := signer.Sign(ctx, "FB-X-1", token.Ack, token.ApprovalTTL)
		if err != nil {
			t.Fatal(err)
		}
		rings, links = append(rings, r), append(links, link)
	}
	for i, r := range rings {
		if want := min(i+1, token.MaxKeys); len(r.Keys) != want {
			t.Errorf("after rotation %d: %d keys %v; want %d", i+1, len(r.Keys), ids(r), want)
		}
		if i > 0 {
			if _, ok := r.Keys[rings[i-1].Current]; !ok {
				t.Errorf("after rotation %d: the previous current key %s was dropped", i+1, rings[i-1].Current)
			}
			if r.Current == rings[i-1].Current {
				t.Errorf("after rotation %d: current key unchanged (%s)", i+1, r.Current)
			}
		}
	}
	last := rings[len(rings)-1]
	if _, ok := last.Keys[rings[0].Current]; ok {
		t.Errorf("after 4 rotations the first key %s is still in the ring %v", rings[0].Current, ids(last))
	}
	for i, link := range links {
		// Verified while the link is fresh: only the key decides.
		signed := t0.Add(time.Duration(i) * 30 * 24 * time.Hour)
		verifier := &token.Signer{Keys: token.Static{Ring: last}, Now: func() time.Time { return signed.Add(time.Minute) }}
		_, err := verifier.Verify(ctx, link, "FB-X-1", token.Ack)
		if wantOK := i >= len(links)-token.MaxKeys; (err == nil) != wantOK {
			t.Errorf("link signed after rotation %d: Verify with the latest ring = %v; want accepted %v", i+1, err, wantOK)
		}
	}
}

// TestRotateOperatorRing: a ring an operator wrote keeps its current key and its newest
// others; operator ids count as older than rotated ones.
func TestRotateOperatorRing(t *testing.T) {
	rt := newRotation(t, ringJSON("k2", "k1", "k2", "k3"))
	rt.rotate("tok-1")
	r := rt.current()
	got := ids(r)
	if len(got) != 3 || !rotatedKid.MatchString(r.Current) || r.Keys["k2"] == nil || r.Keys["k3"] == nil {
		t.Errorf("ring after rotating {k1 k2* k3} = current %q, keys %v; want a new key, k2 (was current) and k3", r.Current, got)
	}
	rt.now = t0.Add(time.Hour)
	rt.rotate("tok-2")
	r2 := rt.current()
	if _, ok := r2.Keys[r.Current]; !ok || r2.Keys["k3"] == nil || r2.Keys["k2"] != nil || len(r2.Keys) != 3 {
		t.Errorf("second rotation: keys %v; want the new key, %s and k3 (k2 the oldest dropped)", ids(r2), r.Current)
	}
}

// TestRotateStepsAreIdempotent: Secrets Manager retries steps; a repeated step changes
// nothing.
func TestRotateStepsAreIdempotent(t *testing.T) {
	rt := newRotation(t, "generated")
	rt.secret.StartRotation("tok-1")
	for _, st := range []string{token.StepCreate, token.StepCreate, token.StepSet, token.StepTest, token.StepTest, token.StepFinish, token.StepFinish} {
		if err := rt.step("tok-1", st); err != nil {
			t.Fatalf("%s: %v", st, err)
		}
	}
	if n := len(rt.srv.Of("PutSecretValue")); n != 1 {
		t.Errorf("createSecret twice: %d PutSecretValue calls; want 1", n)
	}
	if n := len(rt.srv.Of("UpdateSecretVersionStage")); n != 1 {
		t.Errorf("finishSecret twice: %d UpdateSecretVersionStage calls; want 1", n)
	}
	if r := rt.current(); len(r.Keys) != 1 {
		t.Errorf("ring = %v; want one key", ids(r))
	}
}

func TestRotateErrors(t *testing.T) {
	t.Run("rotation not enabled", func(t *testing.T) {
		rt := newRotation(t, "generated")
		if err := rt.step("tok-1", token.StepCreate); err == nil || !strings.Contains(err.Error(), "rotation is not enabled") {
			t.Errorf("createSecret without rotation = %v; want rotation is not enabled", err)
		}
	})
	t.Run("unknown version", func(t *testing.T) {
		rt := newRotation(t, "generated")
		rt.secret.StartRotation("tok-1")
		if err := rt.step("tok-9", token.StepCreate); err == nil || !strings.Contains(err.Error(), "version tok-9 has no staging label for rotation") {
			t.Errorf("createSecret(unknown token) = %v; want the version named", err)
		}
	})
	t.Run("version not pending", func(t *testing.T) {
		rt := newRotation(t, "generated")
		rt.rotate("tok-1")
		rt.secret.StartRotation("tok-2")
		// tok-1 is now AWSCURRENT: a late retry of its steps does nothing.
		if err := rt.step("tok-1", token.StepFinish); err != nil {
			t.Errorf("finishSecret(already current) = %v; want nil", err)
		}
		// v0 is AWSPREVIOUS only: not a version being rotated.
		if err := rt.step("v0", token.StepTest); err == nil || !strings.Contains(err.Error(), "version v0 is not AWSPENDING") {
			t.Errorf("testSecret(AWSPREVIOUS version) = %v; want not AWSPENDING", err)
		}
	})
	t.Run("unknown step", func(t *testing.T) {
		rt := newRotation(t, "generated")
		if err := rt.step("tok-1", "rotate"); err == nil || !strings.Contains(err.Error(), `unknown step "rotate"`) {
			t.Errorf("step rotate = %v; want unknown step", err)
		}
	})
	t.Run("pending ring drops the signing key", func(t *testing.T) {
		rt := newRotation(t, ringJSON("k1", "k1"))
		rt.secret.StartRotation("tok-1")
		// Something other than createSecret wrote AWSPENDING, without k1.
		bad := ringJSON("k2", "k2")
		rt.secret.Answer(awstest.Request{Service: "secretsmanager", Action: "PutSecretValue",
			JSON: mustJSON(t, map[string]any{"SecretId": secretARN, "ClientRequestToken": "tok-1", "SecretString": bad, "VersionStages": []string{"AWSPENDING"}})})
		err := rt.step("tok-1", token.StepTest)
		if err == nil || !strings.Contains(err.Error(), "drops or changes key k1") {
			t.Errorf("testSecret(ring without k1) = %v; want it refused", err)
		}
		if err := rt.step("tok-1", token.StepCreate); err != nil || len(rt.srv.Of("PutSecretValue")) != 0 {
			t.Errorf("createSecret with AWSPENDING present = %v, %d puts; want nil and no put", err, len(rt.srv.Of("PutSecretValue")))
		}
	})
	t.Run("pending not a ring", func(t *testing.T) {
		rt := newRotation(t, "generated")
		rt.secret.StartRotation("tok-1")
		rt.secret.Answer(awstest.Request{Service: "secretsmanager", Action: "PutSecretValue",
			JSON: mustJSON(t, map[string]any{"SecretId": secretARN, "ClientRequestToken": "tok-1", "SecretString": `{"current":"k1","keys":{"k1":"c2hvcnQ="}}`, "VersionStages": []string{"AWSPENDING"}})})
		err := rt.step("tok-1", token.StepTest)
		if err == nil || !strings.Contains(err.Error(), "keys.k1: must be 32 bytes") || strings.Contains(err.Error(), "c2hvcnQ=") {
			t.Errorf("testSecret(bad ring) = %v; want the size error without the key", err)
		}
	})
}

func TestRingEncodeRoundTrip(t *testing.T) {
	r, err := token.ParseRing([]byte(ringJSON("k2", "k1", "k2")))
	if err != nil {
		t.Fatal(err)
	}
	b, err := r.Encode()
	if err != nil {
		t.Fatal(err)
	}
	back, err := token.ParseRing(b)
	if err != nil || back.Current != "k2" || !bytes.Equal(back.Keys["k1"], r.Keys["k1"]) || len(back.Keys) != 2 {
		t.Errorf("ParseRing(Encode(r)) = %+v, %v; want r", back, err)
	}
	if _, err := (token.Ring{Current: "x"}).Encode(); err == nil {
		t.Error("Encode(invalid ring) = nil error; want the validation error")
	}
}

func canonicalJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func mustJSON(t *testing.T, v any) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
