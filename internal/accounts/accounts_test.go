package accounts_test

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/firebreak-ops/firebreak/internal/accounts"
	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/incident"
)

func TestShift(t *testing.T) {
	tests := []struct {
		sev          incident.Severity
		raise, lower int
		want         incident.Severity
	}{
		{incident.Sev3, 0, 0, incident.Sev3},
		{incident.Sev3, 1, 0, incident.Sev2},
		{incident.Sev3, 2, 0, incident.Sev1},
		{incident.Sev2, 2, 0, incident.Sev1}, // never above sev1
		{incident.Sev1, 1, 0, incident.Sev1},
		{incident.Sev3, 5, 0, incident.Sev1}, // more than the bound: clamped to 2 steps
		{incident.Sev4, 9, 0, incident.Sev2}, // clamped to 2 steps, not to sev1
		{incident.Sev2, 0, 1, incident.Sev3},
		{incident.Sev2, 0, 2, incident.Sev4},
		{incident.Sev3, 0, 2, incident.Info}, // never below info
		{incident.Sev4, 0, 2, incident.Info},
		{incident.Sev1, 0, 9, incident.Sev3}, // clamped to 2 steps
		{incident.Info, 2, 0, incident.Info}, // info stays info: a tier never makes an incident
		{incident.Sev2, -1, -1, incident.Sev2},
		{"bogus", 1, 0, "bogus"},
	}
	for _, tt := range tests {
		if got := accounts.Shift(tt.sev, tt.raise, tt.lower); got != tt.want {
			t.Errorf("Shift(%s, raise %d, lower %d) = %s; want %s", tt.sev, tt.raise, tt.lower, got, tt.want)
		}
	}
}

const base = `version: 1
defaults: {team: platform}
teams:
  platform: {email: [p@example.com]}
  acme: {email: [acme@example.com]}
  premium: {email: [premium@example.com]}
  security: {email: [sec@example.com]}
taxonomy:
  - {class: ops.alarm, match: {"source": ["aws.cloudwatch"]}, severity: sev2}
severities:
  sev1: {channels: [email], acknowledge_within: 5m, resolve_within: 4h}
  sev2: {channels: [email], acknowledge_within: 15m, resolve_within: 8h}
  sev3: {channels: [email], acknowledge_within: 1h}
  sev4: {channels: [email]}
tiers:
  gold: {raise: 1, team: premium, objectives: {acknowledge_within: 2m, resolve_within: 1h}}
  bronze: {lower: 1}
  sandbox: {lower: 2}
accounts:
  "111122223333": {name: Acme production, client: acme, environment: production, tier: gold}
  "111122224444": {name: Acme staging, client: acme, environment: staging, tier: bronze, team: acme}
  "111122225555": {name: Acme sandbox, client: acme, environment: sandbox, tier: sandbox}
`

func load(t testing.TB, yaml string) *accounts.Directory {
	t.Helper()
	cfg, err := config.ParseFS("f.yaml", []byte(yaml), fstest.MapFS{})
	if err != nil {
		t.Fatalf("ParseFS: %v", err)
	}
	return accounts.New(cfg)
}

func TestApply(t *testing.T) {
	d := load(t, base)
	sev2 := accounts.Class{Severity: incident.Sev2, Team: "platform", Incident: true}
	tests := []struct {
		name    string
		account string
		class   accounts.Class
		want    accounts.Verdict
	}{
		{"gold: raised, the tier's owner and objectives", "111122223333", sev2, accounts.Verdict{Known: true, Name: "Acme production", Client: "acme", Environment: "production", Tier: "gold",
			Severity: incident.Sev1, Team: "premium", Objectives: config.Objectives{Acknowledge: 2 * time.Minute, Resolve: time.Hour, Tier: "gold"},
			Reason: "sev2 raised to sev1: account 111122223333 (Acme production) is tier gold; owner premium: tier gold of the account routes to premium; objectives of tier gold: acknowledge within 2m, resolve within 1h"}},
		{"a resource tag's team stays the owner", "111122223333", accounts.Class{Severity: incident.Sev2, Team: "security", TeamFromTag: true, Incident: true},
			accounts.Verdict{Known: true, Name: "Acme production", Client: "acme", Environment: "production", Tier: "gold", Severity: incident.Sev1, Team: "security",
				Objectives: config.Objectives{Acknowledge: 2 * time.Minute, Resolve: time.Hour, Tier: "gold"},
				Reason:     "sev2 raised to sev1: account 111122223333 (Acme production) is tier gold; objectives of tier gold: acknowledge within 2m, resolve within 1h"}},
		{"bronze: lowered, the account's own team", "111122224444", sev2, accounts.Verdict{Known: true, Name: "Acme staging", Client: "acme", Environment: "staging", Tier: "bronze",
			Severity: incident.Sev3, Team: "acme", Objectives: config.Objectives{Acknowledge: time.Hour},
			Reason: "sev2 lowered to sev3: account 111122224444 (Acme staging) is tier bronze; owner acme: the account belongs to acme"}},
		{"sandbox: lowered to info, unpaged", "111122225555", accounts.Class{Severity: incident.Sev3, Team: "platform", Incident: true},
			accounts.Verdict{Known: true, Name: "Acme sandbox", Client: "acme", Environment: "sandbox", Tier: "sandbox", Severity: incident.Info, Team: "platform", Unpaged: true,
				Reason: "sev3 lowered to info, recorded (nobody paged, no runbook): account 111122225555 (Acme sandbox) is tier sandbox"}},
		{"a class that opens no incident is only labelled", "111122223333", accounts.Class{Severity: incident.Info, Team: "platform"},
			accounts.Verdict{Known: true, Name: "Acme production", Client: "acme", Environment: "production", Tier: "gold", Severity: incident.Info, Team: "platform"}},
		{"unknown, accepted", "999999999999", sev2, accounts.Verdict{Severity: incident.Sev2, Team: "platform",
			Objectives: config.Objectives{Acknowledge: 15 * time.Minute, Resolve: 8 * time.Hour},
			Reason:     "account 999999999999 is not in the account directory (accepted as unknown)"}},
		{"no account, accepted", "", sev2, accounts.Verdict{Severity: incident.Sev2, Team: "platform",
			Objectives: config.Objectives{Acknowledge: 15 * time.Minute, Resolve: 8 * time.Hour},
			Reason:     "the event names no account, and it is not in the account directory (accepted as unknown)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.want.Account = tt.account
			got, err := d.Apply(tt.account, tt.class)
			if err != nil || got != tt.want {
				t.Errorf("Apply(%q, %+v) = %+v, %v;\nwant %+v", tt.account, tt.class, got, err, tt.want)
			}
		})
	}
}

func TestUnknownAccounts(t *testing.T) {
	sev2 := accounts.Class{Severity: incident.Sev2, Team: "platform", Incident: true}
	t.Run("no directory: as before, nothing said", func(t *testing.T) {
		d := load(t, base[:strings.Index(base, "tiers:")])
		got, err := d.Apply("999999999999", sev2)
		want := accounts.Verdict{Account: "999999999999", Severity: incident.Sev2, Team: "platform", Objectives: config.Objectives{Acknowledge: 15 * time.Minute, Resolve: 8 * time.Hour}}
		if err != nil || got != want {
			t.Errorf("Apply() = %+v, %v; want %+v", got, err, want)
		}
	})
	t.Run("record", func(t *testing.T) {
		d := load(t, base+"unknown_accounts: record\n")
		got, err := d.Apply("999999999999", sev2)
		want := accounts.Verdict{Account: "999999999999", Severity: incident.Info, Team: "platform", Unpaged: true,
			Reason: "sev2 recorded as info (nobody paged, no runbook): account 999999999999 is not in the account directory (unknown_accounts: record)"}
		if err != nil || got != want {
			t.Errorf("Apply() = %+v, %v; want %+v", got, err, want)
		}
		if v, err := d.Apply("111122223333", sev2); err != nil || v.Severity != incident.Sev1 {
			t.Errorf("Apply(listed) = %+v, %v; want sev1: record concerns unknown accounts only", v, err)
		}
	})
	t.Run("refuse", func(t *testing.T) {
		d := load(t, base+"unknown_accounts: refuse\n")
		for _, c := range []accounts.Class{sev2, {Severity: incident.Info, Team: "platform"}} {
			_, err := d.Apply("999999999999", c)
			if !errors.Is(err, accounts.ErrRefused) || err.Error() != "account refused: account 999999999999 is not in the account directory (unknown_accounts: refuse)" {
				t.Errorf("Apply(999999999999, incident %v) error = %v; want ErrRefused naming the account and the policy", c.Incident, err)
			}
		}
		if _, err := d.Apply("111122223333", sev2); err != nil {
			t.Errorf("Apply(listed) = %v; want no error", err)
		}
	})
}
