package token

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)

func key(b byte) []byte { return bytes.Repeat([]byte{b}, KeySize) }

// source is a ring the test can change (rotation).
type source struct{ ring Ring }

func (s *source) Load(context.Context) (Ring, error) { return s.ring, nil }

func newSigner(now *time.Time) (*Signer, *source) {
	src := &source{ring: Ring{Current: "k1", Keys: map[string][]byte{"k1": key(1), "k2": key(2)}}}
	return &Signer{Keys: src, Now: func() time.Time { return *now }}, src
}

func sign(t *testing.T, s *Signer, inc, act string, ttl time.Duration) (string, Claims) {
	t.Helper()
	tok, c, err := s.Sign(context.Background(), inc, act, ttl)
	if err != nil {
		t.Fatalf("Sign(%q, %q) = %v", inc, act, err)
	}
	return tok, c
}

// retamper rewrites one payload field and keeps the original signature.
func retamper(t *testing.T, tok string, field string, value any) string {
	t.Helper()
	p, m, _ := strings.Cut(tok, ".")
	raw, err := b64.DecodeString(p)
	if err != nil {
		t.Fatal(err)
	}
	var obj map[string]any
	if err := json.Unmarshal(raw, &obj); err != nil {
		t.Fatal(err)
	}
	obj[field] = value
	b, err := json.Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	return b64.EncodeToString(b) + "." + m
}

func TestSignThenVerify(t *testing.T) {
	now := t0
	s, _ := newSigner(&now)
	for _, act := range []string{Ack, Resolve, "approve:FB-X-1-v1/approval", "reject:FB-X-1-v1/approval"} {
		tok, c := sign(t, s, "FB-X-1", act, time.Hour)
		got, err := s.Verify(context.Background(), tok, "FB-X-1", act)
		if err != nil {
			t.Errorf("Verify(Sign(%q)) = %v; want it accepted", act, err)
			continue
		}
		if got.Nonce != c.Nonce || got.KeyID != "k1" || got.Inc != "FB-X-1" || got.Act != act || !got.Expires.Equal(t0.Add(time.Hour)) || got.V != Version {
			t.Errorf("Verify(Sign(%q)) = %+v; want the signed claims %+v", act, got, c)
		}
	}
	a, _ := sign(t, s, "FB-X-1", Ack, time.Hour)
	b, _ := sign(t, s, "FB-X-1", Ack, time.Hour)
	if a == b {
		t.Errorf("two tokens for the same action are equal (%q); want distinct nonces", a)
	}
}

func TestSignRefusesBadInput(t *testing.T) {
	now := t0
	s, _ := newSigner(&now)
	for _, tc := range []struct {
		inc, act string
		ttl      time.Duration
	}{{"", Ack, time.Hour}, {"FB-X-1", "delete", time.Hour}, {"FB-X-1", "approve:", time.Hour}, {"FB-X-1", Ack, 0}, {"FB-X-1", Ack, MaxLifetime + time.Second}} {
		if tok, _, err := s.Sign(context.Background(), tc.inc, tc.act, tc.ttl); err == nil {
			t.Errorf("Sign(%q, %q, %v) = %q; want an error", tc.inc, tc.act, tc.ttl, tok)
		}
	}
}

func TestVerifyRejects(t *testing.T) {
	now := t0
	s, src := newSigner(&now)
	good, claims := sign(t, s, "FB-X-1", Ack, time.Hour)
	approve, _ := sign(t, s, "FB-X-1", "approve:FB-X-1-v1/approval", time.Hour)
	p, m, _ := strings.Cut(good, ".")
	payload, err := b64.DecodeString(p)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := b64.DecodeString(m)
	if err != nil {
		t.Fatal(err)
	}
	flipped := append([]byte(nil), sig...)
	flipped[0] ^= 1
	v2 := claims
	v2.V = 2
	version2, err := seal(v2, src.ring.Keys["k1"])
	if err != nil {
		t.Fatal(err)
	}
	k2 := claims
	k2.KeyID = "k1" // says k1, signed with k2
	wrongKey, err := seal(k2, src.ring.Keys["k2"])
	if err != nil {
		t.Fatal(err)
	}
	unknownField := b64.EncodeToString([]byte(strings.TrimSuffix(string(payload), "}") + `,"x":1}`))
	extra := b64.EncodeToString(mac(src.ring.Keys["k1"], mustDecode(t, unknownField)))
	// signed resigns a payload with the current key, as a signer holding the key could.
	signed := func(payload string) string {
		return b64.EncodeToString([]byte(payload)) + "." + b64.EncodeToString(mac(src.ring.Keys["k1"], []byte(payload)))
	}
	longLived := claims
	longLived.Exp = t0.Add(MaxLifetime + time.Hour).Unix()
	tooLong, err := seal(longLived, src.ring.Keys["k1"])
	if err != nil {
		t.Fatal(err)
	}
	upperKid := signed(strings.Replace(string(payload), `"kid"`, `"KID"`, 1))
	twoExp := signed(strings.TrimSuffix(string(payload), "}") + fmt.Sprintf(`,"exp":%d}`, t0.Add(MaxLifetime).Unix()))

	cases := []struct {
		name          string
		tok, inc, act string
		at            time.Time
		want          error
	}{
		{"tampered v", retamper(t, good, "v", 2), "FB-X-1", Ack, t0, ErrMAC},
		{"tampered kid (another known key)", retamper(t, good, "kid", "k2"), "FB-X-1", Ack, t0, ErrMAC},
		{"tampered kid (unknown key)", retamper(t, good, "kid", "k9"), "FB-X-1", Ack, t0, ErrKey},
		{"tampered inc", retamper(t, good, "inc", "FB-Y-1"), "FB-Y-1", Ack, t0, ErrMAC},
		{"tampered act", retamper(t, good, "act", Resolve), "FB-X-1", Resolve, t0, ErrMAC},
		{"tampered exp", retamper(t, good, "exp", claims.Exp+86400), "FB-X-1", Ack, t0.Add(2 * time.Hour), ErrMAC},
		{"tampered nonce", retamper(t, good, "nonce", "AAAAAAAAAAAAAAAAAAAAAA"), "FB-X-1", Ack, t0, ErrMAC},
		{"tampered MAC", p + "." + b64.EncodeToString(flipped), "FB-X-1", Ack, t0, ErrMAC},
		{"MAC from another key", wrongKey, "FB-X-1", Ack, t0, ErrMAC},
		{"MAC of another token", p + "." + strings.Split(approve, ".")[1], "FB-X-1", Ack, t0, ErrMAC},
		{"truncated MAC", p + "." + b64.EncodeToString(sig[:16]), "FB-X-1", Ack, t0, ErrFormat},
		{"no MAC", p, "FB-X-1", Ack, t0, ErrFormat},
		{"padded", p + "=." + m, "FB-X-1", Ack, t0, ErrFormat},
		{"three parts", good + ".x", "FB-X-1", Ack, t0, ErrFormat},
		{"empty", "", "FB-X-1", Ack, t0, ErrFormat},
		{"not base64", "!!!." + m, "FB-X-1", Ack, t0, ErrFormat},
		{"oversized", strings.Repeat("a", MaxLen) + "." + m, "FB-X-1", Ack, t0, ErrFormat},
		{"unknown field, correctly signed", unknownField + "." + extra, "FB-X-1", Ack, t0, ErrFormat},
		{"field name in another case, correctly signed", upperKid, "FB-X-1", Ack, t0, ErrFormat},
		{"a field twice, correctly signed", twoExp, "FB-X-1", Ack, t0, ErrFormat},
		{"lives longer than MaxLifetime, correctly signed", tooLong, "FB-X-1", Ack, t0, ErrLifetime},
		{"version 2, correctly signed", version2, "FB-X-1", Ack, t0, ErrVersion},
		{"expired", good, "FB-X-1", Ack, t0.Add(time.Hour), ErrExpired},
		{"long expired", good, "FB-X-1", Ack, t0.Add(30 * 24 * time.Hour), ErrExpired},
		{"another incident", good, "FB-Y-1", Ack, t0, ErrIncident},
		{"another action", good, "FB-X-1", Resolve, t0, ErrAction},
		{"approval used to reject", approve, "FB-X-1", "reject:FB-X-1-v1/approval", t0, ErrAction},
		{"approval of another step", approve, "FB-X-1", "approve:FB-X-1-v2/approval", t0, ErrAction},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			now = tc.at
			_, err := s.Verify(context.Background(), tc.tok, tc.inc, tc.act)
			if !errors.Is(err, tc.want) || !errors.Is(err, ErrRejected) {
				t.Errorf("Verify(%s) = %v; want %v (a rejection)", tc.name, err, tc.want)
			}
		})
	}
	now = t0.Add(time.Hour - time.Second)
	if _, err := s.Verify(context.Background(), good, "FB-X-1", Ack); err != nil {
		t.Errorf("Verify(a second before expiry) = %v; want accepted", err)
	}
}

func mustDecode(t *testing.T, s string) []byte {
	t.Helper()
	b, err := b64.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRotation(t *testing.T) {
	now := t0
	s, src := newSigner(&now)
	old, _ := sign(t, s, "FB-X-1", Ack, time.Hour)
	// Rotate: k2 signs, k1 still verifies until its tokens expire.
	src.ring = Ring{Current: "k2", Keys: map[string][]byte{"k1": key(1), "k2": key(2)}}
	fresh, c := sign(t, s, "FB-X-1", Ack, time.Hour)
	if c.KeyID != "k2" {
		t.Errorf("Sign() after rotation used key %q; want k2", c.KeyID)
	}
	for name, tok := range map[string]string{"previous key": old, "current key": fresh} {
		if _, err := s.Verify(context.Background(), tok, "FB-X-1", Ack); err != nil {
			t.Errorf("Verify(token of the %s) = %v; want accepted while the key is in the ring", name, err)
		}
	}
	// The previous key removed: its tokens are refused.
	src.ring = Ring{Current: "k2", Keys: map[string][]byte{"k2": key(2)}}
	if _, err := s.Verify(context.Background(), old, "FB-X-1", Ack); !errors.Is(err, ErrKey) {
		t.Errorf("Verify(token of a removed key) = %v; want %v", err, ErrKey)
	}
	if _, err := s.Verify(context.Background(), fresh, "FB-X-1", Ack); err != nil {
		t.Errorf("Verify(token of the current key) = %v; want accepted", err)
	}
}

func TestParseRing(t *testing.T) {
	k := base64.StdEncoding.EncodeToString(key(7))
	short := base64.StdEncoding.EncodeToString(key(7)[:16])
	good := `{"current":"k2","keys":{"k1":"` + k + `","k2":"` + k + `"}}`
	r, err := ParseRing([]byte(good))
	if err != nil || r.Current != "k2" || len(r.Keys) != 2 || !bytes.Equal(r.Keys["k1"], key(7)) {
		t.Fatalf("ParseRing(good) = %+v, %v; want current k2 with two keys", r, err)
	}
	for _, tc := range []struct{ name, in, want string }{
		{"not JSON", `{"current":`, "not valid JSON"},
		{"unknown field", `{"current":"k1","keys":{"k1":"` + k + `"},"extra":1}`, `unknown field "extra"`},
		{"current missing", `{"keys":{"k1":"` + k + `"}}`, "current: missing"},
		{"current not a key", `{"current":"k3","keys":{"k1":"` + k + `"}}`, `current: "k3" is not one of the keys`},
		{"short key", `{"current":"k1","keys":{"k1":"` + short + `"}}`, "keys.k1: must be 32 bytes, is 16"},
		{"not base64", `{"current":"k1","keys":{"k1":"%%%"}}`, "keys.k1: not standard base64"},
		{"bad id", `{"current":"k 1","keys":{"k 1":"` + k + `"}}`, `id "k 1"`},
		{"wrong shape", `{"current":"k1","keys":["` + k + `"]}`, "want {"},
	} {
		_, err := ParseRing([]byte(tc.in))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseRing(%s) = %v; want an error containing %q", tc.name, err, tc.want)
			continue
		}
		if strings.Contains(err.Error(), k) || strings.Contains(err.Error(), short) {
			t.Errorf("ParseRing(%s) error %q quotes key material", tc.name, err)
		}
	}
}

func TestNewRing(t *testing.T) {
	r, err := NewRing(bytes.NewReader(key(3)), "serve")
	if err != nil || r.Current != "serve" || !bytes.Equal(r.Keys["serve"], key(3)) {
		t.Errorf("NewRing() = %+v, %v; want one 32-byte key named serve", r, err)
	}
	if _, err := NewRing(bytes.NewReader(nil), "serve"); err == nil {
		t.Errorf("NewRing(empty randomness) = nil error; want an error")
	}
}
