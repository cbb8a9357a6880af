// Package oncall answers who is on call: contacts (people and their channels), schedules
// made of layered rotations, and overrides. Everything here is a pure function of the
// schedules, a list of overrides and the instants asked about: no clock, no store.
//
// The model:
//
//   - A Layer rotates its Members through shifts. Hand-offs happen at the wall-clock
//     HandOff time in the layer's TimeZone, so they stay at 09:00 across daylight-saving
//     changes (a shift across a change is an hour shorter or longer). Every is the unit
//     (hour, day, week, month) and Interval how many units one shift lasts; weekly layers
//     may hand off on several Days, monthly ones on a DayOfMonth (clamped to the month's
//     last day).
//   - OnCall members are on call at once: shift k has members k*OnCall … k*OnCall+OnCall-1
//     (modulo the list).
//   - Restrictions limit a layer to windows of the week (e.g. weekdays 09:00-17:00); the
//     rotation keeps turning outside them, but the layer has nobody there.
//   - A later layer overrides an earlier one wherever it has someone.
//   - Overrides replace a schedule (or one named layer) with their contact from Start to
//     End. Overlapping schedule overrides put all their contacts on call together.
//
// Determinism: the answer for an instant never depends on the window asked about or the
// order of calls; the cost of a question is bounded by the span asked about and the
// schedule, never by how long ago the rotation started.
package oncall

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/firebreak-ops/firebreak/internal/strictyaml"
)

// Contact is a person who can be paged.
type Contact struct {
	ID       string   `yaml:"id" json:"id"`
	Name     string   `yaml:"name,omitempty" json:"name,omitempty"`
	Email    []string `yaml:"email,omitempty,flow" json:"email,omitempty"`
	SMS      []string `yaml:"sms,omitempty,flow" json:"sms,omitempty"` // E.164
	TimeZone string   `yaml:"time_zone,omitempty" json:"time_zone,omitempty"`
}

// How a schedule's layers combine.
const (
	CombineOverride = "override" // the last layer with someone wins (default)
	CombineAll      = "all"      // everyone on call in any layer is on call (Opsgenie, Incident Manager)
)

// Schedule is a named stack of layers.
type Schedule struct {
	Description string `yaml:"description,omitempty" json:"description,omitempty"`
	// Team is the team whose addresses are paged when nobody is on call (optional).
	Team   string   `yaml:"team,omitempty" json:"team,omitempty"`
	Layers []*Layer `yaml:"layers" json:"layers"`
	// Combine: override (default: the last layer with someone wins) or all (everyone on
	// call in any layer is on call).
	Combine string `yaml:"combine,omitempty" json:"combine,omitempty"`
}

// Units a layer's shifts are counted in.
const (
	Hourly  = "hour"
	Daily   = "day"
	Weekly  = "week"
	Monthly = "month"
)

// Layer is one rotation.
type Layer struct {
	Name    string   `yaml:"name,omitempty" json:"name,omitempty"`
	Members []string `yaml:"members,flow" json:"members"` // contact ids in shift order
	// Every is the unit of a shift (hour, day, week, month), Interval how many of them a
	// shift lasts (default 1).
	Every    string `yaml:"every" json:"every"`
	Interval int    `yaml:"interval,omitempty" json:"interval,omitempty"`
	// Days are the weekdays a weekly layer hands off on (default: Start's weekday).
	Days []string `yaml:"days,omitempty,flow" json:"days,omitempty"`
	// DayOfMonth a monthly layer hands off on (default: Start's day).
	DayOfMonth int `yaml:"day_of_month,omitempty" json:"day_of_month,omitempty"`
	// HandOff is the wall-clock time of hand-offs, HH:MM (default: Start's time, else 00:00).
	HandOff  string `yaml:"hand_off,omitempty" json:"hand_off,omitempty"`
	TimeZone string `yaml:"time_zone,omitempty" json:"time_zone"`
	// Start is when the rotation begins with its first member: a date (2026-01-05, at
	// HandOff) or a date and time (2026-01-05T09:00, in TimeZone, or with an offset).
	Start string `yaml:"start" json:"start"`
	// End, when set, is when the layer stops (same forms as Start).
	End          string        `yaml:"end,omitempty" json:"end,omitempty"`
	Restrictions []Restriction `yaml:"restrictions,omitempty,flow" json:"restrictions,omitempty"`
	OnCall       int           `yaml:"on_call,omitempty" json:"on_call,omitempty"` // how many at once (default 1)

	plan    *layerPlan
	invalid bool // Compile found problems
}

// Restriction is a window of the week a layer covers: on each of Days from From to To
// (HH:MM in the layer's time zone). To at or before From runs past midnight into the
// next day; To may be 24:00.
type Restriction struct {
	Days []string `yaml:"days,omitempty,flow" json:"days"`
	From string   `yaml:"from" json:"from"`
	To   string   `yaml:"to" json:"to"`
}

// Override puts Contact on call for Schedule (or only its layer named Layer) from Start
// to End. Overrides come from the configuration and, later, from the table.
type Override struct {
	ID       string    `yaml:"id,omitempty" json:"id,omitempty"`
	Schedule string    `yaml:"schedule" json:"schedule"`
	Layer    string    `yaml:"layer,omitempty" json:"layer,omitempty"`
	Contact  string    `yaml:"contact" json:"contact"`
	Start    time.Time `yaml:"start" json:"start"`
	End      time.Time `yaml:"end,omitempty" json:"end"`
	Reason   string    `yaml:"reason,omitempty" json:"reason,omitempty"`
}

// Problem is something wrong with a schedule, at a path relative to it
// ("layers[0].hand_off").
type Problem struct {
	Path, Msg string
}

func (p Problem) Error() string { return p.Path + ": " + p.Msg }

// Weekdays by the names the configuration uses.
var weekdays = map[string]time.Weekday{"mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday, "sun": time.Sunday}

// DayName is the configuration's name of a weekday (mon … sun).
func DayName(d time.Weekday) string { return strings.ToLower(d.String()[:3]) }

// ParseDay reads mon … sun (any case, or the full English name).
func ParseDay(s string) (time.Weekday, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if len(s) > 3 {
		for name, d := range weekdays {
			if strings.ToLower(d.String()) == s {
				return weekdays[name], nil
			}
		}
	}
	if d, ok := weekdays[s]; ok {
		return d, nil
	}
	return 0, fmt.Errorf("%q is not one of mon, tue, wed, thu, fri, sat, sun", s)
}

// ParseClock reads HH:MM as minutes since midnight; allow24 admits 24:00.
func ParseClock(s string, allow24 bool) (int, error) {
	h, m, ok := strings.Cut(s, ":")
	hi, err1 := strconv.Atoi(h)
	mi, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || len(m) != 2 || hi < 0 || mi < 0 || mi > 59 || hi > 24 || (hi == 24 && (mi != 0 || !allow24)) {
		return 0, fmt.Errorf("%q is not a time like 09:00", s)
	}
	return hi*60 + mi, nil
}

// Clock writes minutes since midnight as HH:MM.
func Clock(min int) string { return fmt.Sprintf("%02d:%02d", min/60, min%60) }

// ParseTime reads a layer's Start or End: a date (at clock minutes past midnight), a
// date and time without offset (in loc), or RFC 3339.
func ParseTime(s string, loc *time.Location, clock int) (time.Time, bool, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, true, nil
	}
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, true, nil
		}
	}
	if d, err := time.ParseInLocation("2006-01-02", s, loc); err == nil {
		return wall(civil(d), clock, loc), false, nil
	}
	return time.Time{}, false, fmt.Errorf("%q is not a date (2026-01-05) or date and time (2026-01-05T09:00, RFC 3339)", s)
}

// Compile checks a schedule and prepares its layers; contact reports whether an id names
// a contact. Problems name the field; a schedule with problems answers nothing.
func (s *Schedule) Compile(contact func(string) bool) []Problem {
	var probs []Problem
	bad := func(path, format string, args ...any) {
		probs = append(probs, Problem{path, fmt.Sprintf(format, args...)})
	}
	if len(s.Layers) == 0 {
		bad("layers", "at least one layer is required")
	}
	if s.Combine != "" && s.Combine != CombineOverride && s.Combine != CombineAll {
		bad("combine", "%q is not override or all", s.Combine)
	}
	names := map[string]int{}
	for i, l := range s.Layers {
		key := fmt.Sprintf("layers[%d]", i)
		if l == nil {
			bad(key, "empty layer")
			continue
		}
		if l.Name != "" {
			if prev, dup := names[l.Name]; dup {
				bad(key+".name", "%q already names layers[%d]", l.Name, prev)
			}
			names[l.Name] = i
		}
		p, lp := compileLayer(l, contact)
		for _, pr := range lp {
			bad(key+"."+pr.Path, "%s", pr.Msg)
		}
		l.plan, l.invalid = p, len(lp) > 0
	}
	return probs
}

// LayerNamed returns the layer of that name, or nil.
func (s *Schedule) LayerNamed(name string) *Layer {
	for _, l := range s.Layers {
		if l != nil && l.Name == name {
			return l
		}
	}
	return nil
}

// layerPlan is a layer in the form the engine computes with.
type layerPlan struct {
	members  []string
	unit     string
	interval int
	days     []int // week: minutes after Monday 00:00 of each hand-off, ascending
	dom      int
	handOff  int // minutes after midnight
	loc      *time.Location
	start    time.Time
	end      time.Time // zero: open-ended
	onCall   int
	windows  []window // minutes after Monday 00:00, [from, to), may exceed a week
	j0       int64    // index of the last hand-off at or before start
}

type window struct{ from, to int }

const week = 7 * 24 * 60

func compileLayer(l *Layer, contact func(string) bool) (*layerPlan, []Problem) {
	var probs []Problem
	bad := func(path, format string, args ...any) {
		probs = append(probs, Problem{path, fmt.Sprintf(format, args...)})
	}
	p := &layerPlan{unit: l.Every, interval: l.Interval, onCall: l.OnCall, dom: l.DayOfMonth}
	if len(l.Members) == 0 {
		bad("members", "at least one contact is required")
	}
	seen := map[string]bool{}
	for i, m := range l.Members {
		if contact != nil && !contact(m) {
			bad(fmt.Sprintf("members[%d]", i), "%q is not a contact", m)
		}
		seen[m] = true
	}
	p.members = l.Members
	if p.interval == 0 {
		p.interval = 1
	}
	if p.interval < 1 || p.interval > 1000 {
		bad("interval", "%d is not between 1 and 1000", l.Interval)
	}
	if p.onCall == 0 {
		p.onCall = 1
	}
	if p.onCall < 1 || (len(seen) > 0 && p.onCall > len(seen)) {
		bad("on_call", "%d is not between 1 and the %d distinct members", l.OnCall, len(seen))
	}
	loc, err := time.LoadLocation(l.TimeZone)
	if l.TimeZone == "" || err != nil {
		bad("time_zone", "%q is not an IANA time zone like Europe/Berlin", l.TimeZone)
		loc = time.UTC
	}
	p.loc = loc
	handOff := -1
	if l.HandOff != "" {
		if handOff, err = ParseClock(l.HandOff, false); err != nil {
			bad("hand_off", "%v", err)
		}
	}
	if l.Start == "" {
		bad("start", "missing: the date (or date and time) the rotation begins with its first member")
	} else {
		start, timed, err := ParseTime(l.Start, loc, max(handOff, 0))
		if err != nil {
			bad("start", "%v", err)
		}
		p.start = start
		if handOff < 0 {
			handOff = 0
			if timed {
				lt := start.In(loc)
				handOff = lt.Hour()*60 + lt.Minute()
			}
		}
	}
	p.handOff = max(handOff, 0)
	if l.End != "" {
		end, _, err := ParseTime(l.End, loc, p.handOff)
		switch {
		case err != nil:
			bad("end", "%v", err)
		case !end.After(p.start):
			bad("end", "%s is not after start", l.End)
		}
		p.end = end
	}
	switch l.Every {
	case Hourly, Daily, Monthly:
		if len(l.Days) > 0 {
			bad("days", "only weekly layers hand off on days")
		}
		if l.Every == Hourly && l.HandOff != "" {
			bad("hand_off", "hourly layers hand off every interval hours from start; set the time in start")
		}
	case Weekly:
	case "":
		bad("every", "missing: hour, day, week or month")
	default:
		bad("every", "%q is not hour, day, week or month", l.Every)
	}
	if l.Every == Weekly {
		days := l.Days
		if len(days) == 0 && !p.start.IsZero() {
			days = []string{DayName(p.start.In(loc).Weekday())}
		}
		for i, d := range days {
			wd, err := ParseDay(d)
			if err != nil {
				bad(fmt.Sprintf("days[%d]", i), "%v", err)
				continue
			}
			p.days = append(p.days, mondayIndex(wd)*24*60+p.handOff)
		}
		slices.Sort(p.days)
		p.days = slices.Compact(p.days)
	}
	if l.DayOfMonth != 0 && l.Every != Monthly {
		bad("day_of_month", "only monthly layers hand off on a day of the month")
	}
	if l.Every == Monthly {
		if p.dom == 0 && !p.start.IsZero() {
			p.dom = p.start.In(loc).Day()
		}
		if p.dom < 1 || p.dom > 31 {
			bad("day_of_month", "%d is not between 1 and 31", l.DayOfMonth)
		}
	}
	for i, r := range l.Restrictions {
		key := fmt.Sprintf("restrictions[%d]", i)
		from, err1 := ParseClock(r.From, false)
		if err1 != nil {
			bad(key+".from", "%v", err1)
		}
		to, err2 := ParseClock(r.To, true)
		if err2 != nil {
			bad(key+".to", "%v", err2)
		}
		if len(r.Days) == 0 {
			bad(key+".days", "missing: the days the window starts on (mon … sun)")
		}
		if to <= from {
			to += 24 * 60
		}
		for j, d := range r.Days {
			wd, err := ParseDay(d)
			if err != nil {
				bad(fmt.Sprintf("%s.days[%d]", key, j), "%v", err)
				continue
			}
			base := mondayIndex(wd) * 24 * 60
			p.windows = append(p.windows, window{base + from, base + to})
		}
	}
	if len(probs) > 0 {
		return nil, probs
	}
	p.j0 = p.last(p.start)
	return p, nil
}

// planOf returns the layer's compiled plan, compiling it (without keeping it) when the
// schedule was not compiled.
func planOf(l *Layer) *layerPlan {
	if l.plan != nil || l.invalid {
		return l.plan
	}
	p, probs := compileLayer(l, nil)
	if len(probs) > 0 {
		return nil
	}
	return p
}

func mondayIndex(d time.Weekday) int { return (int(d) + 6) % 7 }

// UnmarshalYAML decodes an override strictly (unknown keys are errors, as everywhere in
// the configuration), with the line of every bad key or value. Its problems are a
// yaml.TypeError, so that decoding goes on and the rest of the file is checked too.
func (o *Override) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return strictyaml.NodeError(n, "an override is a mapping of schedule, contact, start and end, got %s", strictyaml.Got(n))
	}
	var out Override
	var probs yaml.TypeError
	bad := func(n *yaml.Node, format string, args ...any) {
		probs.Errors = append(probs.Errors, fmt.Sprintf("line %d column %d: ", n.Line, n.Column)+fmt.Sprintf(format, args...))
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		var str *string
		var tm *time.Time
		switch k.Value {
		case "id":
			str = &out.ID
		case "schedule":
			str = &out.Schedule
		case "layer":
			str = &out.Layer
		case "contact":
			str = &out.Contact
		case "reason":
			str = &out.Reason
		case "start":
			tm = &out.Start
		case "end":
			tm = &out.End
		default:
			probs.Errors = append(probs.Errors, fmt.Sprintf("line %d: field %s not found in type oncall.Override", k.Line, k.Value))
			continue
		}
		if str != nil {
			if v.Kind != yaml.ScalarNode || v.Decode(str) != nil {
				bad(v, "want a string, got %s", strictyaml.Got(v))
			}
			continue
		}
		switch {
		case v.Kind != yaml.ScalarNode:
			bad(v, "want a time like 2026-12-24T09:00:00+01:00 (RFC 3339), got %s", strictyaml.Got(v))
		case v.Decode(tm) != nil:
			bad(v, "%q is not a time like 2026-12-24T09:00:00+01:00 (RFC 3339)", v.Value)
		}
	}
	*o = out
	if len(probs.Errors) > 0 {
		return &probs
	}
	return nil
}
