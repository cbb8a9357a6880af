package escalate

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/notify"
)

// Steps of the communication plan's cadence clock (config communication:).
const (
	// AudienceRemind: an update to an audience is due; the commander is reminded.
	AudienceRemind Kind = "audience-remind"
	// AudienceMissed: the update was not posted within the cadence and its grace.
	AudienceMissed Kind = "audience-missed"
	// audienceLook: no step; the escalator looks again (an audience not told yet).
	audienceLook Kind = "audience-look"
)

// TimelineStore reads an incident's timeline: the cadence clock's one extra read. Both
// stores have it; an Escalator whose Store does not runs no cadence clock.
type TimelineStore interface {
	Timeline(ctx context.Context, id string) ([]incident.Entry, error)
}

// planComms adds the cadence clock of each audience of the incident's severity to the
// steps Plan made (due) and to its next one (next).
//
// The clock of an audience runs from the last time it was told (its first notice or the
// last update posted to it, both on the timeline): the update is due Every later, when
// the commander (or the owner team, without one) is reminded, once per due time; if
// Grace more passes without an update, the miss is recorded (incident.KindUpdateMissed)
// and counted (metric UpdatesMissed), once per due time, and the clock waits for the
// next update. An update posted meanwhile moves the incident's due time to now (every
// change does), so the clock is planned again from it. Only active incidents of a
// severity whose plan names audiences are looked at, and their timeline is the one
// extra read; an audience the timeline says was never told (a quiet incident) has no clock.
func (e *Escalator) planComms(ctx context.Context, inc incident.Incident, now time.Time, due []Step, next *Step) ([]Step, *Step, error) {
	plan := e.Config.AudiencesFor(inc.Severity)
	ts, ok := e.Store.(TimelineStore)
	if len(plan) == 0 || !ok || !inc.Status.Active() {
		return due, next, nil
	}
	tl, err := ts.Timeline(ctx, inc.ID)
	if err != nil {
		return due, next, fmt.Errorf("cadence clock of %s: %w", inc.ID, err)
	}
	consider := func(s *Step) {
		if s != nil && (next == nil || s.At.Before(next.At)) {
			next = s
		}
	}
	last := lastTold(tl)
	floor := inc.SeverityAt
	if floor.IsZero() {
		floor = inc.OpenedAt
	}
	for _, ac := range plan {
		every, grace := ac.Cadence.Every.Duration, ac.Cadence.GraceOrDefault()
		base, told := last[ac.Audience]
		if !told {
			// Not told yet: dispatch may still be sending the first notice. Look again one
			// cadence after the severity began, not after that (a quiet incident is never told).
			if look := floor.Add(every); look.After(now) && inc.Parent == "" {
				consider(&Step{Kind: audienceLook, Key: "audience-look:" + ac.Audience, At: look, Audience: ac.Audience})
			}
			continue
		}
		dueAt := base.Add(every)
		missAt := dueAt.Add(grace)
		key := fmt.Sprintf("%s:%d", ac.Audience, dueAt.Unix())
		remind := Step{Kind: AudienceRemind, Key: "audience-remind:" + key, At: dueAt, Audience: ac.Audience, Due: dueAt}
		missed := Step{Kind: AudienceMissed, Key: "audience-missed:" + key, At: missAt, Audience: ac.Audience, Due: dueAt}
		switch {
		case !now.Before(missAt): // a late tick records the miss; the reminder is moot
			due = append(due, missed)
		case !now.Before(dueAt):
			due = append(due, remind)
			consider(&missed)
		default:
			consider(&remind)
		}
	}
	sort.SliceStable(due, func(i, j int) bool { return due[i].At.Before(due[j].At) })
	return due, next, nil
}

// lastTold is when each audience was last told of the incident: its first notice or the
// last update posted to it (whether or not publishing it succeeded: the person posted it).
func lastTold(tl []incident.Entry) map[string]time.Time {
	out := map[string]time.Time{}
	for _, en := range tl {
		a := en.Data[incident.DataAudience]
		switch {
		case a == "":
			continue
		case en.Kind == incident.KindUpdatePosted,
			en.Kind == incident.KindAudienceNotified && en.Data[incident.DataNotice] != incident.NoticeResolved:
			if en.At.After(out[a]) {
				out[a] = en.At
			}
		}
	}
	return out
}

// commsStep does a cadence step: reminds the commander, or records the miss.
func (e *Escalator) commsStep(ctx context.Context, inc incident.Incident, st Step, now time.Time, rep *Report) error {
	var cad *config.Cadence
	for _, ac := range e.Config.AudiencesFor(inc.Severity) {
		if ac.Audience == st.Audience {
			cad = ac.Cadence
		}
	}
	if cad == nil { // the plan changed under the step: nothing is due any more
		return nil
	}
	audience := st.Audience
	if a := e.Config.Audience(audience); a != nil && a.Name != "" {
		audience = fmt.Sprintf("%s (%s)", a.Name, st.Audience)
	}
	entry := incident.Entry{Incident: inc.ID, At: st.At, Actor: "firebreak", Key: st.Key,
		Data: map[string]string{"step": string(st.Kind), incident.DataSeverity: string(inc.Severity), incident.DataAudience: st.Audience,
			incident.DataDue: st.Due.UTC().Format(time.RFC3339)}}
	switch st.Kind {
	case AudienceRemind:
		tl, err := e.Store.(TimelineStore).Timeline(ctx, inc.ID)
		if err != nil {
			return err
		}
		target, who, paged := e.commander(inc, tl)
		n := notify.Notice{Kind: notify.Reminder, Incident: inc, Policy: e.Config.Severities[string(inc.Severity)],
			Message: fmt.Sprintf("An update to %s on %s is due now (every %s): firebreak incidents update %s --audience %s \"...\". Without one by %s it is recorded as missed.",
				audience, inc.ID, config.Short(cad.Every.Duration), inc.ID, st.Audience, st.Due.Add(cad.GraceOrDefault()).UTC().Format("15:04 UTC"))}
		if t := e.Config.Teams[inc.Team]; t != nil {
			n.TeamName = t.Name
		}
		n.Paged = paged
		if e.Links != nil {
			n.Actions = e.Links.Actions(inc, notify.Reminder)
		}
		if _, err := e.Sender.Send(ctx, target, n); err != nil {
			return err
		}
		entry.Kind, entry.Detail = incident.KindUpdateReminded, fmt.Sprintf("Update to %s due: reminded %s.", audience, who)
		entry.Data["told"] = target
		rep.AudienceReminders++
	case AudienceMissed:
		entry.Kind = incident.KindUpdateMissed
		entry.Detail = fmt.Sprintf("Missed the update to %s due %s: none posted within %s and %s grace.", audience,
			st.Due.UTC().Format("15:04 UTC"), config.Short(cad.Every.Duration), config.Short(cad.GraceOrDefault()))
		rep.UpdatesMissed++
		if err := e.Metrics.Emit(now, map[string]string{"Audience": st.Audience, "Severity": string(inc.Severity)}, map[string]int{"UpdatesMissed": 1}); err != nil {
			e.log().WarnContext(ctx, "metrics not written", "error", err)
		}
	default:
		return nil
	}
	e.log().InfoContext(ctx, "cadence step", "incident", inc.ID, "step", st.Key, "audience", st.Audience)
	return e.Store.AddEntries(ctx, entry)
}

// commander is whom a cadence reminder goes to: the commander when a contact holds the
// role (their own topic), else the owner team (who then knows the commander's name).
func (e *Escalator) commander(inc incident.Incident, tl []incident.Entry) (target, who string, paged notify.Paged) {
	name := incident.Roles(tl)[incident.RoleCommander]
	if id, ok := strings.CutPrefix(name, config.ContactPrefix); ok {
		if c := e.Config.Contact(id); c != nil {
			display := c.Name
			if display == "" {
				display = id
			}
			return name, "commander " + name, notify.Paged{Name: display, Why: "the commander of " + inc.ID}
		}
	}
	if name != "" {
		return inc.Team, fmt.Sprintf("the %s team (commander %s)", inc.Team, name), notify.Paged{}
	}
	return inc.Team, fmt.Sprintf("the %s team (no commander named)", inc.Team), notify.Paged{}
}
