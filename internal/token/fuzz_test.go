package token

import (
	"context"
	"testing"
	"time"
)

// FuzzVerify feeds arbitrary tokens to Verify: it must never panic and never accept
// anything the signer did not sign for that incident and action.
func FuzzVerify(f *testing.F) {
	now := t0
	s, _ := newSigner(&now)
	good, _, err := s.Sign(context.Background(), "FB-X-1", Ack, time.Hour)
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{good, "", ".", "a.b", good + "x", "eyJ2IjoxfQ.AAAA", good[:len(good)/2]} {
		f.Add(seed, "FB-X-1", Ack)
	}
	f.Add(good, "FB-X-2", Ack)
	f.Add(good, "FB-X-1", Resolve)
	f.Fuzz(func(t *testing.T, tok, inc, act string) {
		c, err := s.Verify(context.Background(), tok, inc, act)
		if err != nil {
			return
		}
		// Accepted: only tokens signed here (for FB-X-1, ack) verify, used as signed.
		if inc != "FB-X-1" || act != Ack || c.Inc != inc || c.Act != act || c.KeyID != "k1" {
			t.Fatalf("Verify(%q, %q, %q) accepted %+v", tok, inc, act, c)
		}
	})
}
