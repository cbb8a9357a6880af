// Package silence decides whether an incident falls in a silence or maintenance window:
// matching incidents are recorded and counted as usual but nobody is paged and no runbook
// runs. Silences come from the configuration (planned windows, possibly recurring
// weekly) and from the API (ad hoc).
package silence

import (
	"errors"
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/firebreak-ops/firebreak/internal/incident"
)

// Matchers select incidents. Every non-empty matcher must match; values may use shell
// wildcards (* ? [..]) as in path.Match. Tags match tags the incident's opening event
// carried.
type Matchers struct {
	Class    string            `json:"class,omitempty" yaml:"class"`
	Team     string            `json:"team,omitempty" yaml:"team"`
	Account  string            `json:"account,omitempty" yaml:"account"`
	Region   string            `json:"region,omitempty" yaml:"region"`
	Resource string            `json:"resource,omitempty" yaml:"resource"`
	Tags     map[string]string `json:"tags,omitempty" yaml:"tags"`
}

// Weekly is a window that recurs every week, e.g. Saturday 22:00 to Sunday 06:00.
type Weekly struct {
	Days     []string `json:"days" yaml:"days"`         // mon … sun: days the window starts on
	Start    string   `json:"start" yaml:"start"`       // HH:MM
	Duration string   `json:"duration" yaml:"duration"` // e.g. 8h
	TimeZone string   `json:"time_zone,omitempty" yaml:"time_zone"`
}

// Silence is one silence or maintenance window.
type Silence struct {
	ID        string    `json:"id" yaml:"id"`
	Comment   string    `json:"comment" yaml:"comment"`
	CreatedBy string    `json:"created_by,omitempty" yaml:"created_by"`
	CreatedAt time.Time `json:"created_at,omitzero" yaml:"-"`
	Matchers  Matchers  `json:"matchers" yaml:"matchers"`
	// Starts and Ends bound the silence; zero Starts: from now, zero Ends: until removed
	// (only with Weekly).
	Starts time.Time `json:"starts,omitzero" yaml:"starts"`
	Ends   time.Time `json:"ends,omitzero" yaml:"ends"`
	Weekly *Weekly   `json:"weekly,omitempty" yaml:"weekly"`
	// Forced records who insisted on a silence that needs it (see NeedsForce), and why
	// it needed it; every incident it silences names them on its timeline.
	Forced *Forced `json:"forced,omitempty" yaml:"-"`
}

// Forced is who forced a silence, and what made it need forcing.
type Forced struct {
	By      string   `json:"by"`
	Reasons []string `json:"reasons"`
}

// Everything reports whether the matchers select every incident: none is set, or each
// one set is only wildcards (*), and no tag is required.
func (m Matchers) Everything() bool {
	if len(m.Tags) > 0 {
		return false
	}
	for _, p := range m.fields() {
		if strings.Trim(p.pattern, "*") != "" {
			return false
		}
	}
	return true
}

// NeedsForce says why a silence must be forced to be made, if it must: its matchers
// select every incident, or it lasts longer than max (zero: no maximum).
func (s Silence) NeedsForce(max time.Duration) []string {
	var why []string
	if s.Matchers.Everything() {
		why = append(why, "its matchers select every incident: nobody would be paged for anything")
	}
	if max > 0 && !s.Ends.IsZero() && s.Ends.Sub(s.Starts) > max {
		why = append(why, fmt.Sprintf("it lasts %s, longer than the %s maximum", s.Ends.Sub(s.Starts).Round(time.Minute), max))
	}
	return why
}

var days = map[string]time.Weekday{"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday}

// Validate checks a silence; errors name the field.
func (s Silence) Validate() error {
	var errs []error
	if s.ID == "" {
		errs = append(errs, errors.New("id: missing"))
	}
	if s.Comment == "" {
		errs = append(errs, errors.New("comment: missing: say why it is quiet"))
	}
	m := s.Matchers
	some := len(m.Tags) > 0
	for _, p := range m.fields() {
		some = some || p.pattern != ""
	}
	if !some && s.Forced == nil {
		errs = append(errs, errors.New("matchers: at least one is required (a silence of everything hides every page)"))
	}
	for _, p := range m.fields() {
		if _, err := path.Match(p.pattern, ""); err != nil {
			errs = append(errs, fmt.Errorf("matchers.%s: %q is not a valid pattern", p.field, p.pattern))
		}
	}
	if !s.Ends.IsZero() && !s.Starts.IsZero() && !s.Ends.After(s.Starts) {
		errs = append(errs, errors.New("ends: must be after starts"))
	}
	if s.Ends.IsZero() && s.Weekly == nil {
		errs = append(errs, errors.New("ends: missing (only a weekly window may be open-ended)"))
	}
	if w := s.Weekly; w != nil {
		if len(w.Days) == 0 {
			errs = append(errs, errors.New("weekly.days: missing"))
		}
		for i, d := range w.Days {
			if _, ok := days[strings.ToLower(d)]; !ok {
				errs = append(errs, fmt.Errorf("weekly.days[%d]: %q is not one of mon, tue, wed, thu, fri, sat, sun", i, d))
			}
		}
		if _, _, err := clock(w.Start); err != nil {
			errs = append(errs, fmt.Errorf("weekly.start: %w", err))
		}
		if d, err := time.ParseDuration(w.Duration); err != nil || d <= 0 || d > 7*24*time.Hour {
			errs = append(errs, fmt.Errorf("weekly.duration: %q is not a duration between 1s and 168h", w.Duration))
		}
		if _, err := time.LoadLocation(w.TimeZone); err != nil {
			errs = append(errs, fmt.Errorf("weekly.time_zone: %q is not a time zone", w.TimeZone))
		}
	}
	return errors.Join(errs...)
}

func clock(hhmm string) (int, int, error) {
	h, m, ok := strings.Cut(hhmm, ":")
	hi, err1 := strconv.Atoi(h)
	mi, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || hi < 0 || hi > 23 || mi < 0 || mi > 59 {
		return 0, 0, fmt.Errorf("%q is not a time like 22:00", hhmm)
	}
	return hi, mi, nil
}

// Active reports whether the silence is in force at t.
func (s Silence) Active(t time.Time) bool {
	if (!s.Starts.IsZero() && t.Before(s.Starts)) || (!s.Ends.IsZero() && !t.Before(s.Ends)) {
		return false
	}
	if s.Weekly == nil {
		return true
	}
	w := s.Weekly
	loc, err := time.LoadLocation(w.TimeZone)
	if err != nil {
		return false
	}
	h, m, err := clock(w.Start)
	if err != nil {
		return false
	}
	dur, err := time.ParseDuration(w.Duration)
	if err != nil {
		return false
	}
	lt := t.In(loc)
	// A window that started on any of the last eight days may still be running.
	for back := 0; back <= 7; back++ {
		d := lt.AddDate(0, 0, -back)
		for _, name := range w.Days {
			if days[strings.ToLower(name)] != d.Weekday() {
				continue
			}
			start := time.Date(d.Year(), d.Month(), d.Day(), h, m, 0, 0, loc)
			if !lt.Before(start) && lt.Before(start.Add(dur)) {
				return true
			}
		}
	}
	return false
}

// Window is one stretch of time a silence is in force: [Starts, Ends). A zero Starts is
// "since it was made"; a zero Ends is "until it is removed".
type Window struct {
	Starts time.Time `json:"starts,omitzero"`
	Ends   time.Time `json:"ends,omitzero"`
}

// Window returns the window of the silence in force at t or, when none is, the next one
// to start after t (for a weekly silence: the next occurrence). Weekly occurrences that
// overlap or touch are one window. ok is false when the silence is over for good.
func (s Silence) Window(t time.Time) (w Window, ok bool) {
	if s.Weekly == nil {
		w = Window{Starts: s.Starts, Ends: s.Ends}
		return w, w.Ends.IsZero() || t.Before(w.Ends)
	}
	occ := s.occurrences(t)
	for i := 0; i < len(occ); i++ {
		o := occ[i]
		if !o.Ends.After(t) {
			continue
		}
		for _, next := range occ[i+1:] { // merge the occurrences that continue it
			if next.Starts.After(o.Ends) {
				break
			}
			if next.Ends.After(o.Ends) {
				o.Ends = next.Ends
			}
		}
		return o, true
	}
	return Window{}, false
}

// End is when a silence in force at t stops being in force; ok is false when it is not
// in force at t, or never ends.
func (s Silence) End(t time.Time) (time.Time, bool) {
	w, ok := s.Window(t)
	if !ok || w.Starts.After(t) || w.Ends.IsZero() {
		return time.Time{}, false
	}
	return w.Ends, true
}

// EndFor is when the silence id, which kept quiet an incident opened at opened, ends or
// ended: the end of its window in force then, or the end it was given since (ended early
// through the API). A silence no longer in list, or never in force then, ended before
// anything else is known: at opened. A silence that never ends gives ok false.
func EndFor(list []Silence, id string, opened time.Time) (end time.Time, ok bool) {
	for _, s := range list {
		if s.ID != id {
			continue
		}
		if end, ok := s.End(opened); ok {
			return end, true
		}
		if s.Active(opened) { // in force, with no end
			return time.Time{}, false
		}
		if !s.Ends.IsZero() && s.Ends.After(opened) {
			return s.Ends, true
		}
	}
	return opened, true
}

// occurrences lists the weekly windows from eight days before t to fifteen days after,
// bounded by Starts and Ends, by start.
func (s Silence) occurrences(t time.Time) []Window {
	w := s.Weekly
	loc, err := time.LoadLocation(w.TimeZone)
	if err != nil {
		return nil
	}
	h, m, err := clock(w.Start)
	if err != nil {
		return nil
	}
	dur, err := time.ParseDuration(w.Duration)
	if err != nil || dur <= 0 {
		return nil
	}
	var out []Window
	lt := t.In(loc)
	for off := -8; off <= 15; off++ {
		d := lt.AddDate(0, 0, off)
		for _, name := range w.Days {
			if days[strings.ToLower(name)] != d.Weekday() {
				continue
			}
			start := time.Date(d.Year(), d.Month(), d.Day(), h, m, 0, 0, loc)
			o := Window{Starts: start.UTC(), Ends: start.Add(dur).UTC()}
			if !s.Starts.IsZero() && o.Starts.Before(s.Starts) {
				o.Starts = s.Starts
			}
			if !s.Ends.IsZero() && o.Ends.After(s.Ends) {
				o.Ends = s.Ends
			}
			if o.Ends.After(o.Starts) {
				out = append(out, o)
			}
			break
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Starts.Before(out[j].Starts) })
	return out
}

// Match reports whether the matchers select the incident: every non-empty matcher
// matches its field, and every tag matcher a tag the incident's opening event carried.
func (m Matchers) Match(inc incident.Incident) bool {
	for _, p := range m.fields() {
		if p.pattern == "" {
			continue
		}
		if ok, err := path.Match(p.pattern, inc.Field(p.field)); err != nil || !ok {
			return false
		}
	}
	for k, want := range m.Tags {
		got, ok := inc.Tags[k]
		if !ok {
			return false
		}
		if match, err := path.Match(want, got); err != nil || !match {
			return false
		}
	}
	return true
}

type fieldPattern struct{ field, pattern string }

// fields pairs each field matcher with the incident field it matches.
func (m Matchers) fields() []fieldPattern {
	return []fieldPattern{{incident.FieldClass, m.Class}, {incident.FieldTeam, m.Team}, {incident.FieldAccount, m.Account},
		{incident.FieldRegion, m.Region}, {incident.FieldResource, m.Resource}}
}

// Find returns the first silence (by id) active at t whose matchers select the incident.
func Find(list []Silence, inc incident.Incident, t time.Time) (Silence, bool) {
	sorted := append([]Silence(nil), list...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].ID < sorted[j].ID })
	for _, s := range sorted {
		if s.Active(t) && s.Matchers.Match(inc) {
			return s, true
		}
	}
	return Silence{}, false
}
