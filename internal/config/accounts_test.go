package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/incident"
)

// directory is a valid account directory over the valid configuration.
const directory = valid + `tiers:
  gold:
    raise: 1
    team: platform
    objectives: {acknowledge_within: 5m, resolve_within: 2h}
  late: {objectives: {resolve_within: 30h}}
  sandbox: {lower: 2}
  plain: {}
accounts:
  "111122223333": {name: Acme production, client: acme, environment: production, tier: gold}
  012345678901: {name: Acme sandbox, client: acme, environment: sandbox, tier: sandbox, team: platform}
unknown_accounts: record
`

func TestAccounts(t *testing.T) {
	c, err := parse("f.yaml", directory)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.AccountIDs(); strings.Join(got, ",") != "012345678901,111122223333" {
		t.Errorf("AccountIDs() = %v; want the two ids, sorted, an unquoted leading zero kept", got)
	}
	if a := c.Accounts["111122223333"]; a == nil || a.Client != "acme" || a.Tier != "gold" {
		t.Errorf("Accounts[111122223333] = %+v; want client acme, tier gold", a)
	}
	if got := c.UnknownAccountPolicy(); got != config.UnknownRecord {
		t.Errorf("UnknownAccountPolicy() = %q; want record", got)
	}
	plain, err := parse("f.yaml", valid)
	if err != nil {
		t.Fatal(err)
	}
	if got := plain.UnknownAccountPolicy(); got != config.UnknownAccept {
		t.Errorf("UnknownAccountPolicy() of a file without it = %q; want accept", got)
	}
}

// The objectives an incident is held to: the severity's, with its tier's in their place.
func TestObjectives(t *testing.T) {
	c, err := parse("f.yaml", directory)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		sev  incident.Severity
		tier string
		want config.Objectives
	}{
		{incident.Sev2, "", config.Objectives{Acknowledge: 15 * time.Minute, Update: time.Hour, Resolve: 8 * time.Hour}},
		{incident.Sev2, "gold", config.Objectives{Acknowledge: 5 * time.Minute, Update: time.Hour, Resolve: 2 * time.Hour, Tier: "gold"}},
		{incident.Sev3, "late", config.Objectives{Acknowledge: time.Hour, Resolve: 30 * time.Hour, Tier: "late"}},
		{incident.Sev2, "plain", config.Objectives{Acknowledge: 15 * time.Minute, Update: time.Hour, Resolve: 8 * time.Hour}},
		{incident.Sev2, "gone", config.Objectives{Acknowledge: 15 * time.Minute, Update: time.Hour, Resolve: 8 * time.Hour}},
		{incident.Info, "gold", config.Objectives{}},
	}
	for _, tt := range tests {
		if got := c.Objectives(tt.sev, tt.tier); got != tt.want {
			t.Errorf("Objectives(%s, %q) = %+v; want %+v", tt.sev, tt.tier, got, tt.want)
		}
	}
	if p, q := c.PolicyFor(incident.Sev2, "gold"), c.Severities["sev2"]; p == q || q.AcknowledgeWithin.Duration != 15*time.Minute {
		t.Errorf("PolicyFor(sev2, gold) shares or changed the severity's policy (ack %s); want a copy", q.AcknowledgeWithin.Duration)
	}
	if p := c.PolicyFor(incident.Sev2, "plain"); p != c.Severities["sev2"] {
		t.Errorf("PolicyFor(sev2, plain) = %p; want the severity's own policy %p", p, c.Severities["sev2"])
	}
}

func TestAccountsInvalid(t *testing.T) {
	tier := func(body string) string { return valid + "tiers:\n  t:\n" + body }
	account := func(body string) string {
		return valid + "tiers:\n  t: {}\naccounts:\n" + body
	}
	tests := []struct{ name, yaml, want string }{
		{"raise over the bound", tier("    raise: 3\n"), "tiers.t.raise: 3 is not between 0 and 2"},
		{"negative lower", tier("    lower: -1\n"), "tiers.t.lower: -1 is not between 0 and 2"},
		{"raise and lower", tier("    raise: 1\n    lower: 1\n"), "tiers.t.lower: a tier raises or lowers severities, not both"},
		{"tier team", tier("    team: ghost\n"), `tiers.t.team: "ghost" is not a team`},
		{"empty objectives", tier("    objectives: {}\n"), "tiers.t.objectives: empty"},
		{"zero objective", tier("    objectives: {acknowledge_within: 0s}\n"), "tiers.t.objectives.acknowledge_within: must be more than 0s"},
		{"resolve before ack", tier("    objectives: {acknowledge_within: 1h, resolve_within: 30m}\n"), "tiers.t.objectives.resolve_within: 30m is shorter than acknowledge_within 1h"},
		{"bad duration", tier("    objectives: {resolve_within: soon}\n"), "tiers.t.objectives.resolve_within"},
		{"unknown tier key", tier("    rasie: 1\n"), "rasie"},
		{"bad tier name", valid + "tiers:\n  Gold: {}\n", `tiers.Gold: tier name "Gold"`},
		{"empty tier", valid + "tiers:\n  t:\n", "tiers.t: empty tier"},
		{"short id", account(`  "12345": {name: a, client: c, environment: e, tier: t}` + "\n"), `accounts.12345: "12345" is not an AWS account id`},
		{"13 digits", account(`  1111222233334: {name: a, client: c, environment: e, tier: t}` + "\n"), `accounts.1111222233334: "1111222233334" is not an AWS account id`},
		{"no name", account(`  "111122223333": {client: c, environment: e, tier: t}` + "\n"), "accounts.111122223333.name: missing"},
		{"no client", account(`  "111122223333": {name: a, environment: e, tier: t}` + "\n"), "accounts.111122223333.client: missing"},
		{"blank environment", account(`  "111122223333": {name: a, client: c, environment: " ", tier: t}` + "\n"), "accounts.111122223333.environment: missing"},
		{"no tier", account(`  "111122223333": {name: a, client: c, environment: e}` + "\n"), "accounts.111122223333.tier: missing"},
		{"unknown tier", account(`  "111122223333": {name: a, client: c, environment: e, tier: gold}` + "\n"), `accounts.111122223333.tier: "gold" is not a tier (tiers: t)`},
		{"unknown team", account(`  "111122223333": {name: a, client: c, environment: e, tier: t, team: ghost}` + "\n"), `accounts.111122223333.team: "ghost" is not a team`},
		{"client not a filter", account(`  "111122223333": {name: a, client: Acme Corp, environment: e, tier: t}` + "\n"), `accounts.111122223333.client: "Acme Corp" must be lower-case`},
		{"empty account", account(`  "111122223333":` + "\n"), "accounts.111122223333: empty account"},
		{"bad policy", valid + "unknown_accounts: drop\n", `unknown_accounts: "drop" is not one of accept, record, refuse`},
		{"refuse with no directory", valid + "unknown_accounts: refuse\n", "unknown_accounts: refuse with no accounts"},
		{"record with no directory", valid + "unknown_accounts: record\n", "unknown_accounts: record with no accounts"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parse("f.yaml", tt.yaml)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse(%s) error = %v; want one mentioning %q", tt.name, err, tt.want)
			}
			if err != nil && !strings.HasPrefix(err.Error(), "f.yaml:") {
				t.Errorf("Parse(%s) error = %v; want it to name the file and line", tt.name, err)
			}
		})
	}
}
