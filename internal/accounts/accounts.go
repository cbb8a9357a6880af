// Package accounts applies the account directory of the configuration (accounts:,
// tiers:, unknown_accounts:) where an event's class becomes an incident: given the
// event's account and the class's severity and team, it says the incident's severity,
// owner and objectives, and why, in one sentence the incident carries.
//
// The rules, in order (docs/accounts.md):
//   - A listed account's business tier shifts the severity of incident classes by at
//     most config.MaxSeverityShift steps, never above sev1 nor below info. An incident
//     lowered to info is recorded: nobody is paged and no runbook runs.
//   - The owner is a resource tag's team (tags.team) when the event carries one, else
//     the account's team, else its tier's, else the taxonomy's.
//   - The objectives are the severity's, with the tier's acknowledge_within and
//     resolve_within in their place (config.Objectives, which the escalator reads too).
//   - An account the directory does not list (or an event with none) is handled as the
//     configuration says: accept (as today, shown as unknown), record (its incidents at
//     info: nobody paged, no runbook) or refuse (ErrRefused: intake quarantines it).
//
// Events of classes that open no incident are only labelled (name, client,
// environment): a tier never makes an incident of what the taxonomy records.
package accounts

import (
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/incident"
)

// ErrRefused is matched by the error of an event whose account the directory does not
// list while unknown_accounts is refuse.
var ErrRefused = errors.New("account refused")

// Verdict is what the directory says about one event's incident.
type Verdict struct {
	Account string
	// Known: the directory lists the account. Name, Client, Environment and Tier are
	// its entry's ("" when it is unknown).
	Known                           bool
	Name, Client, Environment, Tier string
	Severity                        incident.Severity // the class's severity, shifted
	Team                            string            // the owner
	// Unpaged: the incident is recorded at info, nobody is paged and no runbook runs
	// (lowered to info, or an unknown account under unknown_accounts: record).
	Unpaged    bool
	Objectives config.Objectives
	// Reason says how the account shaped the incident ("" when it changed nothing and
	// the directory is empty), e.g. "sev2 raised to sev1: account 111122223333 (Acme
	// production) is tier gold".
	Reason string
}

// Directory applies a configuration's account directory. Safe for concurrent use.
type Directory struct {
	cfg *config.Config
	// known holds the verdicts on listed accounts (key → Verdict): a storm of one
	// account's events builds its sentence once. Its size is bounded by the
	// configuration (accounts × severities × teams × 4), not by the events.
	known sync.Map
}

type key struct {
	account string
	class   Class
}

// New returns the directory of cfg.
func New(cfg *config.Config) *Directory { return &Directory{cfg: cfg} }

// Class is what the taxonomy decided for an event, before its account is considered.
type Class struct {
	Severity incident.Severity // the class's severity for the event
	Team     string            // the class's team (or defaults.team)
	// TeamFromTag: a resource tag chose Team; it stays the owner.
	TeamFromTag bool
	// Incident: the class opens incidents; only then is its severity shifted.
	Incident bool
}

// Apply says what account's directory entry (or its absence) makes of an event of
// class c. The error, matching ErrRefused, is for an unknown account under
// unknown_accounts: refuse.
func (d *Directory) Apply(account string, c Class) (Verdict, error) {
	v := Verdict{Account: account, Severity: c.Severity, Team: c.Team}
	a := d.cfg.Accounts[account]
	if a == nil {
		v, err := d.unknown(v, c)
		if err == nil && c.Incident {
			v.Objectives = d.cfg.Objectives(v.Severity, "")
		}
		return v, err
	}
	k := key{account, c}
	if got, ok := d.known.Load(k); ok {
		return got.(Verdict), nil
	}
	v = d.listed(v, a, c)
	d.known.Store(k, v)
	return v, nil
}

// listed is the verdict on an event of class c in the listed account a.
func (d *Directory) listed(v Verdict, a *config.Account, c Class) Verdict {
	account := v.Account
	v.Known, v.Name, v.Client, v.Environment, v.Tier = true, a.Name, a.Client, a.Environment, a.Tier
	label := fmt.Sprintf("account %s (%s)", account, a.Name)
	tier := d.cfg.Tiers[a.Tier]
	var why []string
	if c.Incident && tier != nil {
		v.Severity = Shift(c.Severity, tier.Raise, tier.Lower)
		switch {
		case v.Severity == c.Severity:
		case v.Severity == incident.Info:
			v.Unpaged = true
			why = append(why, fmt.Sprintf("%s lowered to info, recorded (nobody paged, no runbook): %s is tier %s", c.Severity, label, a.Tier))
		case v.Severity.Rank() < c.Severity.Rank():
			why = append(why, fmt.Sprintf("%s raised to %s: %s is tier %s", c.Severity, v.Severity, label, a.Tier))
		default:
			why = append(why, fmt.Sprintf("%s lowered to %s: %s is tier %s", c.Severity, v.Severity, label, a.Tier))
		}
	}
	if len(why) > 0 { // the account is named once
		label = "the account"
	}
	if c.Incident && !c.TeamFromTag {
		switch {
		case a.Team != "" && a.Team != c.Team:
			v.Team = a.Team
			why = append(why, fmt.Sprintf("owner %s: %s belongs to %s", a.Team, label, a.Team))
		case a.Team == "" && tier != nil && tier.Team != "" && tier.Team != c.Team:
			v.Team = tier.Team
			why = append(why, fmt.Sprintf("owner %s: tier %s of %s routes to %s", tier.Team, a.Tier, label, tier.Team))
		}
	}
	if c.Incident {
		v.Objectives = d.cfg.Objectives(v.Severity, a.Tier)
		if v.Objectives.Tier != "" {
			why = append(why, fmt.Sprintf("objectives of tier %s: %s", a.Tier, describe(v.Objectives)))
		}
	}
	v.Reason = strings.Join(why, "; ")
	return v
}

// unknown applies unknown_accounts to an event of an account the directory does not
// list. Only what becomes an incident (or is refused) gets a sentence: the many events
// that open none cost no allocation.
func (d *Directory) unknown(v Verdict, c Class) (Verdict, error) {
	policy := d.cfg.UnknownAccountPolicy()
	if len(d.cfg.Accounts) == 0 && policy == config.UnknownAccept {
		return v, nil // no directory: nothing to say
	}
	switch {
	case policy == config.UnknownRefuse:
		return Verdict{}, fmt.Errorf("%w: %s is not in the account directory (unknown_accounts: refuse)", ErrRefused, unlisted(v.Account))
	case !c.Incident:
	case policy == config.UnknownRecord:
		v.Severity, v.Unpaged = incident.Info, true
		v.Reason = fmt.Sprintf("%s recorded as info (nobody paged, no runbook): %s is not in the account directory (unknown_accounts: record)", c.Severity, unlisted(v.Account))
	default:
		v.Reason = unlisted(v.Account) + " is not in the account directory (accepted as unknown)"
	}
	return v, nil
}

// unlisted names an account the directory does not list.
func unlisted(account string) string {
	if account == "" {
		return "the event names no account, and it"
	}
	return "account " + account
}

// Shift moves sev up by raise steps or down by lower steps (each clamped to
// config.MaxSeverityShift), never above sev1 and never below info. Info stays info: a
// tier shapes incidents, it never makes one of what the taxonomy records.
func Shift(sev incident.Severity, raise, lower int) incident.Severity {
	i := sev.Rank() - 1
	if i < 0 || i >= len(incident.Severities) || sev == incident.Info {
		return sev
	}
	i += clamp(lower) - clamp(raise)
	i = max(0, min(i, len(incident.Severities)-1))
	return incident.Severities[i]
}

func clamp(n int) int { return max(0, min(n, config.MaxSeverityShift)) }

// describe is the objectives as the reason writes them.
func describe(o config.Objectives) string {
	var parts []string
	if o.Acknowledge > 0 {
		parts = append(parts, "acknowledge within "+config.Short(o.Acknowledge))
	}
	if o.Resolve > 0 {
		parts = append(parts, "resolve within "+config.Short(o.Resolve))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}
