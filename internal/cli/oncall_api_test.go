package cli_test

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

// TestOncallOverridesThroughTheAPI: an override made with the CLI through `firebreak
// serve` puts its contact on call for `oncall --api`, is listed, and is removed.
func TestOncallOverridesThroughTheAPI(t *testing.T) {
	s := serve(t)
	ok := func(args ...string) string {
		t.Helper()
		code, out, errs := run(t, "", append(args, "--api", s.base)...)
		if code != 0 {
			t.Fatalf("firebreak %s: exit %d, stderr %s", strings.Join(args, " "), code, errs)
		}
		return out
	}
	who := func() []string {
		t.Helper()
		var got []struct{ Contact string }
		out := ok("oncall", "platform-secondary", "--json")
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("oncall --json printed %q: %v", out, err)
		}
		var ids []string
		for _, g := range got {
			ids = append(ids, g.Contact)
		}
		return ids
	}
	before := who()
	if len(before) != 1 {
		t.Fatalf("oncall platform-secondary --api = %v; want one person", before)
	}
	taker := "carol"
	if before[0] == taker {
		taker = "dan"
	}
	out := ok("oncall", "override", "platform-secondary", "--contact", taker, "--from", "now-1h", "--to", "now+2h", "--reason", "swap")
	m := regexp.MustCompile(`^override (\S+): ` + taker + ` on call for platform-secondary`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("oncall override printed %q; want the override's id", out)
	}
	if got := who(); len(got) != 1 || got[0] != taker {
		t.Errorf("oncall --api with the override = %v; want [%s]", got, taker)
	}
	if list := ok("oncall", "overrides", "list"); !strings.Contains(list, m[1]) || !strings.Contains(list, "swap") {
		t.Errorf("overrides list = %q; want %s with its reason", list, m[1])
	}
	ok("oncall", "overrides", "remove", "platform-secondary", m[1])
	if got := who(); len(got) != 1 || got[0] != before[0] {
		t.Errorf("oncall --api after removing the override = %v; want %v", got, before)
	}
	code, _, errs := run(t, "", "oncall", "overrides", "remove", "platform-secondary", m[1], "--api", s.base)
	if code == 0 || !strings.Contains(errs, "no override") {
		t.Errorf("removing it again = exit %d, %q; want a failure saying there is no such override", code, errs)
	}
}

// TestOncallOverrideNeedsTheAPI: without --api or $FIREBREAK_API, an override is a usage
// error that says how to give the API.
func TestOncallOverrideNeedsTheAPI(t *testing.T) {
	code, _, errs := run(t, "", "oncall", "override", "platform-primary", "--contact", "alice", "--from", "now", "--to", "now+1h")
	if code != 2 || !strings.Contains(errs, "FIREBREAK_API") {
		t.Errorf("oncall override without an API = exit %d, %q; want 2 naming FIREBREAK_API", code, errs)
	}
}
