package token_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/token"
)

// viewToken takes the token out of a viewer link, checking the link's shape.
func viewToken(t *testing.T, link string) string {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatalf("viewer link %q does not parse: %v", link, err)
	}
	tok, ok := strings.CutPrefix(u.Path, "/status/")
	if !ok || !strings.HasSuffix(tok, "/") || u.RawQuery != "" {
		t.Fatalf("viewer link %q; want https://…/status/<token>/", link)
	}
	return strings.TrimSuffix(tok, "/")
}

func TestViewLinks(t *testing.T) {
	now := t0
	l := newLinks(t, &now)
	ctx := context.Background()
	all, exp, err := l.ViewURL(ctx, token.ViewAll, 0)
	if err != nil {
		t.Fatal(err)
	}
	if want := t0.Add(token.ViewTTL); !exp.Equal(want) {
		t.Errorf("ViewURL(*) expires %v; want %v (ViewTTL)", exp, want)
	}
	one, _, err := l.ViewURL(ctx, token.ViewAccount("111111111111"), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	stake, _, err := l.ViewURL(ctx, token.Scope{Account: "111111111111", Audience: "stakeholders"}.String(), 0)
	if err != nil {
		t.Fatal(err)
	}
	ack, _, err := l.Signer.Sign(ctx, "FB-X-1", token.Ack, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		tok     string
		at      time.Time
		want    token.Scope
		wantErr error
	}{
		{"all accounts", viewToken(t, all), t0, token.Scope{}, nil},
		{"all accounts, again: a viewer link is not spent", viewToken(t, all), t0.Add(time.Minute), token.Scope{}, nil},
		{"one account", viewToken(t, one), t0, token.Scope{Account: "111111111111"}, nil},
		{"stakeholders of one account", viewToken(t, stake), t0, token.Scope{Account: "111111111111", Audience: "stakeholders"}, nil},
		{"expired", viewToken(t, one), t0.Add(time.Hour), token.Scope{}, token.ErrExpired},
		{"an acknowledge token is no viewer token", ack, t0, token.Scope{}, token.ErrAction},
		{"garbage", "not-a-token", t0, token.Scope{}, token.ErrFormat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now = tt.at
			scope, _, err := l.Signer.VerifyView(ctx, tt.tok)
			if !errors.Is(err, tt.wantErr) || (err != nil && !errors.Is(err, token.ErrRejected)) {
				t.Fatalf("VerifyView(%s) error = %v; want %v", tt.name, err, tt.wantErr)
			}
			if scope != tt.want {
				t.Errorf("VerifyView(%s) scope = %+v; want %+v", tt.name, scope, tt.want)
			}
		})
	}
	now = t0
	if _, _, err := l.ViewURL(ctx, "FB-X-1", 0); err == nil {
		t.Errorf("ViewURL(FB-X-1) = nil error; want a refusal of a scope that is not * or account:<id>")
	}
	if _, _, err := l.ViewURL(ctx, token.ViewAll, token.MaxLifetime+time.Second); err == nil {
		t.Errorf("ViewURL(*, MaxLifetime+1s) = nil error; want a refusal")
	}
}

func TestParseScope(t *testing.T) {
	tests := []struct {
		in   string
		want token.Scope
		ok   bool
	}{
		{"*", token.Scope{}, true},
		{"account:1", token.Scope{Account: "1"}, true},
		{"audience:stakeholders", token.Scope{Audience: "stakeholders"}, true},
		{"account:1;audience:execs", token.Scope{Account: "1", Audience: "execs"}, true},
		{"audience:execs;account:1", token.Scope{Account: "1", Audience: "execs"}, true},
		{"account:", token.Scope{}, false},
		{"account:1;account:2", token.Scope{}, false},
		{"FB-X-1", token.Scope{}, false},
		{"", token.Scope{}, false},
		{"*;account:1", token.Scope{}, false},
	}
	for _, tt := range tests {
		got, ok := token.ParseScope(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseScope(%q) = %+v, %v; want %+v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
		if ok && tt.in != "audience:execs;account:1" {
			if s := got.String(); s != tt.in {
				t.Errorf("ParseScope(%q).String() = %q; want it back", tt.in, s)
			}
		}
	}
}
