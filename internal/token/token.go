// Package token makes and checks the one-click links in notifications: HMAC-signed,
// expiring, single-purpose tokens.
//
// A token is base64url(payload) "." base64url(HMAC-SHA256(key, payload)), both without
// padding, where payload is the JSON object {"v":1,"kid","inc","act","exp","nonce"}: the
// format version, the id of the key that signed it, the incident, the one action it
// allows ("ack", "resolve", "view", "approve:<approval key>", "reject:<approval key>", and
// "ack:contact:<id>", "resolve:contact:<id>" acting as a person who was paged), its
// expiry (Unix seconds) and a random nonce that the API spends on use, so that a token
// acts at most once.
//
// Keys live in a Ring: the id of the current key, used to sign, and every key still
// accepted, so that rotating keeps the previous key until its tokens have expired. To
// rotate: add the new key to the ring, wait for the sources' cache (5 minutes) to pass,
// make it current, and remove the old key once the longest-lived token signed with it
// (5 days, approvals) has expired. Verification also reloads the ring (at most every
// 30 seconds) when it meets a key id it does not know.
package token

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"
)

// Version is the payload format this package signs and accepts.
const Version = 1

// KeySize is the length of every key, in bytes.
const KeySize = 32

// MaxLen bounds a token; anything longer is malformed without further reading.
const MaxLen = 2048

// Actions a token can allow. Approvals carry the approval key: "approve:<key>".
const (
	Ack     = "ack"
	Resolve = "resolve"
	Approve = "approve"
	Reject  = "reject"
)

// MaxLifetime is the longest a token may live, whatever its signer wrote: the verifier
// refuses a token whose expiry lies further ahead than this, so that a leaked signing
// key or a misconfigured signer cannot mint links that outlive a rotation of the ring.
const MaxLifetime = ApprovalTTL

// payloadFields are the payload's field names, exactly (encoding/json alone would
// accept "KID" for "kid", and the last of two "exp").
var payloadFields = []string{"v", "kid", "inc", "act", "exp", "nonce"}

// Claims is a token's payload.
type Claims struct {
	V       int       `json:"v"`
	KeyID   string    `json:"kid"`
	Inc     string    `json:"inc"`
	Act     string    `json:"act"`
	Exp     int64     `json:"exp"`
	Nonce   string    `json:"nonce"`
	Expires time.Time `json:"-"`
}

// ErrRejected is matched by every reason a token is refused (errors.Is). Other errors
// from Verify are failures to check at all (the key source could not be read).
var ErrRejected = errors.New("token rejected")

// Reasons a token is rejected, in the order Verify checks them.
var (
	ErrFormat   = reject("malformed")
	ErrKey      = reject("unknown key id")
	ErrMAC      = reject("bad signature")
	ErrVersion  = reject("unsupported version")
	ErrExpired  = reject("expired")
	ErrLifetime = reject("lives longer than links may")
	ErrIncident = reject("meant for another incident")
	ErrAction   = reject("meant for another action")
)

type rejection struct{ reason string }

func reject(reason string) error { return &rejection{reason} }

func (r *rejection) Error() string        { return "token rejected: " + r.reason }
func (r *rejection) Is(target error) bool { return target == ErrRejected }

// Ring is a set of keys: Current signs, every key in Keys verifies.
type Ring struct {
	Current string
	Keys    map[string][]byte
}

var kidRe = regexp.MustCompile(`^[A-Za-z0-9_-]{1,32}$`)

// Validate checks the ring; errors name key ids, never key material.
func (r Ring) Validate() error {
	var errs []error
	if r.Current == "" {
		errs = append(errs, errors.New("current: missing: the id of the key that signs"))
	} else if _, ok := r.Keys[r.Current]; !ok {
		errs = append(errs, fmt.Errorf("current: %q is not one of the keys", r.Current))
	}
	ids := make([]string, 0, len(r.Keys))
	for id := range r.Keys {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if !kidRe.MatchString(id) {
			errs = append(errs, fmt.Errorf("keys: id %q must be 1 to 32 letters, digits, - or _", id))
		}
		if len(r.Keys[id]) != KeySize {
			errs = append(errs, fmt.Errorf("keys.%s: must be %d bytes, is %d", id, KeySize, len(r.Keys[id])))
		}
	}
	return errors.Join(errs...)
}

// ParseRing decodes a ring stored as {"current":"k2","keys":{"k1":"<base64>","k2":"<base64>"}}
// (standard base64 of 32 random bytes each) and validates it.
func ParseRing(data []byte) (Ring, error) {
	var doc struct {
		Current string            `json:"current"`
		Keys    map[string]string `json:"keys"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		// The decoder's message may quote the input, which holds keys: say only where.
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return Ring{}, fmt.Errorf("key ring: not valid JSON (at byte %d)", se.Offset)
		}
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return Ring{}, errors.New("key ring: not valid JSON (truncated or empty)")
		}
		if strings.Contains(err.Error(), "unknown field") {
			return Ring{}, fmt.Errorf("key ring: %v (want current and keys)", err)
		}
		return Ring{}, errors.New(`key ring: want {"current": "<id>", "keys": {"<id>": "<base64 of 32 bytes>"}}`)
	}
	r := Ring{Current: doc.Current, Keys: make(map[string][]byte, len(doc.Keys))}
	for id, v := range doc.Keys {
		k, err := base64.StdEncoding.DecodeString(v)
		if err != nil {
			return Ring{}, fmt.Errorf("key ring: keys.%s: not standard base64", id)
		}
		r.Keys[id] = k
	}
	if err := r.Validate(); err != nil {
		return Ring{}, fmt.Errorf("key ring: %w", err)
	}
	return r, nil
}

// NewRing makes a ring of one random key with id kid (for `firebreak serve` and tests).
func NewRing(random io.Reader, kid string) (Ring, error) {
	k := make([]byte, KeySize)
	if _, err := io.ReadFull(random, k); err != nil {
		return Ring{}, fmt.Errorf("make a link key: %w", err)
	}
	r := Ring{Current: kid, Keys: map[string][]byte{kid: k}}
	return r, r.Validate()
}

// Source provides the ring.
type Source interface {
	Load(ctx context.Context) (Ring, error)
}

// reloader is a source that can be asked to read its ring again now (see Verify).
type reloader interface {
	Reload(ctx context.Context) (Ring, error)
}

// Signer signs and verifies tokens.
type Signer struct {
	Keys Source
	Now  func() time.Time
	Rand io.Reader // nonces; nil: crypto/rand
}

func (s *Signer) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC()
	}
	return s.Now().UTC()
}

// ValidAction reports whether act is an action a token can carry.
func ValidAction(act string) bool {
	switch act {
	case Ack, Resolve, View:
		return true
	}
	verb, key, ok := strings.Cut(act, ":")
	if ok && (verb == Ack || verb == Resolve) { // acting as a person paged: ack:contact:<id>
		id, isContact := strings.CutPrefix(key, ContactActor)
		return isContact && id != "" && len(id) <= 64
	}
	return ok && (verb == Approve || verb == Reject) && key != "" && len(key) <= 512
}

// Sign makes a token allowing action on incident until now+ttl.
func (s *Signer) Sign(ctx context.Context, inc, action string, ttl time.Duration) (string, Claims, error) {
	if inc == "" || !ValidAction(action) || ttl <= 0 || ttl > MaxLifetime {
		return "", Claims{}, fmt.Errorf("sign link: incident %q, action %q, lifetime %v: want an incident, ack|resolve|view|approve:<key>|reject:<key> and a lifetime in (0, %v]", inc, action, ttl, MaxLifetime)
	}
	ring, err := s.Keys.Load(ctx)
	if err != nil {
		return "", Claims{}, fmt.Errorf("sign link: %w", err)
	}
	key, ok := ring.Keys[ring.Current]
	if !ok || len(key) != KeySize {
		return "", Claims{}, fmt.Errorf("sign link: the current key %q is not in the ring", ring.Current)
	}
	random := s.Rand
	if random == nil {
		random = rand.Reader
	}
	nonce := make([]byte, 16)
	if _, err := io.ReadFull(random, nonce); err != nil {
		return "", Claims{}, fmt.Errorf("sign link: nonce: %w", err)
	}
	exp := s.now().Add(ttl).Truncate(time.Second)
	c := Claims{V: Version, KeyID: ring.Current, Inc: inc, Act: action, Exp: exp.Unix(), Nonce: b64.EncodeToString(nonce), Expires: exp}
	tok, err := seal(c, key)
	return tok, c, err
}

var b64 = base64.RawURLEncoding.Strict()

// seal encodes and signs c with key.
func seal(c Claims, key []byte) (string, error) {
	payload, err := json.Marshal(c)
	if err != nil {
		return "", fmt.Errorf("sign link: %w", err)
	}
	return b64.EncodeToString(payload) + "." + b64.EncodeToString(mac(key, payload)), nil
}

func mac(key, payload []byte) []byte {
	h := hmac.New(sha256.New, key)
	h.Write(payload)
	return h.Sum(nil)
}

var nonceRe = regexp.MustCompile(`^[A-Za-z0-9_-]{22}$`)

// parse checks the format and decodes the payload; the signature is not yet checked.
func parse(tok string) (Claims, []byte, []byte, error) {
	if len(tok) == 0 || len(tok) > MaxLen || strings.Count(tok, ".") != 1 {
		return Claims{}, nil, nil, ErrFormat
	}
	p, m, _ := strings.Cut(tok, ".")
	payload, err1 := b64.DecodeString(p)
	sig, err2 := b64.DecodeString(m)
	if err1 != nil || err2 != nil || len(sig) != sha256.Size {
		return Claims{}, nil, nil, ErrFormat
	}
	if !exactFields(payload) {
		return Claims{}, nil, nil, ErrFormat
	}
	var c Claims
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil || dec.More() {
		return Claims{}, nil, nil, ErrFormat
	}
	if c.KeyID == "" || c.Inc == "" || c.Exp <= 0 || !nonceRe.MatchString(c.Nonce) || !ValidAction(c.Act) {
		return Claims{}, nil, nil, ErrFormat
	}
	c.Expires = time.Unix(c.Exp, 0).UTC()
	return c, payload, sig, nil
}

// exactFields reports whether payload is one JSON object holding each of payloadFields
// once, spelled exactly, and nothing else.
func exactFields(payload []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(payload))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return false
	}
	seen := make(map[string]bool, len(payloadFields))
	for dec.More() {
		t, err := dec.Token()
		name, ok := t.(string)
		if err != nil || !ok || seen[name] || !slices.Contains(payloadFields, name) {
			return false
		}
		seen[name] = true
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return false
		}
	}
	return len(seen) == len(payloadFields)
}

// Verify checks, in order: the format (field names exactly as signed), that the key id
// is in the ring, the signature (in constant time), the version, the expiry and that
// the token lives no longer than MaxLifetime, that the token is for incident and for
// action. A refusal matches ErrRejected; any other error is a failure to load the keys.
// Spending the nonce (single use) is the caller's: see store.UseToken.
func (s *Signer) Verify(ctx context.Context, tok, inc, action string) (Claims, error) {
	c, payload, sig, err := parse(tok)
	if err != nil {
		return Claims{}, err
	}
	ring, err := s.Keys.Load(ctx)
	if err != nil {
		return Claims{}, fmt.Errorf("verify link: %w", err)
	}
	key, ok := ring.Keys[c.KeyID]
	if !ok {
		if r, can := s.Keys.(reloader); can { // perhaps a key added since the ring was cached
			if ring, err = r.Reload(ctx); err != nil {
				return Claims{}, fmt.Errorf("verify link: %w", err)
			}
			key, ok = ring.Keys[c.KeyID]
		}
		if !ok {
			return Claims{}, ErrKey
		}
	}
	if !hmac.Equal(mac(key, payload), sig) {
		return Claims{}, ErrMAC
	}
	if c.V != Version {
		return Claims{}, ErrVersion
	}
	now := s.now()
	if !now.Before(c.Expires) {
		return Claims{}, ErrExpired
	}
	if c.Expires.After(now.Add(MaxLifetime)) {
		return Claims{}, ErrLifetime
	}
	if c.Inc != inc {
		return Claims{}, ErrIncident
	}
	if c.Act != action {
		return Claims{}, ErrAction
	}
	return c, nil
}
