// Package page works out who a page goes to at an instant. A target is a team, a
// contact (contact:<id>) or a schedule (schedule:<name>: whoever is on call then, from
// the configuration's rotations and overrides and the overrides stored through the
// API). A team whose configuration names oncall targets pages those people instead of
// its own addresses. A schedule with nobody on call falls through to a team's
// addresses (the schedule's team, else the team the page is for) and is reported as a
// gap, which the callers record on the timeline and count.
//
// Resolving is a pure function of the configuration, the stored overrides and the
// instant: a redelivered page resolves to the same people.
package page

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/notify"
	"github.com/firebreak-ops/firebreak/internal/oncall"
)

// OverrideStore reads the overrides stored through the API (store.Overrides).
type OverrideStore interface {
	Overrides(ctx context.Context, schedule string, from, to time.Time) ([]oncall.Override, error)
}

// Recipient is one destination of a page.
type Recipient struct {
	// Target is what the sender publishes to: a team name or contact:<id>.
	Target string
	// Team is the team paged, or the one whose addresses a gap fell through to.
	Team string
	// Contact and Schedule say who was paged as on call for what (empty for teams).
	Contact, Schedule string
	// Until is the end of the contact's shift (schedule pages).
	Until time.Time
	// Paged is the person and why, for the notice (zero for teams).
	Paged notify.Paged
	// Fallthrough marks a team paged because Schedule had nobody on call.
	Fallthrough bool
}

// Gap is a schedule with nobody on call when it was paged.
type Gap struct {
	Schedule string
	Team     string // whose addresses were paged instead; "" when there was none
	At       time.Time
}

// Resolver resolves targets.
type Resolver struct {
	Config *config.Config
	// Overrides are the stored overrides; nil: the configuration's alone.
	Overrides OverrideStore
}

// ContactTarget is the sender's target of a contact's topic.
func ContactTarget(id string) string { return config.ContactPrefix + id }

// Resolve returns who targets page at t, each destination once, in the order named;
// fallback is the team a schedule with no team of its own falls through to.
func (r *Resolver) Resolve(ctx context.Context, targets []string, fallback string, t time.Time) ([]Recipient, []Gap, error) {
	var out []Recipient
	var gaps []Gap
	seen := map[string]bool{}
	add := func(rc Recipient) {
		if !seen[rc.Target] {
			seen[rc.Target] = true
			out = append(out, rc)
		}
	}
	var resolve func(who, fallback string, depth int) error
	resolve = func(who, fallback string, depth int) error {
		switch {
		case strings.HasPrefix(who, config.ContactPrefix):
			id := strings.TrimPrefix(who, config.ContactPrefix)
			why := "named in the escalation"
			if depth > 0 { // through a team's oncall
				why = "on call for team " + fallback
			}
			add(Recipient{Target: ContactTarget(id), Contact: id, Paged: notify.Paged{Name: r.name(id), Why: why}})
		case strings.HasPrefix(who, config.SchedulePrefix):
			name := strings.TrimPrefix(who, config.SchedulePrefix)
			s := r.Config.Schedules[name]
			if s == nil {
				return fmt.Errorf("page %s: no such schedule", who)
			}
			sh, err := r.shift(ctx, name, s, t)
			if err != nil {
				return err
			}
			if sh.Gap() {
				team := s.Team
				if team == "" {
					team = fallback
				}
				gaps = append(gaps, Gap{Schedule: name, Team: team, At: t})
				if team != "" {
					add(Recipient{Target: team, Team: team, Schedule: name, Fallthrough: true})
				}
				return nil
			}
			for _, id := range sh.Contacts {
				add(Recipient{Target: ContactTarget(id), Contact: id, Schedule: name, Until: sh.End,
					Paged: notify.Paged{Name: r.name(id), Why: notify.OnCallWhy(name, t, sh.End, s.Location())}})
			}
		default:
			team := r.Config.Teams[who]
			if team == nil || len(team.OnCall) == 0 || depth > 0 {
				add(Recipient{Target: who, Team: who})
				return nil
			}
			for _, p := range team.OnCall {
				if err := resolve(p, who, depth+1); err != nil {
					return err
				}
			}
		}
		return nil
	}
	for _, who := range targets {
		if err := resolve(who, fallback, 0); err != nil {
			return nil, nil, err
		}
	}
	return out, gaps, nil
}

// shift is the schedule's shift at t, with the configuration's and the stored overrides.
func (r *Resolver) shift(ctx context.Context, name string, s *oncall.Schedule, t time.Time) (oncall.Shift, error) {
	span := s.Cycle() // the shift's bounds need the overrides around t
	overrides, err := r.overrides(ctx, name, t.Add(-span), t.Add(span))
	if err != nil {
		return oncall.Shift{}, err
	}
	sh, err := oncall.At(name, s, overrides, t)
	if err != nil {
		return oncall.Shift{}, fmt.Errorf("page schedule:%s: %w", name, err)
	}
	return sh, nil
}

func (r *Resolver) name(id string) string {
	if c := r.Config.Contact(id); c != nil && c.Name != "" {
		return c.Name
	}
	return id
}

// Describe says who a recipient is, for the timeline: "team platform", "alice (on call
// for platform-primary until …)", "team platform (nobody on call for platform-primary)".
func (rc Recipient) Describe() string {
	switch {
	case rc.Contact != "":
		return rc.Contact + " (" + rc.Paged.Why + ")"
	case rc.Fallthrough:
		return rc.Team + " (nobody on call for " + rc.Schedule + ")"
	}
	return rc.Target
}
