package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/status"
	"github.com/firebreak-ops/firebreak/internal/token"
)

func TestStatusPage(t *testing.T) {
	f := newFixture(t, "memory")
	all := f.sign(token.ViewAll, token.View, token.ViewTTL)
	other := f.sign(token.ViewAccount("999999999999"), token.View, token.ViewTTL)
	stake := f.sign(token.Scope{Audience: "stakeholders"}.String(), token.View, token.ViewTTL)
	ack := f.sign("FB-OPEN-1", token.Ack, time.Hour)
	const iam = "arn:aws:iam::123456789012:user/alice"
	tests := []struct {
		name, method, path, iam string
		wantStatus              int
		want, not               []string
	}{
		{"board by viewer link", "GET", "/status/" + all + "/", "", 200,
			[]string{"KMS key &lt;k1&gt; scheduled for deletion", "FB-ACK-1", `href="incidents/FB-OPEN-1"`}, nil},
		{"incident by viewer link", "GET", "/status/" + all + "/incidents/FB-OPEN-1", "", 200, []string{"Timeline", `href="../"`}, nil},
		{"no token on the links URL", "GET", "/status/", "", 403, []string{"needs a viewer link"}, []string{"KMS key"}},
		{"no token, no slash", "GET", "/status", "", 403, nil, []string{"KMS key"}},
		{"an acknowledge token does not view", "GET", "/status/" + ack + "/", "", 403, []string{"cannot be used"}, []string{"KMS key"}},
		{"a forged token", "GET", "/status/" + tamper(t, all, "inc", "account:1") + "/", "", 403, nil, []string{"KMS key"}},
		{"a viewer link of another account", "GET", "/status/" + other + "/", "", 200, []string{"No active incidents."}, []string{"KMS key", "FB-ACK-1"}},
		{"another account's incident", "GET", "/status/" + other + "/incidents/FB-OPEN-1", "", 404, nil, []string{"KMS key"}},
		{"stakeholders' view", "GET", "/status/" + stake + "/incidents/FB-ACK-1", "", 200, []string{"for stakeholders", `<span class="k">acknowledged</span>`},
			[]string{"user/bob", "Acknowledged by"}},
		{"read-only", "POST", "/status/" + all + "/", "", 405, nil, nil},
		{"IAM caller", "GET", "/status/", iam, 200, []string{"KMS key &lt;k1&gt;"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := f.do(f.request(tt.method, tt.path, "", tt.iam))
			if r.StatusCode != tt.wantStatus {
				t.Fatalf("%s %s status = %d; want %d\n%s", tt.method, tt.name, r.StatusCode, tt.wantStatus, r.Body)
			}
			if got := r.Headers["Content-Security-Policy"]; got != status.CSP {
				t.Errorf("%s: Content-Security-Policy = %q; want status.CSP", tt.name, got)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.Body, w) {
					t.Errorf("%s: body lacks %q:\n%s", tt.name, w, r.Body)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(r.Body, n) {
					t.Errorf("%s: body shows %q", tt.name, n)
				}
			}
		})
	}
	t.Run("the board's address ends in a slash", func(t *testing.T) {
		r := f.do(f.request("GET", "/status/"+all, "", ""))
		if r.StatusCode != http.StatusPermanentRedirect || r.Headers["Location"] != "/status/"+all+"/" {
			t.Errorf("GET /status/<token> = %d Location %q; want 308 to /status/<token>/", r.StatusCode, r.Headers["Location"])
		}
	})
	t.Run("a viewer token acts on nothing", func(t *testing.T) {
		before := f.state("FB-OPEN-1")
		for _, m := range []string{"GET", "POST"} {
			if r := f.click(m, all, token.ViewAll, token.View); r.StatusCode != http.StatusForbidden {
				t.Errorf("%s /t/<viewer token> = %d; want 403", m, r.StatusCode)
			}
		}
		if after := f.state("FB-OPEN-1"); after != before {
			t.Errorf("FB-OPEN-1 changed after viewer token clicks: %+v → %+v", before, after)
		}
	})
	t.Run("expired", func(t *testing.T) {
		f.advance(token.ViewTTL)
		if r := f.do(f.request("GET", "/status/"+all+"/", "", "")); r.StatusCode != http.StatusForbidden {
			t.Errorf("GET /status/<expired token>/ = %d; want 403", r.StatusCode)
		}
	})
}
