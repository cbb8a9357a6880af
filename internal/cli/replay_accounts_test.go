package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// accountsReplay is what these tests read of `replay --json`.
type accountsReplay struct {
	Incidents     int                       `json:"incidents"`
	Quarantined   int                       `json:"quarantined"`
	Notifications int                       `json:"notifications"`
	Breaches      int                       `json:"breaches"`
	Runbooks      map[string]map[string]int `json:"runbooks"`
	Quarantine    []struct{ Reason string } `json:"quarantine"`
	ByClient      map[string]int            `json:"by_client"`
	ByAccount     map[string]int            `json:"by_account"`
	List          []struct {
		ID, Status, Severity, Team, Account, Client, Environment, Runbook string
		Reason                                                            string `json:"account_reason"`
	} `json:"incident_list"`
}

// sameAlarm writes the sample production alarm (ops.alarm-prod: sev2, platform, runbook
// alarm-diagnostics) as raised in each account, one file of JSON lines.
func sameAlarm(t *testing.T, dir string, accounts ...string) string {
	t.Helper()
	raw, err := os.ReadFile(samples + "/cloudwatch/alarm-state-alarm.json")
	if err != nil {
		t.Fatal(err)
	}
	var compact strings.Builder
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(v)
	for i, a := range accounts {
		ev := strings.ReplaceAll(string(b), "123456789012", a)
		ev = strings.Replace(ev, `"id":"`, `"id":"`+a+"-"+string(rune('a'+i)), 1)
		compact.WriteString(ev + "\n")
	}
	p := filepath.Join(dir, "alarms.jsonl")
	if err := os.WriteFile(p, []byte(compact.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func replayAccounts(t *testing.T, cfg, events string, extra ...string) accountsReplay {
	t.Helper()
	args := append([]string{"replay", "--json", "--config", cfg}, extra...)
	code, out, errs := run(t, "", append(args, events)...)
	if code != 0 {
		t.Fatalf("replay exit %d: %s", code, errs)
	}
	var r accountsReplay
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("replay --json: %v\n%s", err, out)
	}
	return r
}

// TestReplayAccounts is issue 13's account proof, on the shipped firebreak.yaml: the same
// alarm from Acme's gold production account and from an unlisted sandbox account opens
// incidents of different severities and owners, each saying why, and the gold one is
// held to its tier's objectives.
func TestReplayAccounts(t *testing.T) {
	const acme, sandbox = "111122223333", "777788889999" // gold (raise 1, team payments); not in the directory
	events := sameAlarm(t, t.TempDir(), acme, sandbox)
	r := replayAccounts(t, "../../firebreak.yaml", events, "--until", "3h")
	if r.Incidents != 2 || len(r.List) != 2 {
		t.Fatalf("replay: %d incidents; want 2, one per account", r.Incidents)
	}
	byAccount := map[string]int{}
	for i, inc := range r.List {
		byAccount[inc.Account] = i
	}
	gold, unlisted := r.List[byAccount[acme]], r.List[byAccount[sandbox]]
	tests := []struct {
		name, account, severity, team, client, reason string
	}{
		{"gold production", gold.Account, gold.Severity, gold.Team, gold.Client, gold.Reason},
		{"unlisted sandbox", unlisted.Account, unlisted.Severity, unlisted.Team, unlisted.Client, unlisted.Reason},
	}
	want := [][5]string{
		{acme, "sev1", "payments", "acme", "sev2 raised to sev1: account 111122223333 (Acme production) is tier gold; owner payments: the account belongs to payments; objectives of tier gold: acknowledge within 5m, resolve within 2h"},
		{sandbox, "sev2", "platform", "", "account 777788889999 is not in the account directory (accepted as unknown)"},
	}
	for i, tt := range tests {
		if got := [5]string{tt.account, tt.severity, tt.team, tt.client, tt.reason}; got != want[i] {
			t.Errorf("%s incident = %q;\nwant %q", tt.name, got, want[i])
		}
	}
	// Three hours on, nobody acknowledged: gold misses acknowledge (5m) and its own
	// resolve objective (2h, not sev1's 4h); the unlisted sev2 misses acknowledge (15m)
	// and is within its 8h to resolve.
	if r.Breaches != 3 {
		t.Errorf("replay --until 3h: %d breaches; want 3 (gold acknowledge and resolve within 2h, unlisted acknowledge)", r.Breaches)
	}
	if r.ByClient["acme"] != 1 || r.ByClient["(unlisted)"] != 1 || r.ByAccount[acme] != 1 || r.ByAccount[sandbox] != 1 {
		t.Errorf("replay by client %v, by account %v; want acme 1 and (unlisted) 1, one incident per account", r.ByClient, r.ByAccount)
	}
	code, out, _ := run(t, "", "replay", "--config", "../../firebreak.yaml", events)
	for _, w := range []string{"Incidents by client:   (unlisted) 1 · acme 1", "Incidents by account:  111122223333 (Acme production) 1 · 777788889999 (unlisted) 1"} {
		if code != 0 || !strings.Contains(out, w) {
			t.Errorf("replay summary = exit %d:\n%s\nwant the line %q", code, out, w)
		}
	}
}

// unknownPolicy is the shipped configuration with unknown_accounts set to policy, in a
// repository of its own (its runbooks linked) so that it loads as the shipped one does.
func unknownPolicy(t *testing.T, policy string) string {
	t.Helper()
	dir := t.TempDir()
	data, err := os.ReadFile("../../firebreak.yaml")
	if err != nil {
		t.Fatal(err)
	}
	yaml := strings.Replace(string(data), "\nunknown_accounts: accept", "\nunknown_accounts: "+policy, 1)
	if yaml == string(data) {
		t.Fatal("firebreak.yaml has no line unknown_accounts: accept to change")
	}
	runbooks, err := filepath.Abs("../../runbooks")
	if err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string]string{"firebreak.yaml": yaml, "cdk.json": "{}"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(runbooks, filepath.Join(dir, "runbooks")); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "firebreak.yaml")
}

func TestReplayUnknownAccounts(t *testing.T) {
	const acme, sandbox = "111122223333", "777788889999"
	events := sameAlarm(t, t.TempDir(), acme, sandbox)
	accepted := replayAccounts(t, "../../firebreak.yaml", events)
	started := func(r accountsReplay) int {
		c := r.Runbooks["alarm-diagnostics"]
		return c["succeeded"] + c["failed"] + c["waiting"]
	}

	t.Run("record", func(t *testing.T) {
		r := replayAccounts(t, unknownPolicy(t, "record"), events)
		if r.Incidents != 2 || r.Quarantined != 0 {
			t.Fatalf("replay: %d incidents, %d quarantined; want 2 incidents (the unknown account's recorded), none quarantined", r.Incidents, r.Quarantined)
		}
		for _, inc := range r.List {
			if inc.Account != sandbox {
				continue
			}
			want := "sev2 recorded as info (nobody paged, no runbook): account 777788889999 is not in the account directory (unknown_accounts: record)"
			if inc.Severity != "info" || inc.Runbook != "" || inc.Reason != want {
				t.Errorf("unknown account's incident = %s, runbook %q, reason %q; want info, no runbook, %q", inc.Severity, inc.Runbook, inc.Reason, want)
			}
		}
		if started(r) != started(accepted)-1 || r.Notifications >= accepted.Notifications {
			t.Errorf("record: %d runbooks started, %d notifications; want one runbook fewer than accept (%d) and fewer notifications (%d)",
				started(r), r.Notifications, started(accepted), accepted.Notifications)
		}
	})
	t.Run("refuse", func(t *testing.T) {
		r := replayAccounts(t, unknownPolicy(t, "refuse"), events)
		if r.Incidents != 1 || r.Quarantined != 1 || len(r.List) != 1 || r.List[0].Account != acme {
			t.Fatalf("replay: %d incidents %+v, %d quarantined; want Acme's incident only and the unknown account's event quarantined", r.Incidents, r.List, r.Quarantined)
		}
		if len(r.Quarantine) != 1 || !strings.Contains(r.Quarantine[0].Reason, "account 777788889999 is not in the account directory (unknown_accounts: refuse)") {
			t.Errorf("quarantine = %+v; want the reason naming the account and the policy", r.Quarantine)
		}
	})
}
