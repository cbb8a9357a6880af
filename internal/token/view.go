package token

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// View is the action of a status-page viewer link: it reads, never acts, and is used
// any number of times until it expires (its nonce is never spent). Its "incident" is
// the scope it shows: ViewAll, or ViewAccount(id) for one account's incidents.
const View = "view"

// ViewTTL is the lifetime of a viewer link: the longest any link may live. Revoke the
// viewer links in circulation by rotating the link keys until the key that signed them
// has left the ring (MaxKeys rotations), or wait ViewTTL.
const ViewTTL = MaxLifetime

// Viewer link scopes: ViewAll, or parts joined by ";": "account:<id>" limits the link to
// one account, "audience:<name>" makes it the view of that audience (only what was
// published to it), e.g. "account:123456789012;audience:stakeholders".
const (
	ViewAll         = "*"
	viewAccountOf   = "account:"
	viewAudienceOf  = "audience:"
	viewScopeJoiner = ";"
)

// ViewAccount is the scope of a viewer link that shows one account.
func ViewAccount(account string) string { return viewAccountOf + account }

// Scope is what a viewer link may see: Account "" is every account; Audience "" is the
// responders' view, else only what was published to that audience.
type Scope struct{ Account, Audience string }

// String is the scope as a token carries it.
func (s Scope) String() string {
	var parts []string
	if s.Account != "" {
		parts = append(parts, viewAccountOf+s.Account)
	}
	if s.Audience != "" {
		parts = append(parts, viewAudienceOf+s.Audience)
	}
	if len(parts) == 0 {
		return ViewAll
	}
	return strings.Join(parts, viewScopeJoiner)
}

// ParseScope reads a viewer token's scope; ok is false for anything but ViewAll or
// account and audience parts, each at most once and not empty.
func ParseScope(scope string) (s Scope, ok bool) {
	if scope == ViewAll {
		return Scope{}, true
	}
	for _, p := range strings.Split(scope, viewScopeJoiner) {
		switch {
		case strings.HasPrefix(p, viewAccountOf) && s.Account == "" && len(p) > len(viewAccountOf):
			s.Account = p[len(viewAccountOf):]
		case strings.HasPrefix(p, viewAudienceOf) && s.Audience == "" && len(p) > len(viewAudienceOf):
			s.Audience = p[len(viewAudienceOf):]
		default:
			return Scope{}, false
		}
	}
	return s, true
}

// ViewPath is where a viewer token opens the status page, below the API's links URL.
func ViewPath(tok string) string { return "/status/" + tok + "/" }

// ViewURL makes a viewer link for scope, valid for ttl (0: ViewTTL).
func (l *Links) ViewURL(ctx context.Context, scope string, ttl time.Duration) (string, time.Time, error) {
	if _, ok := ParseScope(scope); !ok {
		return "", time.Time{}, fmt.Errorf("viewer link: scope %q: want %q, account:<id>, audience:<name> or both joined by ;", scope, ViewAll)
	}
	tok, c, err := l.Signer.Sign(ctx, scope, View, l.ttl(ttl, ViewTTL))
	if err != nil {
		return "", time.Time{}, err
	}
	return strings.TrimRight(l.Base, "/") + ViewPath(tok), c.Expires, nil
}

// VerifyView checks a viewer token as Verify does and returns its scope. The token
// names its own scope; any refusal matches ErrRejected.
func (s *Signer) VerifyView(ctx context.Context, tok string) (Scope, Claims, error) {
	c, _, _, err := parse(tok)
	if err != nil {
		return Scope{}, Claims{}, err
	}
	if c.Act != View {
		return Scope{}, Claims{}, ErrAction
	}
	scope, ok := ParseScope(c.Inc)
	if !ok {
		return Scope{}, Claims{}, ErrFormat
	}
	if c, err = s.Verify(ctx, tok, c.Inc, View); err != nil {
		return Scope{}, Claims{}, err
	}
	return scope, c, nil
}
