package page

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/firebreak-ops/firebreak/internal/oncall"
)

// OnCall is who is on call for a schedule at an instant, with the shift's bounds: one
// per person, or one with Gap set when nobody is (pages then fall through to
// FallbackTeam). It is the body `firebreak oncall --json` prints and GET /oncall returns.
type OnCall struct {
	Schedule     string    `json:"schedule"`
	Contact      string    `json:"contact"` // "" in a gap
	Name         string    `json:"name,omitempty"`
	Start        time.Time `json:"start"`
	End          time.Time `json:"end"`
	Gap          bool      `json:"gap,omitempty"`
	FallbackTeam string    `json:"fallback_team,omitempty"`
	TimeZone     string    `json:"time_zone,omitempty"` // the schedule's, for showing the times
}

// ErrNoSchedule is returned for a schedule the configuration does not have.
var ErrNoSchedule = errors.New("no such schedule")

// noSchedule is ErrNoSchedule with the schedule named and the others listed.
type noSchedule string

func (e noSchedule) Error() string        { return string(e) }
func (e noSchedule) Is(target error) bool { return target == ErrNoSchedule }

func (r *Resolver) schedule(name string) (*oncall.Schedule, error) {
	s := r.Config.Schedules[name]
	if s == nil {
		return nil, noSchedule(fmt.Sprintf("%q is not a schedule (schedules: %s)", name, strings.Join(r.Config.ScheduleNames(), ", ")))
	}
	return s, nil
}

// overrides are the configuration's and the stored overrides of a schedule that touch
// [from, to).
func (r *Resolver) overrides(ctx context.Context, name string, from, to time.Time) ([]oncall.Override, error) {
	out := slices.Clone(r.Config.Overrides)
	if r.Overrides == nil {
		return out, nil
	}
	stored, err := r.Overrides.Overrides(ctx, name, from, to)
	if err != nil {
		return nil, fmt.Errorf("overrides of %s: %w", name, err)
	}
	return append(out, stored...), nil
}

// Who returns who is on call at t for each named schedule (every schedule when none is
// named), in the order named.
func (r *Resolver) Who(ctx context.Context, names []string, t time.Time) ([]OnCall, error) {
	if len(names) == 0 {
		names = r.Config.ScheduleNames()
	}
	var out []OnCall
	for _, name := range names {
		s, err := r.schedule(name)
		if err != nil {
			return nil, err
		}
		sh, err := r.shift(ctx, name, s, t)
		if err != nil {
			return nil, err
		}
		if sh.Gap() {
			out = append(out, OnCall{Schedule: name, Start: sh.Start.UTC(), End: sh.End.UTC(), Gap: true, FallbackTeam: s.Team, TimeZone: s.Location().String()})
			continue
		}
		for _, id := range sh.Contacts {
			oc := OnCall{Schedule: name, Contact: id, Start: sh.Start.UTC(), End: sh.End.UTC(), TimeZone: s.Location().String()}
			if c := r.Config.Contact(id); c != nil {
				oc.Name = c.Name
			}
			out = append(out, oc)
		}
	}
	return out, nil
}

// Shifts returns the schedule's shifts from from to to, the stored overrides applied.
func (r *Resolver) Shifts(ctx context.Context, name string, from, to time.Time) ([]oncall.Shift, error) {
	s, err := r.schedule(name)
	if err != nil {
		return nil, err
	}
	ovs, err := r.overrides(ctx, name, from, to)
	if err != nil {
		return nil, err
	}
	return oncall.Timeline(name, s, ovs, from, to)
}

// ICS returns the schedule's shifts from from to to as an iCalendar feed.
func (r *Resolver) ICS(ctx context.Context, name string, from, to, stamp time.Time) (string, error) {
	shifts, err := r.Shifts(ctx, name, from, to)
	if err != nil {
		return "", err
	}
	names := func(id string) string {
		if c := r.Config.Contact(id); c != nil {
			return c.Name
		}
		return ""
	}
	return oncall.ICS(name, shifts, names, stamp), nil
}
