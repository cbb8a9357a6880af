package cli_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

func get(t *testing.T, u string) (int, string) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

func TestServeStatusPageAndLink(t *testing.T) {
	s := serve(t, samples)
	if !strings.Contains(s.banner, "Status page: "+s.base+"/status/") {
		t.Errorf("serve's banner does not say where the status page is:\n%s", s.banner)
	}
	code, page := get(t, s.base+"/status/")
	if code != 200 || !strings.Contains(page, "Active incidents") || !strings.Contains(page, `href="incidents/FB-`) {
		t.Fatalf("GET /status/ = %d; want the board with incident links:\n%s", code, page)
	}

	code, out, errs := run(t, "", "status-link", "--api", s.base)
	if code != 0 {
		t.Fatalf("status-link: exit %d, stderr %s", code, errs)
	}
	link := strings.TrimSpace(out)
	if !strings.HasPrefix(link, s.base+"/status/") || !strings.HasSuffix(link, "/") || !strings.Contains(errs, "every account") {
		t.Fatalf("status-link printed %q (stderr %q); want %s/status/<token>/ for every account", link, errs, s.base)
	}
	if code, body := get(t, link); code != 200 || !strings.Contains(body, "Active incidents") {
		t.Errorf("GET %s = %d; want the board:\n%s", link, code, body)
	}
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"one account", []string{"--account", "999999999999"}, 0, "account 999999999999"},
		{"stakeholders", []string{"--audience", "stakeholders"}, 0, "every account, as stakeholders see it"},
		{"bad audience", []string{"--audience", "All Hands"}, 1, `"audience"`},
		{"too long", []string{"--ttl", "200h"}, 1, `"ttl"`},
		{"bad account", []string{"--account", "a b"}, 1, "is not an account id"},
		{"stray argument", []string{"now"}, 2, "unexpected argument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errs := run(t, "", append([]string{"status-link", "--api", s.base}, tt.args...)...)
			if code != tt.code || !strings.Contains(errs, tt.want) {
				t.Errorf("status-link %v = exit %d, %q; want %d and %q", tt.args, code, errs, tt.code, tt.want)
			}
		})
	}
	if code, _, errs := run(t, "", "status-link"); code != 2 || !strings.Contains(errs, "no API") {
		t.Errorf("status-link without an API = exit %d, %q; want 2 and a usage error", code, errs)
	}
}
