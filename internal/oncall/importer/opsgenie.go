package importer

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/oncall"
)

// The shapes of Opsgenie's REST API (v2) responses: {"data": …}. Only what the import
// needs; every field may be missing.
type ogRecipient struct {
	Type     string `json:"type"` // user, team, escalation, schedule, none
	ID       string `json:"id"`
	Name     string `json:"name"`
	Username string `json:"username"`
}

type ogUser struct {
	ID           string `json:"id"`
	Username     string `json:"username"`
	FullName     string `json:"fullName"`
	TimeZone     string `json:"timeZone"`
	UserContacts []struct {
		To            string `json:"to"`
		ContactMethod string `json:"contactMethod"` // email, sms, voice, mobile
		Enabled       *bool  `json:"enabled"`
	} `json:"userContacts"`
}

type ogRestriction struct {
	StartDay  string `json:"startDay"`
	StartHour int    `json:"startHour"`
	StartMin  int    `json:"startMin"`
	EndDay    string `json:"endDay"`
	EndHour   int    `json:"endHour"`
	EndMin    int    `json:"endMin"`
}

type ogRotation struct {
	ID              string        `json:"id"`
	Name            string        `json:"name"`
	StartDate       awsTime       `json:"startDate"`
	EndDate         awsTime       `json:"endDate"`
	Type            string        `json:"type"` // daily, weekly, hourly
	Length          int           `json:"length"`
	Participants    []ogRecipient `json:"participants"`
	TimeRestriction *struct {
		Type         string          `json:"type"` // time-of-day, weekday-and-time-of-day
		Restriction  *ogRestriction  `json:"restriction"`
		Restrictions []ogRestriction `json:"restrictions"`
	} `json:"timeRestriction"`
}

type ogSchedule struct {
	ID          string       `json:"id"`
	Name        string       `json:"name"`
	Description string       `json:"description"`
	Timezone    string       `json:"timezone"`
	Enabled     *bool        `json:"enabled"`
	OwnerTeam   *ogRecipient `json:"ownerTeam"`
	Rotations   []ogRotation `json:"rotations"`
}

type ogOverride struct {
	Parent    *ogRecipient  `json:"_parent"`
	Alias     string        `json:"alias"`
	User      ogRecipient   `json:"user"`
	StartDate awsTime       `json:"startDate"`
	EndDate   awsTime       `json:"endDate"`
	Rotations []ogRecipient `json:"rotations"`
}

type ogEscalation struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Rules       []struct {
		Condition  string `json:"condition"`  // if-not-acked, if-not-closed
		NotifyType string `json:"notifyType"` // default, next, previous, users, admins, all
		Delay      struct {
			TimeAmount int    `json:"timeAmount"`
			TimeUnit   string `json:"timeUnit"`
		} `json:"delay"`
		Recipient ogRecipient `json:"recipient"`
	} `json:"rules"`
	Repeat *struct {
		WaitInterval int `json:"waitInterval"`
		Count        int `json:"count"`
	} `json:"repeat"`
}

var ogPhone = regexp.MustCompile(`^\+?([0-9]{1,3})-([0-9]{4,14})$`)

// Opsgenie imports Opsgenie REST API responses: users (GET /v2/users, or
// /v2/users/{id}?expand=contact for their SMS numbers), schedules with rotations
// (GET /v2/schedules?expand=rotation or /v2/schedules/{id}), overrides
// (GET /v2/schedules/{id}/overrides) and escalations (GET /v2/escalations), one JSON
// document per file, recognised by content.
func Opsgenie(files []File) (*Result, error) {
	r := newResult("Opsgenie")
	var users []ogUser
	var schedules []ogSchedule
	var overrides []ogOverride
	var escalations []ogEscalation
	for _, f := range files {
		m, err := decodeObject(f)
		if err != nil {
			return nil, err
		}
		raw, ok := m["data"]
		if !ok {
			r.notCarried("file %s: not an Opsgenie API response (no \"data\"; skipped)", f.Name)
			continue
		}
		var items []map[string]json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			var one map[string]json.RawMessage
			if err := json.Unmarshal(raw, &one); err != nil {
				return nil, fmt.Errorf("%s: data: neither a list nor an object: %w", f.Name, err)
			}
			items = []map[string]json.RawMessage{one}
		}
		for i, it := range items {
			b, _ := json.Marshal(it)
			var dst any
			switch {
			case it["username"] != nil && it["rules"] == nil:
				users = append(users, ogUser{})
				dst = &users[len(users)-1]
			case it["rotations"] != nil && it["timezone"] != nil, it["timezone"] != nil && it["name"] != nil && it["startDate"] == nil:
				schedules = append(schedules, ogSchedule{})
				dst = &schedules[len(schedules)-1]
			case it["user"] != nil && it["startDate"] != nil && it["endDate"] != nil:
				overrides = append(overrides, ogOverride{})
				dst = &overrides[len(overrides)-1]
			case it["rules"] != nil:
				escalations = append(escalations, ogEscalation{})
				dst = &escalations[len(escalations)-1]
			case it["participants"] != nil:
				r.notCarried("file %s: data[%d]: a rotation listed on its own (GET …/rotations) does not say its schedule; use GET /v2/schedules?expand=rotation", f.Name, i)
				continue
			case it["method"] != nil && it["to"] != nil:
				r.notCarried("file %s: data[%d]: a contact method listed on its own does not say its user; use GET /v2/users/{id}?expand=contact", f.Name, i)
				continue
			default:
				r.notCarried("file %s: data[%d]: not an Opsgenie user, schedule, override or escalation (skipped)", f.Name, i)
				continue
			}
			if err := json.Unmarshal(b, dst); err != nil {
				return nil, fmt.Errorf("%s: data[%d]: %w", f.Name, i, err)
			}
		}
	}

	// Users: by id and by username; the fullest record wins (expand=contact has channels).
	taken := map[string]bool{}
	byKey := map[string]*oncall.Contact{}
	for _, u := range users {
		if c := byKey[u.ID]; c != nil || byKey[strings.ToLower(u.Username)] != nil {
			if c == nil {
				c = byKey[strings.ToLower(u.Username)]
			}
			r.ogChannels(c, u)
			continue
		}
		local, _, _ := strings.Cut(u.Username, "@")
		id := slug(local, func(s string) bool { return taken[s] })
		taken[id] = true
		c := &oncall.Contact{ID: id, Name: u.FullName}
		if _, err := time.LoadLocation(u.TimeZone); err == nil && u.TimeZone != "" {
			c.TimeZone = u.TimeZone
		}
		if strings.Contains(u.Username, "@") {
			c.Email = []string{u.Username}
		}
		r.ogChannels(c, u)
		r.Contacts = append(r.Contacts, c)
		if u.ID != "" {
			byKey[u.ID] = c
		}
		byKey[strings.ToLower(u.Username)] = c
	}
	userOf := func(p ogRecipient) (string, bool) {
		if c := byKey[p.ID]; c != nil && p.ID != "" {
			return c.ID, true
		}
		if c := byKey[strings.ToLower(p.Username)]; c != nil && p.Username != "" {
			return c.ID, true
		}
		return "", false
	}

	// Schedules: a layer per rotation; Opsgenie notifies everyone on call in any rotation.
	schedTaken := map[string]bool{}
	schedByKey := map[string]string{}
	layerByRot := map[string]string{}
	for _, s := range schedules {
		name := slug(s.Name, func(x string) bool { return schedTaken[x] })
		what := "schedule " + s.Name
		loc, err := time.LoadLocation(s.Timezone)
		if s.Timezone == "" || err != nil {
			r.notCarried("%s: time zone %q is not an IANA time zone", what, s.Timezone)
			continue
		}
		if s.Enabled != nil && !*s.Enabled {
			r.notCarried("%s: disabled in Opsgenie; imported anyway", what)
		}
		sc := &oncall.Schedule{Description: s.Description, Combine: oncall.CombineAll}
		if sc.Description == "" {
			sc.Description = s.Name
		}
		layerTaken := map[string]bool{}
		for _, rot := range s.Rotations {
			l, ok := r.ogLayer(what, rot, loc, userOf)
			if !ok {
				continue
			}
			l.Name = slug(rot.Name, func(x string) bool { return layerTaken[x] })
			layerTaken[l.Name] = true
			layerByRot[rot.ID] = l.Name
			layerByRot[s.ID+"/"+rot.Name] = l.Name
			sc.Layers = append(sc.Layers, l)
		}
		if len(sc.Layers) == 0 {
			r.notCarried("%s: no rotation could be carried over", what)
			continue
		}
		schedTaken[name] = true
		r.Schedules[name] = sc
		schedByKey[s.ID], schedByKey[s.Name] = name, name
	}

	for _, o := range overrides {
		what := fmt.Sprintf("override %s", o.Alias)
		if o.Parent == nil {
			r.notCarried("%s: no _parent schedule in the response", what)
			continue
		}
		sched, ok := schedByKey[o.Parent.ID]
		if !ok {
			sched, ok = schedByKey[o.Parent.Name]
		}
		if !ok {
			r.notCarried("%s: schedule %s was not imported", what, o.Parent.Name)
			continue
		}
		if o.User.Type == "none" {
			r.notCarried("%s: nobody on call from %s to %s — Firebreak overrides name a contact", what, o.StartDate.Format(time.RFC3339), o.EndDate.Format(time.RFC3339))
			continue
		}
		id, ok := userOf(o.User)
		if !ok {
			r.notCarried("%s: user %s%s is not among the imported users", what, o.User.Username, o.User.ID)
			continue
		}
		base := oncall.Override{Schedule: sched, Contact: id, Start: o.StartDate.UTC(), End: o.EndDate.UTC(),
			Reason: "imported from Opsgenie override " + o.Alias}
		if len(o.Rotations) == 0 {
			r.Overrides = append(r.Overrides, base)
			continue
		}
		for _, rot := range o.Rotations {
			l, ok := layerByRot[rot.ID]
			if !ok {
				l, ok = layerByRot[o.Parent.ID+"/"+rot.Name]
			}
			if !ok {
				r.notCarried("%s: rotation %s%s was not imported", what, rot.Name, rot.ID)
				continue
			}
			ov := base
			ov.Layer = l
			r.Overrides = append(r.Overrides, ov)
		}
	}

	escTaken := map[string]bool{}
	for _, e := range escalations {
		name := slug(e.Name, func(x string) bool { return escTaken[x] })
		what := "escalation " + e.Name
		byDelay := map[int][]string{}
		var delays []int
		for i, rule := range e.Rules {
			mins := rule.Delay.TimeAmount
			switch rule.Delay.TimeUnit {
			case "hours":
				mins *= 60
			case "days":
				mins *= 24 * 60
			case "", "minutes":
			default:
				r.notCarried("%s rule %d: delay unit %q", what, i+1, rule.Delay.TimeUnit)
				continue
			}
			if rule.Condition == "if-not-closed" {
				r.notCarried("%s rule %d: \"if not closed\" — Firebreak escalates while nobody acknowledges", what, i+1)
			}
			var target string
			switch rule.Recipient.Type {
			case "user":
				if id, ok := userOf(rule.Recipient); ok {
					target = config.ContactPrefix + id
				}
			case "schedule":
				if s, ok := schedByKey[rule.Recipient.ID]; ok {
					target = config.SchedulePrefix + s
				} else if s, ok := schedByKey[rule.Recipient.Name]; ok {
					target = config.SchedulePrefix + s
				}
				if nt := rule.NotifyType; nt != "" && nt != "default" && target != "" {
					r.notCarried("%s rule %d: notify the %s on-call user of %s — carried as whoever is on call", what, i+1, nt, rule.Recipient.Name)
				}
			}
			if target == "" {
				r.notCarried("%s rule %d: %s %s%s cannot be carried over (only imported users and schedules can)", what, i+1,
					rule.Recipient.Type, rule.Recipient.Name, rule.Recipient.Username)
				continue
			}
			if _, ok := byDelay[mins]; !ok {
				delays = append(delays, mins)
			}
			byDelay[mins] = append(byDelay[mins], target)
		}
		if len(delays) == 0 {
			r.notCarried("%s: no rule could be carried over", what)
			continue
		}
		slices.Sort(delays)
		esc := &Escalation{Description: e.Description}
		for _, d := range delays {
			esc.Tiers = append(esc.Tiers, Tier{After: minutes(d), Notify: byDelay[d]})
		}
		if e.Repeat != nil && e.Repeat.Count > 0 {
			r.notCarried("%s: repeats %d times every %d minutes — Firebreak repeats single tiers, not whole plans", what, e.Repeat.Count, e.Repeat.WaitInterval)
		}
		escTaken[name] = true
		r.Escalations[name] = esc
	}
	if len(r.Escalations) > 0 {
		r.notCarried("escalations: imported under escalations:, which paging does not follow directly: copy their tiers into a severity's escalation (same targets)")
	}
	return r, nil
}

func (r *Result) ogChannels(c *oncall.Contact, u ogUser) {
	for _, uc := range u.UserContacts {
		if uc.Enabled != nil && !*uc.Enabled {
			r.notCarried("contact %s: disabled %s %s (left out)", c.ID, uc.ContactMethod, uc.To)
			continue
		}
		switch uc.ContactMethod {
		case "email":
			if !containsFold(c.Email, uc.To) {
				c.Email = append(c.Email, uc.To)
			}
		case "sms":
			m := ogPhone.FindStringSubmatch(uc.To)
			if m == nil {
				r.notCarried("contact %s: SMS number %q is not in Opsgenie's country-code-number form", c.ID, uc.To)
				continue
			}
			if n := "+" + m[1] + m[2]; !containsFold(c.SMS, n) {
				c.SMS = append(c.SMS, n)
			}
		default:
			r.notCarried("contact %s: %s %s — Firebreak pages by e-mail and SMS", c.ID, uc.ContactMethod, uc.To)
		}
	}
}

func (r *Result) ogLayer(what string, rot ogRotation, loc *time.Location, userOf func(ogRecipient) (string, bool)) (*oncall.Layer, bool) {
	what = fmt.Sprintf("%s rotation %s", what, rot.Name)
	if rot.StartDate.IsZero() {
		r.notCarried("%s: no startDate", what)
		return nil, false
	}
	l := &oncall.Layer{TimeZone: loc.String(), Start: localStart(rot.StartDate.Time, loc)}
	if rot.Length > 1 {
		l.Interval = rot.Length
	}
	switch rot.Type {
	case "daily":
		l.Every = oncall.Daily
	case "weekly":
		l.Every = oncall.Weekly
	case "hourly":
		l.Every = oncall.Hourly
	default:
		r.notCarried("%s: type %q is not hourly, daily or weekly", what, rot.Type)
		return nil, false
	}
	if !rot.EndDate.IsZero() {
		l.End = localStart(rot.EndDate.Time, loc)
	}
	for _, p := range rot.Participants {
		switch p.Type {
		case "user":
			if id, ok := userOf(p); ok {
				l.Members = append(l.Members, id)
				continue
			}
			r.notCarried("%s: user %s%s is not among the imported users (left out)", what, p.Username, p.ID)
		case "none":
			r.notCarried("%s: a \"none\" turn (nobody on call) — left out, so the others' turns come sooner", what)
		default:
			r.notCarried("%s: %s %s as a participant — only users can rotate (left out)", what, p.Type, p.Name)
		}
	}
	if len(l.Members) == 0 {
		r.notCarried("%s: no participant could be carried over", what)
		return nil, false
	}
	if tr := rot.TimeRestriction; tr != nil {
		byDay := map[string][][2]int{}
		switch tr.Type {
		case "time-of-day":
			if x := tr.Restriction; x != nil && (!clockOK(x.StartHour, x.StartMin) || !clockOK(x.EndHour, x.EndMin)) {
				r.notCarried("%s: restriction times %02d:%02d to %02d:%02d", what, x.StartHour, x.StartMin, x.EndHour, x.EndMin)
			} else if x != nil {
				from, to := x.StartHour*60+x.StartMin, x.EndHour*60+x.EndMin
				if to == 0 {
					to = 24 * 60
				}
				for _, d := range dayOrder {
					byDay[d] = append(byDay[d], [2]int{from, to})
				}
			}
		case "weekday-and-time-of-day":
			for _, x := range tr.Restrictions {
				sd, ok1 := weekdayNames[strings.ToUpper(x.StartDay)]
				ed, ok2 := weekdayNames[strings.ToUpper(x.EndDay)]
				if !ok1 || !ok2 {
					r.notCarried("%s: restriction days %q to %q", what, x.StartDay, x.EndDay)
					continue
				}
				if !clockOK(x.StartHour, x.StartMin) || !clockOK(x.EndHour, x.EndMin) {
					r.notCarried("%s: restriction times %02d:%02d to %02d:%02d", what, x.StartHour, x.StartMin, x.EndHour, x.EndMin)
					continue
				}
				weekWindows(byDay, sd, x.StartHour*60+x.StartMin, ed, x.EndHour*60+x.EndMin)
			}
		default:
			r.notCarried("%s: time restriction type %q", what, tr.Type)
		}
		l.Restrictions = restrictions(byDay)
	}
	return l, true
}

// weekWindows splits a window from one weekday and time to another (wrapping the week)
// into windows of single days.
func weekWindows(byDay map[string][][2]int, sd string, from int, ed string, to int) {
	idx := func(d string) int {
		for i, x := range dayOrder {
			if x == d {
				return i
			}
		}
		return 0
	}
	start, end := idx(sd)*1440+from, idx(ed)*1440+to
	if end <= start {
		end += 7 * 1440
	}
	for t := start; t < end; {
		day := t / 1440
		dayEnd := min((day+1)*1440, end)
		byDay[dayOrder[day%7]] = append(byDay[dayOrder[day%7]], [2]int{t - day*1440, dayEnd - day*1440})
		t = dayEnd
	}
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// clockOK reports whether hour:min is a time of day (24:00 included).
func clockOK(h, m int) bool { return h >= 0 && m >= 0 && m < 60 && (h < 24 || (h == 24 && m == 0)) }
