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

// Viewer link scopes.
const (
	ViewAll       = "*"
	viewAccountOf = "account:"
)

// ViewAccount is the scope of a viewer link that shows one account.
func ViewAccount(account string) string { return viewAccountOf + account }

// ViewScope is the account a viewer scope is limited to ("" for ViewAll); ok is false
// for a scope that is neither.
func ViewScope(scope string) (account string, ok bool) {
	if scope == ViewAll {
		return "", true
	}
	account, ok = strings.CutPrefix(scope, viewAccountOf)
	return account, ok && account != ""
}

// ViewPath is where a viewer token opens the status page, below the API's links URL.
func ViewPath(tok string) string { return "/status/" + tok + "/" }

// ViewURL makes a viewer link for scope, valid for ttl (0: ViewTTL).
func (l *Links) ViewURL(ctx context.Context, scope string, ttl time.Duration) (string, time.Time, error) {
	if _, ok := ViewScope(scope); !ok {
		return "", time.Time{}, fmt.Errorf("viewer link: scope %q: want %q or account:<id>", scope, ViewAll)
	}
	tok, c, err := l.Signer.Sign(ctx, scope, View, l.ttl(ttl, ViewTTL))
	if err != nil {
		return "", time.Time{}, err
	}
	return strings.TrimRight(l.Base, "/") + ViewPath(tok), c.Expires, nil
}

// VerifyView checks a viewer token as Verify does and returns the account it is
// limited to ("" for all). The token names its own scope; any refusal matches
// ErrRejected.
func (s *Signer) VerifyView(ctx context.Context, tok string) (string, Claims, error) {
	c, _, _, err := parse(tok)
	if err != nil {
		return "", Claims{}, err
	}
	if c.Act != View {
		return "", Claims{}, ErrAction
	}
	account, ok := ViewScope(c.Inc)
	if !ok {
		return "", Claims{}, ErrFormat
	}
	if c, err = s.Verify(ctx, tok, c.Inc, View); err != nil {
		return "", Claims{}, err
	}
	return account, c, nil
}
