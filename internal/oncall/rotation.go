package oncall

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// Shift is a stretch of time with the same people on call for a schedule. No Contacts
// is a gap: nobody covers it.
type Shift struct {
	Schedule string    `json:"schedule"`
	Contacts []string  `json:"contacts"`
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
}

// Gap reports whether nobody is on call during the shift.
func (s Shift) Gap() bool { return len(s.Contacts) == 0 }

// ErrInvalid is returned for schedules or overrides that do not compile.
var ErrInvalid = errors.New("invalid schedule")

// maxSpan bounds the timelines computed: ten years of hourly shifts at most.
const maxSpan = 10 * 366 * 24 * time.Hour

// Timeline returns who is on call for the schedule named name from from to to: shifts
// in order, touching, covering exactly [from, to), gaps included, neighbours with the
// same people merged. Overrides for other schedules are ignored.
func Timeline(name string, s *Schedule, overrides []Override, from, to time.Time) ([]Shift, error) {
	if s == nil {
		return nil, fmt.Errorf("schedule %s: %w: nil", name, ErrInvalid)
	}
	if !to.After(from) {
		return nil, nil
	}
	if to.Sub(from) > maxSpan {
		return nil, fmt.Errorf("schedule %s: %s to %s is more than ten years", name, from.Format(time.RFC3339), to.Format(time.RFC3339))
	}
	layerOver := map[string][]seg{}
	var schedOver []seg
	for _, o := range overrides {
		if o.Schedule != name || !o.End.After(from) || !o.Start.Before(to) {
			continue
		}
		if !o.End.After(o.Start) || o.Contact == "" {
			return nil, fmt.Errorf("schedule %s: override %s: %w: needs a contact and an end after its start", name, o.ID, ErrInvalid)
		}
		sg := seg{maxTime(o.Start, from), minTime(o.End, to), []string{o.Contact}}
		if o.Layer == "" {
			schedOver = append(schedOver, sg)
			continue
		}
		if s.LayerNamed(o.Layer) == nil {
			return nil, fmt.Errorf("schedule %s: override %s: %w: no layer %q", name, o.ID, ErrInvalid, o.Layer)
		}
		layerOver[o.Layer] = append(layerOver[o.Layer], sg)
	}
	var layers []layerSegs
	for i, l := range s.Layers {
		if l == nil {
			return nil, fmt.Errorf("schedule %s: layers[%d]: %w: empty", name, i, ErrInvalid)
		}
		p := planOf(l)
		if p == nil {
			return nil, fmt.Errorf("schedule %s: layers[%d]: %w (validate the configuration)", name, i, ErrInvalid)
		}
		var ov []seg
		if l.Name != "" {
			ov = layerOver[l.Name]
		}
		layers = append(layers, layerSegs{segs: p.segments(from, to), over: ov})
	}
	if s.Combine != "" && s.Combine != CombineOverride && s.Combine != CombineAll {
		return nil, fmt.Errorf("schedule %s: %w: combine %q", name, ErrInvalid, s.Combine)
	}
	return compose(name, layers, schedOver, s.Combine == CombineAll, from, to), nil
}

// At returns the shift of the schedule in force at t: who is on call, since when and
// until when (the bounds are exact unless the same people stay on call for more than
// twice the layers' longest shift either side of t).
func At(name string, s *Schedule, overrides []Override, t time.Time) (Shift, error) {
	span := 2*s.longestShift() + 24*time.Hour
	shifts, err := Timeline(name, s, overrides, t.Add(-span), t.Add(span))
	if err != nil {
		return Shift{}, err
	}
	for _, sh := range shifts {
		if !t.Before(sh.Start) && t.Before(sh.End) {
			return sh, nil
		}
	}
	return Shift{Schedule: name, Start: t, End: t}, nil
}

// FirstGap returns the start of the first time in [from, to) nobody covers.
func FirstGap(name string, s *Schedule, overrides []Override, from, to time.Time) (time.Time, bool, error) {
	shifts, err := Timeline(name, s, overrides, from, to)
	if err != nil {
		return time.Time{}, false, err
	}
	for _, sh := range shifts {
		if sh.Gap() {
			return sh.Start, true, nil
		}
	}
	return time.Time{}, false, nil
}

// Start returns the earliest start of the schedule's layers (zero if none compiles).
func (s *Schedule) Start() time.Time {
	var first time.Time
	for _, l := range s.Layers {
		if l == nil {
			continue
		}
		if p := planOf(l); p != nil && (first.IsZero() || p.start.Before(first)) {
			first = p.start
		}
	}
	return first
}

// Cycle is how long the schedule takes to come back to where it began, capped at a
// year: the longest layer's members times its shift, at least a week (restrictions
// repeat weekly).
func (s *Schedule) Cycle() time.Duration {
	c := 7 * 24 * time.Hour
	for _, l := range s.Layers {
		if l == nil {
			continue
		}
		if p := planOf(l); p != nil {
			c = max(c, time.Duration(len(p.members))*p.shiftBound())
		}
	}
	return min(c, 366*24*time.Hour)
}

func (s *Schedule) longestShift() time.Duration {
	var d time.Duration
	for _, l := range s.Layers {
		if l == nil {
			continue
		}
		if p := planOf(l); p != nil {
			d = max(d, p.shiftBound())
		}
	}
	return d
}

// shiftBound is an upper bound of one shift's length.
func (p *layerPlan) shiftBound() time.Duration {
	day := 25 * time.Hour // a day across a DST change
	switch p.unit {
	case Hourly:
		return time.Duration(p.interval) * time.Hour
	case Daily:
		return time.Duration(p.interval) * day
	case Weekly:
		return time.Duration(p.interval) * 7 * day
	default:
		return time.Duration(p.interval) * 31 * day
	}
}

// seg is a stretch of a layer (or of overrides) with its people.
type seg struct {
	start, end time.Time
	who        []string
}

// segments returns the layer's shifts in [from, to), restricted to its windows.
func (p *layerPlan) segments(from, to time.Time) []seg {
	t := maxTime(from, p.start)
	if !p.end.IsZero() {
		to = minTime(to, p.end)
	}
	var out []seg
	for j := p.last(t); t.Before(to); j++ {
		next := p.point(j + 1)
		end := minTime(next, to)
		if end.After(t) {
			who := p.who(j - p.j0)
			if len(p.windows) == 0 {
				out = append(out, seg{t, end, who})
			} else {
				for _, w := range p.restrict(t, end) {
					out = append(out, seg{w.start, w.end, who})
				}
			}
		}
		t = maxTime(t, next)
	}
	return out
}

// who is on call in shift k of the rotation.
func (p *layerPlan) who(k int64) []string {
	out := make([]string, 0, p.onCall)
	n := int64(len(p.members))
	for i := range int64(p.onCall) {
		m := p.members[((k*int64(p.onCall)+i)%n+n)%n]
		if !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	return out
}

// restrict intersects [s, e) with the layer's windows of the week.
func (p *layerPlan) restrict(s, e time.Time) []seg {
	ls := s.In(p.loc)
	monday := civil(ls) - int64(mondayIndex(ls.Weekday())) - 7 // windows may run into the next week
	var out []seg
	for wk := monday; ; wk += 7 {
		if !wall(wk, 0, p.loc).Before(e) {
			break
		}
		for _, w := range p.windows {
			ws, we := maxTime(wall(wk, w.from, p.loc), s), minTime(wall(wk, w.to, p.loc), e)
			if we.After(ws) {
				out = append(out, seg{ws, we, nil})
			}
		}
	}
	slices.SortFunc(out, func(a, b seg) int { return a.start.Compare(b.start) })
	merged := out[:0]
	for _, w := range out {
		if n := len(merged); n > 0 && !w.start.After(merged[n-1].end) {
			merged[n-1].end = maxTime(merged[n-1].end, w.end)
			continue
		}
		merged = append(merged, w)
	}
	return merged
}

// point returns the j-th hand-off of the rotation (j may be negative).
func (p *layerPlan) point(j int64) time.Time {
	n := int64(p.interval)
	switch p.unit {
	case Hourly:
		return p.start.Add(time.Duration(j*n) * time.Hour)
	case Daily:
		return wall(civil(p.start.In(p.loc))+j*n, p.handOff, p.loc)
	case Weekly:
		m := int64(len(p.days))
		q, i := floorDiv(j, m), j-floorDiv(j, m)*m
		return wall(p.monday()+q*n*7, p.days[i], p.loc)
	default:
		ls := p.start.In(p.loc)
		mi := int64(ls.Year())*12 + int64(ls.Month()-1) + j*n
		y, mo := int(floorDiv(mi, 12)), time.Month(mi-floorDiv(mi, 12)*12+1)
		d := min(p.dom, daysIn(y, mo))
		return time.Date(y, mo, d, 0, p.handOff, 0, 0, p.loc)
	}
}

// last returns the index of the last hand-off at or before t, without walking from the
// start: the cost is the same a day or ten years after it.
func (p *layerPlan) last(t time.Time) int64 {
	n := int64(p.interval)
	lt := t.In(p.loc)
	var j int64
	switch p.unit {
	case Hourly:
		d := t.Sub(p.start)
		j = floorDiv(int64(d/time.Minute), n*60)
	case Daily:
		j = floorDiv(civil(lt)-civil(p.start.In(p.loc)), n)
	case Weekly:
		m := int64(len(p.days))
		q := floorDiv(floorDiv(civil(lt)-p.monday(), 7), n)
		j = q*m + m - 1
	default:
		ls := p.start.In(p.loc)
		months := int64(lt.Year())*12 + int64(lt.Month()) - int64(ls.Year())*12 - int64(ls.Month())
		j = floorDiv(months, n)
	}
	for p.point(j).After(t) {
		j--
	}
	for !p.point(j + 1).After(t) { // a hand-off moved by a DST gap
		j++
	}
	return j
}

func (p *layerPlan) monday() int64 {
	ls := p.start.In(p.loc)
	return civil(ls) - int64(mondayIndex(ls.Weekday()))
}

// layerSegs is one layer's segments (sorted, disjoint) and the overrides of that layer
// (few, may overlap).
type layerSegs struct {
	segs, over []seg
	ptr        int
}

// compose stacks the layers into touching shifts covering [from, to): a layer's
// overrides replace it, the schedule's overrides replace everything; otherwise the last
// layer with someone wins, or (all) everyone on call in any layer is.
func compose(name string, layers []layerSegs, schedOver []seg, all bool, from, to time.Time) []Shift {
	bounds := []time.Time{from, to}
	for _, l := range layers {
		for _, s := range l.segs {
			bounds = append(bounds, s.start, s.end)
		}
		for _, s := range l.over {
			bounds = append(bounds, s.start, s.end)
		}
	}
	for _, s := range schedOver {
		bounds = append(bounds, s.start, s.end)
	}
	slices.SortFunc(bounds, func(a, b time.Time) int { return a.Compare(b) })
	bounds = slices.CompactFunc(bounds, func(a, b time.Time) bool { return a.Equal(b) })
	var out []Shift
	for k := 0; k+1 < len(bounds); k++ {
		a, b := bounds[k], bounds[k+1]
		if a.Before(from) || !a.Before(to) {
			continue
		}
		who := active(schedOver, a, nil)
		if len(who) == 0 {
			var parts [][]string
			for li := range layers {
				l := &layers[li]
				for l.ptr < len(l.segs) && !l.segs[l.ptr].end.After(a) {
					l.ptr++
				}
				p := active(l.over, a, nil)
				if len(p) == 0 && l.ptr < len(l.segs) {
					p = active(l.segs[l.ptr:l.ptr+1], a, nil)
				}
				parts = append(parts, p)
			}
			if all {
				for _, p := range parts {
					who = union(who, p)
				}
			} else {
				for li := len(parts) - 1; li >= 0 && len(who) == 0; li-- {
					who = parts[li]
				}
			}
		}
		if n := len(out); n > 0 && slices.Equal(out[n-1].Contacts, who) {
			out[n-1].End = b
			continue
		}
		if who == nil {
			who = []string{}
		}
		out = append(out, Shift{Schedule: name, Contacts: who, Start: a, End: b})
	}
	return out
}

// active returns who of segs is on call at a, added to who.
func active(segs []seg, a time.Time, who []string) []string {
	for _, s := range segs {
		if !a.Before(s.start) && a.Before(s.end) {
			who = union(who, s.who)
		}
	}
	return who
}

func union(a, b []string) []string {
	for _, c := range b {
		if !slices.Contains(a, c) {
			a = append(a, c)
		}
	}
	return a
}

// civil returns the days since 1970-01-01 of t's calendar date (in t's location).
func civil(t time.Time) int64 {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC).Unix() / 86400
}

// wall returns the instant of the wall-clock time min minutes after midnight of day d
// in loc (minutes beyond a day run into the next ones by the calendar).
func wall(d int64, min int, loc *time.Location) time.Time {
	u := time.Unix(d*86400, 0).UTC()
	return time.Date(u.Year(), u.Month(), u.Day(), 0, min, 0, 0, loc)
}

func daysIn(y int, m time.Month) int { return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day() }

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
