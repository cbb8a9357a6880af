package config

import (
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/strictyaml"
)

// Account is one entry of the account directory (accounts:, keyed by the 12-digit AWS
// account id): who the account belongs to and how much its incidents matter. Package
// accounts applies it where an event's class becomes an incident (docs/accounts.md).
type Account struct {
	Name        string `yaml:"name"`        // e.g. Acme production
	Client      string `yaml:"client"`      // the customer (or business unit) it serves, e.g. acme
	Environment string `yaml:"environment"` // production, staging, development, sandbox, …
	Tier        string `yaml:"tier"`        // a business tier of tiers:
	// Team owns the account's incidents (optional): it replaces the taxonomy's team and
	// the tier's; a resource tag naming a team still wins (tags.team).
	Team string `yaml:"team"`
}

// BusinessTier is a named business tier (tiers:): how much its accounts' incidents
// matter, as a bounded shift of the taxonomy's severities, an owner, and the client's
// objectives.
type BusinessTier struct {
	Description string `yaml:"description"`
	// Raise and Lower shift the severity of the taxonomy's incident classes by that many
	// steps (at most MaxSeverityShift; a tier does one or the other), never above sev1
	// and never below info (lowered to info, an incident is recorded, nobody is paged).
	Raise int `yaml:"raise"`
	Lower int `yaml:"lower"`
	// Team owns the tier's incidents when the account names none (optional).
	Team string `yaml:"team"`
	// Objectives replace the severity policy's for the tier's incidents (the client's SLA).
	Objectives *TierObjectives `yaml:"objectives"`
}

// TierObjectives override a severity's acknowledge and resolve objectives; one left out
// keeps the severity's.
type TierObjectives struct {
	AcknowledgeWithin *Duration `yaml:"acknowledge_within"`
	ResolveWithin     *Duration `yaml:"resolve_within"`
}

// MaxSeverityShift is the most steps a business tier may raise or lower a severity: a
// client's tier refines the taxonomy's judgement, it does not replace it.
const MaxSeverityShift = 2

// What happens to the events of an account the directory does not list (unknown_accounts:).
const (
	// UnknownAccept handles them as any other, and shows the account as unknown (default).
	UnknownAccept = "accept"
	// UnknownRecord records their incidents at info: nobody is paged, no runbook runs.
	UnknownRecord = "record"
	// UnknownRefuse quarantines them whole, with the reason, and counts them.
	UnknownRefuse = "refuse"
)

// UnknownPolicies lists the values of unknown_accounts.
var UnknownPolicies = []string{UnknownAccept, UnknownRecord, UnknownRefuse}

var (
	accountIDRe = lazyRegexp(`^[0-9]{12}$`)
	tierNameRe  = lazyRegexp(`^[a-z0-9][a-z0-9-]{0,31}$`)
)

// Objectives are the clocks an incident is held to: how soon it must be acknowledged,
// how often its owner must post an update, and how soon it must be resolved (0: none).
type Objectives struct {
	Acknowledge, Update, Resolve time.Duration
	// Tier is the business tier whose objectives replaced the severity's ("" when none did).
	Tier string
}

// PolicyFor is the policy of severity sev as it applies to an incident whose account is
// of business tier tier: the tier's acknowledge_within and resolve_within in place of
// the severity's. It is the severity's own policy (shared: callers must not modify it)
// when the tier sets no objectives, is "" or is no longer configured, and nil when sev
// has none. The escalator enforces it and the measures judge by it: one source of truth.
func (c *Config) PolicyFor(sev incident.Severity, tier string) *SeverityPolicy {
	p := c.Severities[string(sev)]
	t := c.Tiers[tier]
	if p == nil || sev == incident.Info || t == nil || t.Objectives == nil {
		return p
	}
	cp := *p
	if d := t.Objectives.AcknowledgeWithin; d != nil {
		cp.AcknowledgeWithin = *d
	}
	if d := t.Objectives.ResolveWithin; d != nil {
		cp.ResolveWithin = *d
	}
	return &cp
}

// Objectives are the objectives of PolicyFor(sev, tier).
func (c *Config) Objectives(sev incident.Severity, tier string) Objectives {
	p := c.PolicyFor(sev, tier)
	if p == nil {
		return Objectives{}
	}
	o := Objectives{Acknowledge: p.AcknowledgeWithin.Duration, Update: p.UpdateEvery.Duration, Resolve: p.ResolveWithin.Duration}
	if p != c.Severities[string(sev)] {
		o.Tier = tier
	}
	return o
}

// AccountIDs is the directory's account ids, sorted.
func (c *Config) AccountIDs() []string {
	ids := make([]string, 0, len(c.Accounts))
	for id := range c.Accounts {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// UnknownAccountPolicy is unknown_accounts, defaulted.
func (c *Config) UnknownAccountPolicy() string {
	if c.UnknownAccounts == "" {
		return UnknownAccept
	}
	return c.UnknownAccounts
}

// validateAccounts checks the account directory, the business tiers and the
// unknown-account policy.
func (c *Config) validateAccounts(doc *strictyaml.Doc) strictyaml.Errors {
	p := problems{doc: doc}
	for name, t := range c.Tiers {
		c.checkBusinessTier(&p, "tiers."+name, name, t)
	}
	for _, id := range c.AccountIDs() {
		c.checkAccount(&p, "accounts."+id, id, c.Accounts[id])
	}
	switch pol := c.UnknownAccounts; {
	case pol != "" && !slices.Contains(UnknownPolicies, pol):
		p.add("unknown_accounts", "%q is not one of %s", pol, strings.Join(UnknownPolicies, ", "))
	case (pol == UnknownRecord || pol == UnknownRefuse) && len(c.Accounts) == 0:
		p.add("unknown_accounts", "%s with no accounts: listed would %s every event; list the accounts under accounts: or accept unknown ones", pol, pol)
	}
	return p.errs
}

// checkBusinessTier checks one business tier: its name, its bounded shift, its team and
// its objectives.
func (c *Config) checkBusinessTier(p *problems, key, name string, t *BusinessTier) {
	if !tierNameRe().MatchString(name) {
		p.add(key, "tier name %q must be lower-case letters, digits and dashes (at most 32)", name)
	}
	if t == nil {
		p.add(key, "empty tier: give it raise, lower, team or objectives (or {} for none)")
		return
	}
	for _, s := range []struct {
		field string
		n     int
	}{{"raise", t.Raise}, {"lower", t.Lower}} {
		if s.n < 0 || s.n > MaxSeverityShift {
			p.add(key+"."+s.field, "%d is not between 0 and %d: a tier shifts a severity by at most %d steps", s.n, MaxSeverityShift, MaxSeverityShift)
		}
	}
	if t.Raise > 0 && t.Lower > 0 {
		p.add(key+".lower", "a tier raises or lowers severities, not both (raise %d, lower %d)", t.Raise, t.Lower)
	}
	if t.Team != "" && c.Teams[t.Team] == nil {
		p.add(key+".team", "%q is not a team (teams: %s)", t.Team, c.teamList())
	}
	if o := t.Objectives; o != nil {
		if o.AcknowledgeWithin == nil && o.ResolveWithin == nil {
			p.add(key+".objectives", "empty: give acknowledge_within, resolve_within or both")
		}
		if o.AcknowledgeWithin != nil && o.AcknowledgeWithin.Duration <= 0 {
			p.add(key+".objectives.acknowledge_within", "must be more than 0s")
		}
		if o.ResolveWithin != nil && o.ResolveWithin.Duration <= 0 {
			p.add(key+".objectives.resolve_within", "must be more than 0s")
		}
		if o.AcknowledgeWithin != nil && o.ResolveWithin != nil && o.ResolveWithin.Duration < o.AcknowledgeWithin.Duration {
			p.add(key+".objectives.resolve_within", "%s is shorter than acknowledge_within %s", Short(o.ResolveWithin.Duration), Short(o.AcknowledgeWithin.Duration))
		}
	}
}

// checkAccount checks one directory entry.
func (c *Config) checkAccount(p *problems, key, id string, a *Account) {
	if !accountIDRe().MatchString(id) {
		p.add(key, "%q is not an AWS account id: want 12 digits", id)
	}
	if a == nil {
		p.add(key, "empty account: it needs name, client, environment and tier")
		return
	}
	for _, f := range []struct{ field, v, what string }{
		{"name", a.Name, "what the account is called, e.g. Acme production"},
		{"client", a.Client, "the customer or business unit it serves"},
		{"environment", a.Environment, "production, staging, development, sandbox, …"},
		{"tier", a.Tier, "a business tier of tiers:"},
	} {
		if strings.TrimSpace(f.v) == "" {
			p.add(key+"."+f.field, "missing: %s", f.what)
		}
	}
	if a.Client != "" && !tierNameRe().MatchString(a.Client) {
		p.add(key+".client", "%q must be lower-case letters, digits and dashes (at most 32): it is a filter (incidents list --client)", a.Client)
	}
	if a.Environment != "" && !tierNameRe().MatchString(a.Environment) {
		p.add(key+".environment", "%q must be lower-case letters, digits and dashes (at most 32), e.g. production", a.Environment)
	}
	if a.Tier != "" && c.Tiers[a.Tier] == nil {
		p.add(key+".tier", "%q is not a tier (tiers: %s)", a.Tier, strings.Join(c.tierNames(), ", "))
	}
	if a.Team != "" && c.Teams[a.Team] == nil {
		p.add(key+".team", "%q is not a team (teams: %s)", a.Team, c.teamList())
	}
}

// tierNames is the business tiers' names, sorted.
func (c *Config) tierNames() []string {
	out := make([]string, 0, len(c.Tiers))
	for name := range c.Tiers {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}
