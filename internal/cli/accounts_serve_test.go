package cli_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/firebreak-ops/firebreak/internal/api"
)

// The per-client views over a served pipeline: incidents list filtered by client,
// environment and account, incidents show saying the account's client and why, and
// report --by client.
func TestServeClientViews(t *testing.T) {
	const acme, sandbox = "111122223333", "777788889999"
	s := serve(t, "--config", "../../firebreak.yaml", sameAlarm(t, t.TempDir(), acme, sandbox))
	list := func(args ...string) []string {
		t.Helper()
		var r api.ListResponse
		if err := json.Unmarshal([]byte(s.ok(t, append([]string{"list", "--json", "--status", "all"}, args...)...)), &r); err != nil {
			t.Fatal(err)
		}
		var accounts []string
		for _, inc := range r.Incidents {
			accounts = append(accounts, inc.Account)
		}
		return accounts
	}
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--client", "acme"}, acme},
		{[]string{"--environment", "production"}, acme},
		{[]string{"--account", sandbox}, sandbox},
		{[]string{"--client", "acme", "--account", sandbox}, ""},
		{[]string{"--client", "initech"}, ""},
	}
	for _, tt := range tests {
		if got := strings.Join(list(tt.args...), ","); got != tt.want {
			t.Errorf("incidents list %s = accounts [%s]; want [%s]", strings.Join(tt.args, " "), got, tt.want)
		}
	}
	if code, _, errs := s.cli(t, "list", "--client", "Acme Corp"); code == 0 || !strings.Contains(errs, `client "Acme Corp"`) {
		t.Errorf("incidents list --client 'Acme Corp' = exit %d, %q; want a refusal naming the client", code, errs)
	}

	var r api.ListResponse
	if err := json.Unmarshal([]byte(s.ok(t, "list", "--json", "--client", "acme")), &r); err != nil || len(r.Incidents) != 1 {
		t.Fatalf("list --client acme = %+v, %v; want one incident", r, err)
	}
	out := s.ok(t, "show", r.Incidents[0].ID)
	for _, w := range []string{"Client", "Acme production · client acme · production · tier gold", "Priority", "sev2 raised to sev1: account 111122223333 (Acme production) is tier gold"} {
		if !strings.Contains(out, w) {
			t.Errorf("incidents show %s:\n%s\nwant %q", r.Incidents[0].ID, out, w)
		}
	}

	code, rep, errs := run(t, "", "report", "--api", s.base, "--json", "--by", "client")
	var got struct {
		By     string `json:"by"`
		Groups []struct {
			Key       string `json:"key"`
			Incidents int    `json:"incidents"`
		} `json:"groups"`
	}
	if code != 0 || json.Unmarshal([]byte(rep), &got) != nil {
		t.Fatalf("report --by client = exit %d %s: %s", code, errs, rep)
	}
	keys := map[string]int{}
	for _, g := range got.Groups {
		keys[g.Key] = g.Incidents
	}
	if got.By != "client" || keys["acme"] != 1 || keys["(unlisted)"] != 1 || len(keys) != 2 {
		t.Errorf("report --by client = by %q, groups %v; want acme 1 and (unlisted) 1", got.By, keys)
	}
}
