package importer

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/oncall"
)

// The shapes `aws ssm-contacts …` prints (the Incident Manager Contacts API's
// responses). Only what the import needs; every field may be missing.
type imContact struct {
	ContactArn  string
	Alias       string
	DisplayName string
	Type        string // PERSONAL, ESCALATION, ONCALL_SCHEDULE
	Plan        *struct {
		Stages []struct {
			DurationInMinutes int
			Targets           []struct {
				ChannelTargetInfo *struct {
					ContactChannelId       string
					RetryIntervalInMinutes int
				}
				ContactTargetInfo *struct {
					ContactId   string
					IsEssential bool
				}
			}
		}
		RotationIds []string
	}
}

type imChannel struct {
	ContactChannelArn string
	ContactArn        string
	Name              string
	Type              string // SMS, VOICE, EMAIL
	DeliveryAddress   struct{ SimpleAddress string }
	ActivationStatus  string
}

// imHandOff is a HandOffTime: {"HourOfDay": 9, "MinuteOfHour": 0}, or "09:00" as
// CloudFormation writes it.
type imHandOff struct{ HourOfDay, MinuteOfHour int }

func (h *imHandOff) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		m, err := oncall.ParseClock(s, true)
		if err != nil {
			return err
		}
		h.HourOfDay, h.MinuteOfHour = m/60, m%60
		return nil
	}
	type plain imHandOff
	return json.Unmarshal(b, (*plain)(h))
}

func (h imHandOff) minutes() int { return h.HourOfDay*60 + h.MinuteOfHour }

type imRotation struct {
	RotationArn string
	Name        string
	ContactIds  []string
	StartTime   awsTime
	TimeZoneId  string
	Recurrence  *struct {
		MonthlySettings []struct {
			DayOfMonth  int
			HandOffTime imHandOff
		}
		WeeklySettings []struct {
			DayOfWeek   string
			HandOffTime imHandOff
		}
		DailySettings        []imHandOff
		NumberOfOnCalls      int
		ShiftCoverages       map[string][]struct{ Start, End imHandOff }
		RecurrenceMultiplier int
	}
}

type imOverride struct {
	RotationOverrideId string
	RotationArn        string // only in get-rotation-override
	NewContactIds      []string
	StartTime, EndTime awsTime
}

// awsTime is a timestamp as the AWS CLI prints it: ISO 8601 (v2's default) or epoch
// seconds (v1, or cli_timestamp_format = none).
type awsTime struct{ time.Time }

func (t *awsTime) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	var s string
	if json.Unmarshal(b, &s) == nil {
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999-07:00", "2006-01-02T15:04:05.999999Z0700"} {
			if v, err := time.Parse(layout, s); err == nil {
				t.Time = v
				return nil
			}
		}
		return fmt.Errorf("%q is not an ISO 8601 timestamp", s)
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return fmt.Errorf("%s is not a timestamp", b)
	}
	sec := int64(f)
	t.Time = time.Unix(sec, int64((f-float64(sec))*1e9)).UTC()
	return nil
}

// IncidentManager imports the output of `aws ssm-contacts` list-contacts,
// list-contact-channels, get-contact, list-rotations (or get-rotation) and
// list-rotation-overrides (or get-rotation-override), one JSON document per file,
// recognised by content.
func IncidentManager(files []File) (*Result, error) {
	r := newResult("AWS Incident Manager")
	var contacts []imContact
	var channels []imChannel
	var rotations []imRotation
	type overrideFile struct {
		name string
		list []imOverride
	}
	var overrideFiles []overrideFile
	for _, f := range files {
		m, err := decodeObject(f)
		if err != nil {
			return nil, err
		}
		decode := func(key string, v any) error {
			raw := m[key]
			if key == "" {
				raw = f.Data
			}
			if err := json.Unmarshal(raw, v); err != nil {
				return fmt.Errorf("%s: %s: %w", f.Name, key, err)
			}
			return nil
		}
		switch {
		case m["Contacts"] != nil:
			var v []imContact
			if err := decode("Contacts", &v); err != nil {
				return nil, err
			}
			contacts = append(contacts, v...)
		case m["ContactChannels"] != nil:
			var v []imChannel
			if err := decode("ContactChannels", &v); err != nil {
				return nil, err
			}
			channels = append(channels, v...)
		case m["Rotations"] != nil:
			var v []imRotation
			if err := decode("Rotations", &v); err != nil {
				return nil, err
			}
			rotations = append(rotations, v...)
		case m["RotationArn"] != nil && m["Recurrence"] != nil: // get-rotation
			var v imRotation
			if err := decode("", &v); err != nil {
				return nil, err
			}
			rotations = append(rotations, v)
		case m["RotationOverrides"] != nil:
			var v []imOverride
			if err := decode("RotationOverrides", &v); err != nil {
				return nil, err
			}
			overrideFiles = append(overrideFiles, overrideFile{f.Name, v})
		case m["RotationOverrideId"] != nil: // get-rotation-override
			var v imOverride
			if err := decode("", &v); err != nil {
				return nil, err
			}
			overrideFiles = append(overrideFiles, overrideFile{f.Name, []imOverride{v}})
		case m["ContactArn"] != nil && m["Type"] != nil: // get-contact
			var v imContact
			if err := decode("", &v); err != nil {
				return nil, err
			}
			contacts = append(contacts, v)
		default:
			r.notCarried("file %s: not an Incident Manager Contacts listing (skipped)", f.Name)
		}
	}

	// Contacts: one per ARN, the fullest record winning (get-contact has the plan).
	byArn := map[string]*imContact{}
	var arns []string
	for i := range contacts {
		c := &contacts[i]
		key := c.ContactArn
		if key == "" {
			key = c.Alias
		}
		if prev, ok := byArn[key]; ok {
			if c.Plan != nil {
				prev.Plan = c.Plan
			}
			if prev.DisplayName == "" {
				prev.DisplayName = c.DisplayName
			}
			continue
		}
		byArn[key] = c
		arns = append(arns, key)
	}
	ids := map[string]string{} // contact ARN (and alias) → id
	taken := map[string]bool{}
	person := map[string]*oncall.Contact{}
	for _, arn := range arns {
		c := byArn[arn]
		if c.Type != "" && c.Type != "PERSONAL" {
			continue
		}
		alias := c.Alias
		if alias == "" {
			alias = arnName(arn)
		}
		id := slug(alias, func(s string) bool { return taken[s] })
		taken[id] = true
		ids[arn], ids[alias] = id, id
		ct := &oncall.Contact{ID: id, Name: c.DisplayName}
		person[arn] = ct
		r.Contacts = append(r.Contacts, ct)
		if c.Plan != nil && len(c.Plan.Stages) > 0 {
			r.notCarried("contact %s: its engagement plan (%d stages of channels with delays) — Firebreak pages every channel of a contact at once", id, len(c.Plan.Stages))
		}
	}
	contactOf := func(arn string) (string, bool) {
		if id, ok := ids[arn]; ok {
			return id, true
		}
		if id, ok := ids[arnName(arn)]; ok {
			return id, true
		}
		return "", false
	}
	channelOwner := map[string]string{}
	for _, ch := range channels {
		ct := person[ch.ContactArn]
		if ct == nil {
			if id, ok := contactOf(ch.ContactArn); ok {
				for _, c := range r.Contacts {
					if c.ID == id {
						ct = c
					}
				}
			}
		}
		if ct == nil {
			// Channels of a contact list-contacts did not show: make the contact.
			id := slug(arnName(ch.ContactArn), func(s string) bool { return taken[s] })
			taken[id] = true
			ids[ch.ContactArn] = id
			ct = &oncall.Contact{ID: id}
			person[ch.ContactArn] = ct
			r.Contacts = append(r.Contacts, ct)
		}
		channelOwner[ch.ContactChannelArn] = ct.ID
		addr := strings.TrimSpace(ch.DeliveryAddress.SimpleAddress)
		switch ch.Type {
		case "EMAIL":
			ct.Email = append(ct.Email, addr)
		case "SMS":
			ct.SMS = append(ct.SMS, addr)
		default:
			r.notCarried("contact %s: %s channel %q (%s) — Firebreak pages by e-mail and SMS", ct.ID, strings.ToLower(ch.Type), ch.Name, addr)
		}
		if ch.ActivationStatus == "NOT_ACTIVATED" {
			r.notCarried("contact %s: channel %q was never activated in Incident Manager; carried over, and the SNS subscription asks for confirmation again", ct.ID, ch.Name)
		}
	}

	// Rotations: a layer each; on-call schedule contacts stack their rotations.
	layerOf := map[string]*oncall.Layer{} // rotation ARN → layer
	rotName := map[string]string{}
	rotTaken := map[string]bool{}
	for _, rot := range rotations {
		l, ok := r.imLayer(rot, contactOf)
		if !ok {
			continue
		}
		name := slug(rot.Name, func(s string) bool { return rotTaken[s] })
		rotTaken[name] = true
		l.Name = name
		layerOf[rot.RotationArn] = l
		rotName[rot.RotationArn] = name
	}
	inSchedule := map[string][]string{} // rotation ARN → schedules
	schedTaken := map[string]bool{}
	for _, name := range rotTaken2(rotName) {
		schedTaken[name] = true
	}
	scheduleOf := map[string][]string{} // on-call schedule contact ARN → schedules
	for _, arn := range arns {
		c := byArn[arn]
		if c.Type != "ONCALL_SCHEDULE" || c.Plan == nil {
			continue
		}
		name := slug(c.Alias, func(s string) bool { return schedTaken[s] })
		s := &oncall.Schedule{Description: c.DisplayName, Combine: oncall.CombineAll}
		for _, rid := range c.Plan.RotationIds {
			l := layerOf[rid]
			if l == nil {
				r.notCarried("on-call schedule %s: rotation %s is not in the list-rotations output", c.Alias, rid)
				continue
			}
			cp := *l
			cp.Members = slices.Clone(l.Members)
			s.Layers = append(s.Layers, &cp)
			inSchedule[rid] = append(inSchedule[rid], name)
		}
		if len(s.Layers) == 0 {
			continue
		}
		schedTaken[name] = true
		r.Schedules[name] = s
		scheduleOf[arn] = []string{name}
	}
	for _, rot := range rotations {
		l := layerOf[rot.RotationArn]
		if l == nil || len(inSchedule[rot.RotationArn]) > 0 {
			continue
		}
		// A rotation no on-call schedule shows: its own schedule.
		r.Schedules[l.Name] = &oncall.Schedule{Description: rot.Name, Layers: []*oncall.Layer{l}}
		inSchedule[rot.RotationArn] = []string{l.Name}
	}

	// Overrides: of a rotation, so of its layer in every schedule that has it.
	for _, of := range overrideFiles {
		for _, o := range of.list {
			rot := o.RotationArn
			if rot == "" {
				rot = r.guessRotation(of.name, o, rotations, contactOf)
			}
			if rot == "" {
				r.notCarried("override %s (file %s): cannot tell which rotation it belongs to — list-rotation-overrides does not say; name the file after the rotation (its name or id) or add \"RotationArn\"", o.RotationOverrideId, of.name)
				continue
			}
			if layerOf[rot] == nil {
				r.notCarried("override %s: rotation %s was not imported", o.RotationOverrideId, rot)
				continue
			}
			if len(o.NewContactIds) == 0 {
				r.notCarried("override %s: nobody on call from %s to %s — Firebreak overrides name a contact", o.RotationOverrideId, o.StartTime.Format(time.RFC3339), o.EndTime.Format(time.RFC3339))
				continue
			}
			for _, sched := range inSchedule[rot] {
				for _, cid := range o.NewContactIds {
					id, ok := contactOf(cid)
					if !ok {
						r.notCarried("override %s: contact %s is not a personal contact of the import", o.RotationOverrideId, cid)
						continue
					}
					r.Overrides = append(r.Overrides, oncall.Override{Schedule: sched, Layer: layerOf[rot].Name, Contact: id,
						Start: o.StartTime.UTC(), End: o.EndTime.UTC(), Reason: "imported from Incident Manager override " + o.RotationOverrideId})
				}
			}
		}
	}

	// Escalation plans: a tier per stage, at the sum of the earlier stages' durations.
	escTaken := map[string]bool{}
	essential := false
	for _, arn := range arns {
		c := byArn[arn]
		if c.Type != "ESCALATION" || c.Plan == nil {
			continue
		}
		name := slug(c.Alias, func(s string) bool { return escTaken[s] })
		escTaken[name] = true
		e := &Escalation{Description: c.DisplayName}
		after := 0
		for si, st := range c.Plan.Stages {
			var notify []string
			for _, t := range st.Targets {
				switch {
				case t.ContactTargetInfo != nil:
					essential = essential || t.ContactTargetInfo.IsEssential
					tid := t.ContactTargetInfo.ContactId
					if id, ok := contactOf(tid); ok {
						notify = append(notify, config.ContactPrefix+id)
					} else if scheds, ok := scheduleOf[tid]; ok {
						for _, s := range scheds {
							notify = append(notify, config.SchedulePrefix+s)
						}
					} else if tc := byArn[tid]; tc != nil && tc.Type == "ESCALATION" {
						r.notCarried("escalation %s stage %d: it engages escalation plan %s — plans cannot nest; page its tiers' targets instead", name, si+1, tc.Alias)
					} else {
						r.notCarried("escalation %s stage %d: target %s is not among the imported contacts and schedules", name, si+1, tid)
					}
				case t.ChannelTargetInfo != nil:
					if id, ok := channelOwner[t.ChannelTargetInfo.ContactChannelId]; ok {
						notify = append(notify, config.ContactPrefix+id)
						r.notCarried("escalation %s stage %d: a single channel of %s — Firebreak pages all of the contact's channels", name, si+1, id)
					} else {
						r.notCarried("escalation %s stage %d: channel %s is not in the list-contact-channels output", name, si+1, t.ChannelTargetInfo.ContactChannelId)
					}
				}
			}
			if len(notify) > 0 {
				e.Tiers = append(e.Tiers, Tier{After: minutes(after), Notify: notify})
			}
			after += st.DurationInMinutes
		}
		if len(e.Tiers) == 0 {
			r.notCarried("escalation %s: no stage has a target the import could carry over", name)
			continue
		}
		r.Escalations[name] = e
	}
	if essential {
		r.notCarried("escalation plans: \"essential\" targets (IsEssential) — Firebreak has no such distinction")
	}
	if len(r.Escalations) > 0 {
		r.notCarried("escalation plans: imported under escalations:, which paging does not follow directly: copy their tiers into a severity's escalation (same targets)")
	}
	return r, nil
}

// imLayer converts a rotation; false when it cannot be carried over at all.
func (r *Result) imLayer(rot imRotation, contactOf func(string) (string, bool)) (*oncall.Layer, bool) {
	what := fmt.Sprintf("rotation %q", rot.Name)
	loc, err := time.LoadLocation(rot.TimeZoneId)
	if rot.TimeZoneId == "" || err != nil {
		r.notCarried("%s: time zone %q is not an IANA time zone", what, rot.TimeZoneId)
		return nil, false
	}
	if rot.StartTime.IsZero() {
		r.notCarried("%s: no StartTime", what)
		return nil, false
	}
	if rot.Recurrence == nil {
		r.notCarried("%s: no Recurrence", what)
		return nil, false
	}
	rec := rot.Recurrence
	l := &oncall.Layer{TimeZone: rot.TimeZoneId, Start: localStart(rot.StartTime.Time, loc),
		Interval: max(rec.RecurrenceMultiplier, 1), OnCall: max(rec.NumberOfOnCalls, 1)}
	for _, cid := range rot.ContactIds {
		id, ok := contactOf(cid)
		if !ok {
			r.notCarried("%s: member %s is not a personal contact of the import (left out)", what, cid)
			continue
		}
		l.Members = append(l.Members, id)
	}
	if len(l.Members) == 0 {
		r.notCarried("%s: no members the import knows", what)
		return nil, false
	}
	if distinct := countDistinct(l.Members); l.OnCall > distinct {
		r.notCarried("%s: %d on call at once but %d members; carried as %d", what, l.OnCall, distinct, distinct)
		l.OnCall = distinct
	}
	if l.Interval == 1 {
		l.Interval = 0
	}
	if l.OnCall == 1 {
		l.OnCall = 0
	}
	switch {
	case len(rec.WeeklySettings) > 0:
		l.Every = oncall.Weekly
		first := rec.WeeklySettings[0].HandOffTime.minutes()
		l.HandOff = oncall.Clock(first)
		for _, w := range rec.WeeklySettings {
			d, ok := weekdayNames[strings.ToUpper(w.DayOfWeek)]
			if !ok {
				r.notCarried("%s: day %q is not a weekday", what, w.DayOfWeek)
				continue
			}
			if w.HandOffTime.minutes() != first {
				r.notCarried("%s: hand-off on %s at %s — a layer hands off at one time of day; carried at %s", what, d, oncall.Clock(w.HandOffTime.minutes()), l.HandOff)
			}
			l.Days = append(l.Days, d)
		}
	case len(rec.DailySettings) > 0:
		l.Every = oncall.Daily
		l.HandOff = oncall.Clock(rec.DailySettings[0].minutes())
		for _, h := range rec.DailySettings[1:] {
			r.notCarried("%s: a second daily hand-off at %s — a layer hands off once a day; carried at %s only", what, oncall.Clock(h.minutes()), l.HandOff)
		}
	case len(rec.MonthlySettings) > 0:
		l.Every = oncall.Monthly
		l.DayOfMonth = rec.MonthlySettings[0].DayOfMonth
		l.HandOff = oncall.Clock(rec.MonthlySettings[0].HandOffTime.minutes())
		for _, m := range rec.MonthlySettings[1:] {
			r.notCarried("%s: a second monthly hand-off on day %d — carried on day %d only", what, m.DayOfMonth, l.DayOfMonth)
		}
	default:
		r.notCarried("%s: no daily, weekly or monthly settings", what)
		return nil, false
	}
	if len(rec.ShiftCoverages) > 0 {
		byDay := map[string][][2]int{}
		for day, times := range rec.ShiftCoverages {
			d, ok := weekdayNames[strings.ToUpper(day)]
			if !ok {
				r.notCarried("%s: coverage day %q is not a weekday", what, day)
				continue
			}
			for _, ct := range times {
				from, to := ct.Start.minutes(), ct.End.minutes()
				if to == 0 {
					to = 24 * 60
				}
				byDay[d] = append(byDay[d], [2]int{from, to})
			}
		}
		l.Restrictions = restrictions(byDay)
	}
	return l, true
}

// guessRotation finds the rotation of an override list-rotation-overrides printed
// without one: the only rotation, the one the file is named after, or the only one
// whose members include all the new contacts.
func (r *Result) guessRotation(file string, o imOverride, rotations []imRotation, contactOf func(string) (string, bool)) string {
	if len(rotations) == 1 {
		return rotations[0].RotationArn
	}
	lower := strings.ToLower(file)
	var hit []string
	for _, rot := range rotations {
		if id := arnName(rot.RotationArn); id != "" && strings.Contains(lower, strings.ToLower(id)) {
			hit = append(hit, rot.RotationArn)
		} else if n := slug(rot.Name, nil); strings.Contains(strings.ReplaceAll(lower, "_", "-"), n) {
			hit = append(hit, rot.RotationArn)
		}
	}
	if len(hit) == 1 {
		return hit[0]
	}
	hit = nil
	for _, rot := range rotations {
		members := map[string]bool{}
		for _, c := range rot.ContactIds {
			members[c] = true
		}
		all := len(o.NewContactIds) > 0
		for _, c := range o.NewContactIds {
			all = all && members[c]
		}
		if all {
			hit = append(hit, rot.RotationArn)
		}
	}
	if len(hit) == 1 {
		return hit[0]
	}
	return ""
}

// arnName is the last path segment of an ARN (a contact's alias, a rotation's id).
func arnName(arn string) string {
	if i := strings.LastIndexByte(arn, '/'); i >= 0 {
		return arn[i+1:]
	}
	return arn
}

func countDistinct(s []string) int {
	m := map[string]bool{}
	for _, x := range s {
		m[x] = true
	}
	return len(m)
}

func rotTaken2(m map[string]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}
