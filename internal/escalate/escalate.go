// Package escalate runs the incident clocks (functions/escalate, on a schedule): per
// severity, while nobody acknowledges an incident the escalation tiers are told; while
// it is acknowledged, its owner is reminded when an update is due; missed acknowledge
// and resolve objectives are recorded and counted; a mitigated incident that stays quiet
// is resolved. It reads only the incidents that are due (the store's due index) and does
// each step exactly once, even when the schedule fires late, twice or concurrently.
package escalate

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/dispatch"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/metrics"
	"github.com/firebreak-ops/firebreak/internal/notify"
	"github.com/firebreak-ops/firebreak/internal/page"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// Store is what the escalator needs of the store.
type Store interface {
	Due(ctx context.Context, now time.Time, limit int) ([]incident.Incident, error)
	SetDue(ctx context.Context, id string, due time.Time, version int) (bool, error)
	Get(ctx context.Context, id string) (incident.Incident, error)
	Change(ctx context.Context, c store.Change) (bool, error)
	AddEntries(ctx context.Context, entries ...incident.Entry) error
	store.Claims
}

var (
	_ Store = (*store.Memory)(nil)
	_ Store = (*store.Dynamo)(nil)
)

// Sender tells a team.
type Sender interface {
	Send(ctx context.Context, team string, n notify.Notice) (string, error)
}

// Links makes the one-click actions of a notice.
type Links interface {
	Actions(inc incident.Incident, kind notify.Kind) []notify.Action
}

// Kind of step.
type Kind string

// Steps.
const (
	Escalate    Kind = "escalate"     // tell an escalation tier
	Remind      Kind = "remind"       // the owner's update is due
	Breach      Kind = "breach"       // an objective was missed
	AutoResolve Kind = "auto-resolve" // mitigated and quiet long enough
)

// Step is one thing the clock does at a time, identified by a key unique per incident.
type Step struct {
	Kind   Kind
	Key    string
	At     time.Time
	Tier   int      // escalation tier, from 1
	Repeat int      // escalation repeat, from 0
	Teams  []string // who is told
	// Objective is the breached objective: acknowledge or resolve.
	Objective string
	// Audience and Due: the audience whose update is due, and when (comms.go).
	Audience string
	Due      time.Time
}

// Plan lists the steps of an incident's clocks that are due at or before now, and the
// next one after now. Incidents that are silenced or attached to a parent page nobody
// and track no objective (their parent does); they only auto-resolve.
//
// Its cost is bounded by the clocks, not by what they are configured to do: each clock
// (an escalation tier, an objective, the update cadence, auto-resolve) gives at most its
// latest due step and its next one, worked out arithmetically. A tick that comes late
// does the latest step of each clock; the earlier ones it missed are not sent in a burst.
// No step of a severity's policy is due before the incident got that severity
// (SeverityAt): the timeline never says an objective was missed before it applied.
func Plan(cfg *config.Config, inc incident.Incident, now time.Time) (due []Step, next *Step) {
	consider := func(d, n *Step) {
		if d != nil {
			due = append(due, *d)
		}
		if n != nil && (next == nil || n.At.Before(next.At)) {
			next = n
		}
	}
	policy := cfg.PolicyFor(inc.Severity, inc.Tier) // the business tier's objectives, if it sets any (accounts.go)
	quiet := inc.SilencedBy != "" || inc.Parent != ""
	if policy != nil && !quiet && inc.Severity != incident.Info {
		floor := inc.SeverityAt
		start := inc.StateAt
		if inc.Status == incident.Open {
			for i, tier := range policy.Escalation {
				c := clock{first: start.Add(tier.After.Duration), every: tier.Every.Duration, count: tier.Repeat + 1, floor: floor}
				step := func(r int, at time.Time) *Step {
					return &Step{Kind: Escalate, Key: fmt.Sprintf("esc:%d:%d:%d", start.Unix(), i+1, r), At: at,
						Tier: i + 1, Repeat: r, Teams: teams(cfg, inc, tier.Notify)}
				}
				consider(c.plan(now, step))
			}
			if d := policy.AcknowledgeWithin.Duration; d > 0 {
				c := clock{first: start.Add(d), count: 1, floor: floor}
				consider(c.plan(now, func(_ int, at time.Time) *Step {
					return &Step{Kind: Breach, Objective: "acknowledge", Key: fmt.Sprintf("breach:ack:%d", start.Unix()), At: at}
				}))
			}
		}
		if inc.Status == incident.Acknowledged && policy.UpdateEvery.Duration > 0 {
			base := inc.LastUpdateAt
			if inc.AcknowledgedAt.After(base) {
				base = inc.AcknowledgedAt
			}
			// Reminders every cadence since the last update, for as long as it lasts.
			c := clock{first: base.Add(policy.UpdateEvery.Duration), every: policy.UpdateEvery.Duration, count: math.MaxInt, floor: floor}
			consider(c.plan(now, func(_ int, at time.Time) *Step {
				return &Step{Kind: Remind, Key: fmt.Sprintf("remind:%d", at.Unix()), At: at, Teams: []string{inc.Team}}
			}))
		}
		if inc.Status.Active() && policy.ResolveWithin.Duration > 0 {
			c := clock{first: inc.OpenedAt.Add(policy.ResolveWithin.Duration), count: 1, floor: floor}
			consider(c.plan(now, func(_ int, at time.Time) *Step {
				return &Step{Kind: Breach, Objective: "resolve", Key: fmt.Sprintf("breach:resolve:%d", inc.OpenedAt.Unix()), At: at}
			}))
		}
	}
	if cfg.Defaults.AutoResolveAfter != nil && cfg.Defaults.AutoResolveAfter.Duration > 0 {
		switch quiet := cfg.Defaults.AutoResolveAfter.Duration; {
		case inc.Status == incident.Mitigated:
			c := clock{first: inc.StateAt.Add(quiet), count: 1}
			consider(c.plan(now, func(_ int, at time.Time) *Step {
				return &Step{Kind: AutoResolve, Key: fmt.Sprintf("auto-resolve:%d", inc.StateAt.Unix()), At: at}
			}))
		case autoResolved(inc, quiet) && !inc.ResolvedAt.After(now):
			// Resolved by its auto-resolve step, whose entry is lost when the change's
			// second write fails: the step again, which writes only the entry (its key
			// and time are the first attempt's; done already, it is skipped by its claim).
			due = append(due, Step{Kind: AutoResolve, Key: fmt.Sprintf("auto-resolve:%d", inc.MitigatedAt.Unix()), At: inc.ResolvedAt})
		}
	}
	sort.SliceStable(due, func(i, j int) bool { return due[i].At.Before(due[j].At) })
	return due, next
}

// autoResolved reports whether inc is resolved by its auto-resolve step: resolved quiet
// after it was mitigated, at the instant the step resolves (nobody else resolves then:
// a person's resolution is stamped when it is made, and re-opening clears mitigated_at).
func autoResolved(inc incident.Incident, quiet time.Duration) bool {
	return inc.Status == incident.Resolved && !inc.MitigatedAt.IsZero() && inc.StateAt.Equal(inc.ResolvedAt) &&
		inc.ResolvedAt.Equal(inc.MitigatedAt.Add(quiet))
}

// clock is a series of count steps, every apart from first (count 1: a single step), none
// of which acts at or before floor (unless floor is zero): a step whose time is not after
// floor acts a nanosecond after it, and of the steps that share a time only the last acts.
type clock struct {
	first time.Time
	every time.Duration
	count int
	floor time.Time
}

// at is the nominal time of step r.
func (c clock) at(r int) time.Time { return c.first.Add(time.Duration(r) * c.every) }

// latest is the last step whose nominal time is at or before t (ok false: none is).
func (c clock) latest(t time.Time) (r int, ok bool) {
	if t.Before(c.first) || c.count < 1 {
		return 0, false
	}
	if c.every <= 0 || c.count == 1 {
		return 0, true
	}
	n := t.Sub(c.first) / c.every
	if n >= time.Duration(c.count-1) {
		return c.count - 1, true
	}
	return int(n), true
}

// plan makes the clock's latest step due at or before now and its next one after now.
func (c clock) plan(now time.Time, step func(r int, at time.Time) *Step) (due, next *Step) {
	// A step acts strictly after the floor: the timeline reads the change first.
	floor := c.floor
	if !floor.IsZero() {
		floor = floor.Add(time.Nanosecond)
	}
	eff := func(r int) time.Time {
		if t := c.at(r); t.After(floor) {
			return t
		}
		return floor
	}
	r, ok := c.latest(now)
	if !floor.After(now) && ok {
		due = step(r, eff(r))
		r++
	} else {
		// Nothing acts yet; the first step to act is the last one the floor holds back.
		r = 0
		if f, held := c.latest(floor); held {
			r = f
		}
	}
	if r < c.count {
		next = step(r, eff(r))
	}
	return due, next
}

// teams resolves an escalation tier's notify list for an incident.
func teams(cfg *config.Config, inc incident.Incident, notify []string) []string {
	var out []string
	add := func(t string) {
		for _, x := range out {
			if x == t {
				return
			}
		}
		out = append(out, t)
	}
	for _, who := range notify {
		switch who {
		case "owner":
			add(inc.Team)
		case "secondary":
			if t := cfg.Teams[inc.Team]; t != nil && t.Secondary != "" {
				add(t.Secondary)
			}
		default:
			add(who)
		}
	}
	return out
}

// Escalator runs the clocks.
type Escalator struct {
	Store   Store
	Sender  Sender
	Config  *config.Config
	Links   Links
	Metrics *metrics.Writer
	Now     func() time.Time
	Log     *slog.Logger
	Lease   time.Duration // how long a step may take before another tick retries it; zero: store.Lease
	// Batch bounds how many due incidents one tick reads (default 500).
	Batch int
	// Workers is how many due incidents a tick works on at once (0 or 1: one after
	// another, in due order, as a replay needs to tell the same story every time). Each
	// incident's steps are its own and each is claimed and done once, so the Lambda works
	// on DueWorkers at once: escalations that fall due together go out together.
	Workers int
	// OnCall pages whoever is on call for the tiers' schedules (oncall.go); nil: the
	// configuration's rotations and overrides alone.
	OnCall *page.Resolver
	// Problems feeds the dashboard's open-problems gauge (problems.go); nil: none.
	Problems ProblemLister
	// Openings decides the openings held for grouping.wait (held.go); nil: a dispatcher
	// made of the escalator's own store, sender, links and on-call resolver.
	Openings Opener
	// Recurrences is what that dispatcher asks for the recurring problem of an incident
	// re-opened after its held page was due (dispatch.Recurrences); nil: the notice it
	// tells of the re-opening says nothing of the problem.
	Recurrences dispatch.Recurrences
}

// Report counts what a tick did.
type Report struct {
	Incidents    int `json:"incidents"` // due incidents looked at
	Escalations  int `json:"escalations"`
	Reminders    int `json:"reminders"`
	Breaches     int `json:"breaches"`
	AutoResolved int `json:"auto_resolved"`
	// The communication plan's cadence clock (comms.go).
	AudienceReminders int `json:"audience_reminders"`
	UpdatesMissed     int `json:"updates_missed"`
	// HeldDecided counts the openings held for grouping.wait decided (held.go).
	HeldDecided int `json:"held_decided,omitempty"`
}

func (r *Report) add(o Report) {
	r.Incidents += o.Incidents
	r.Escalations += o.Escalations
	r.Reminders += o.Reminders
	r.Breaches += o.Breaches
	r.AutoResolved += o.AutoResolved
	r.AudienceReminders += o.AudienceReminders
	r.UpdatesMissed += o.UpdatesMissed
	r.HeldDecided += o.HeldDecided
}

func (e *Escalator) log() *slog.Logger {
	if e.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return e.Log
}

// Tick processes every incident due now. Failures of one incident do not stop the others;
// they are returned together and the incident stays due.
func (e *Escalator) Tick(ctx context.Context) (Report, error) {
	now := e.Now().UTC()
	batch := e.Batch
	if batch <= 0 {
		batch = 500
	}
	var rep Report
	// Openings held for grouping.wait first (held.go): until every one whose wait is
	// over is decided, no clock runs, so none runs for an incident not yet decided.
	if err := e.decideHeld(ctx, now, batch, &rep); err != nil {
		e.emit(now, rep)
		if !failed(err) {
			return rep, nil // another attempt holds a step: decided next tick
		}
		return rep, err
	}
	due, err := e.Store.Due(ctx, now, batch)
	if err != nil {
		return rep, err
	}
	var errs []error
	for i, r := range e.processAll(ctx, due, now) {
		rep.add(r.rep)
		if failed(r.err) {
			errs = append(errs, fmt.Errorf("incident %s: %w", due[i].ID, r.err))
		}
	}
	e.emit(now, rep)
	e.gaugeProblems(ctx, now)
	return rep, errors.Join(errs...)
}

// DueWorkers is how many due incidents the escalator Lambda works on at once.
const DueWorkers = 8

type processed struct {
	rep Report
	err error
}

// processAll processes the due incidents, Workers at once, and returns what each came
// to, in their order.
func (e *Escalator) processAll(ctx context.Context, due []incident.Incident, now time.Time) []processed {
	out := make([]processed, len(due))
	var next atomic.Int64
	work := func() {
		for i := int(next.Add(1) - 1); i < len(due); i = int(next.Add(1) - 1) {
			out[i].rep, out[i].err = e.Process(ctx, due[i], now)
		}
	}
	if e.Workers <= 1 {
		work()
		return out
	}
	var wg sync.WaitGroup
	for range min(e.Workers, len(due)) {
		wg.Go(work)
	}
	wg.Wait()
	return out
}

// Process does an incident's due steps and schedules its next look.
func (e *Escalator) Process(ctx context.Context, inc incident.Incident, now time.Time) (Report, error) {
	rep := Report{Incidents: 1}
	due, next, err := e.plan(ctx, inc, now) // Plan, and the end of a silence (silence.go)
	if err != nil {
		return rep, err
	}
	if due, next, err = e.planComms(ctx, inc, now, due, next); err != nil { // audiences' update cadence (comms.go)
		return rep, err
	}
	once := store.Once{Claims: e.Store, Lease: e.Lease}
	for _, st := range due {
		// A step done by an earlier or concurrent tick is not done again.
		ran, err := once.Do(ctx, inc.ID, st.Key, func(ctx context.Context) (string, error) {
			return string(st.Kind), e.do(ctx, inc, st, now, &rep)
		})
		if err != nil {
			return rep, err
		}
		if ran && st.Kind == AutoResolve && inc.Status == incident.Mitigated {
			// The step changed the incident, which the change left due at once: the steps
			// after it are planned from its new state, next tick, as a tick on time would
			// have (resolved before the resolve objective's deadline, it missed nothing).
			return rep, nil
		}
	}
	var at time.Time
	if next != nil {
		at = next.At
	}
	// Stale if a step changed the incident (it is then due again at once): fine. Made
	// again where it fails: a repeat sets the same values under the same condition, so
	// the incident's done steps are not looked at again next tick for a lost answer.
	if _, err := dispatch.Again(ctx, func() (bool, error) { return e.Store.SetDue(ctx, inc.ID, at, inc.Version) }); err != nil {
		return rep, err
	}
	return rep, nil
}

func (e *Escalator) do(ctx context.Context, inc incident.Incident, st Step, now time.Time, rep *Report) error {
	policy := e.Config.PolicyFor(inc.Severity, inc.Tier)
	entry := incident.Entry{Incident: inc.ID, At: st.At, Actor: "firebreak", Key: st.Key, Data: map[string]string{"step": string(st.Kind)}}
	if st.Kind != AutoResolve {
		entry.Data[incident.DataSeverity] = string(inc.Severity) // the policy it acts on
	}
	switch st.Kind {
	case AudienceRemind, AudienceMissed:
		return e.commsStep(ctx, inc, st, now, rep)
	case SilenceEnded:
		return e.silenceEnded(ctx, inc, st)
	case Escalate:
		waited := st.At.Sub(inc.StateAt).Round(time.Second)
		msg := fmt.Sprintf("Not acknowledged after %s: escalation tier %d", config.Short(waited), st.Tier)
		if st.Repeat > 0 {
			msg += fmt.Sprintf(" (repeat %d)", st.Repeat)
		}
		n := notify.Notice{Kind: notify.Escalation, Incident: inc, Policy: policy, Message: msg}
		if t := e.Config.Teams[inc.Team]; t != nil {
			n.TeamName = t.Name
		}
		if e.Links != nil {
			n.Actions = e.Links.Actions(inc, notify.Escalation)
		}
		recips, err := e.pages(ctx, inc, st)
		if err != nil {
			return err
		}
		var told, targets []string
		for _, rc := range recips {
			if err := e.tell(ctx, inc, st, rc, n); err != nil {
				return err
			}
			told, targets = append(told, rc.Describe()), append(targets, rc.Target)
		}
		entry.Kind, entry.Detail = incident.KindEscalated, fmt.Sprintf("%s; told %s.", msg, strings.Join(told, ", "))
		if len(told) == 0 {
			entry.Detail = msg + "; nobody to tell (no secondary configured)."
		}
		entry.Data["tier"], entry.Data["teams"] = fmt.Sprint(st.Tier), strings.Join(targets, ",")
		rep.Escalations++
	case Remind:
		n := notify.Notice{Kind: notify.Reminder, Incident: inc, Policy: policy,
			Message: fmt.Sprintf("An update on %s is due (every %s while open): add a note or resolve it.", inc.ID, config.Short(policy.UpdateEvery.Duration))}
		if e.Links != nil {
			n.Actions = e.Links.Actions(inc, notify.Reminder)
		}
		recips, err := e.reminded(ctx, inc, st)
		if err != nil {
			return err
		}
		var told []string
		for _, rc := range recips {
			if err := e.tell(ctx, inc, st, rc, n); err != nil {
				return err
			}
			told = append(told, rc.Describe())
		}
		entry.Kind, entry.Detail = incident.KindUpdateDue, fmt.Sprintf("Update due: reminded %s.", strings.Join(told, ", "))
		rep.Reminders++
	case Breach:
		within := policy.AcknowledgeWithin.Duration
		if st.Objective == "resolve" {
			within = policy.ResolveWithin.Duration
		}
		whose := string(inc.Severity)
		if policy != e.Config.Severities[string(inc.Severity)] {
			whose += " of tier " + inc.Tier // the client's objectives (accounts.go)
		}
		entry.Kind, entry.Detail = incident.KindObjectiveBreached, fmt.Sprintf("Missed the %s objective for %s: %s within %s.", st.Objective, whose, st.Objective, config.Short(within))
		entry.Data["objective"] = st.Objective
		rep.Breaches++
		if err := e.Metrics.Emit(now, map[string]string{"Objective": st.Objective, "Severity": string(inc.Severity)}, map[string]int{"ObjectiveBreached": 1}); err != nil {
			e.log().WarnContext(ctx, "metrics not written", "error", err)
		}
	case AutoResolve:
		quiet := e.Config.Defaults.AutoResolveAfter.Duration
		resolved := incident.Entry{Incident: inc.ID, At: st.At, Kind: incident.KindResolved, Actor: "firebreak",
			Key: st.Key, Detail: fmt.Sprintf("Auto-resolved: quiet for %s since it recovered, and the recovery holds (no new trigger).", config.Short(quiet))}
		if inc.Status == incident.Resolved { // resolved by an earlier attempt of the step (Plan): its entry
			return store.Record(ctx, func() error { return e.Store.AddEntries(ctx, resolved) })
		}
		ok, err := e.Store.Change(ctx, store.Change{Incident: inc.ID, IfStatus: []incident.Status{incident.Mitigated}, NotBefore: inc.StateAt,
			Status: incident.Resolved, By: "firebreak", At: st.At, Entry: resolved})
		if err != nil {
			return err
		}
		if ok {
			rep.AutoResolved++
		}
		return nil // the change wrote the timeline entry
	}
	e.log().InfoContext(ctx, "clock step", "incident", inc.ID, "step", st.Key, "kind", string(st.Kind))
	return store.Record(ctx, func() error { return e.Store.AddEntries(ctx, entry) })
}

// tell pages one recipient of a step, once (its own key under the step's): when a later
// recipient's page or the step's entry fails, the retry does not page this one again.
func (e *Escalator) tell(ctx context.Context, inc incident.Incident, st Step, rc page.Recipient, n notify.Notice) error {
	_, err := store.Once{Claims: e.Store, Lease: e.Lease}.Do(ctx, inc.ID, st.Key+":"+rc.Target, func(ctx context.Context) (string, error) {
		return e.Sender.Send(ctx, rc.Target, page.Personal(n, rc, e.Links))
	})
	return err
}

// emit writes the tick's counts that are not zero: a quiet minute writes nothing, so
// an idle stack pays for no metric data (custom metrics are billed by the hour written).
func (e *Escalator) emit(now time.Time, rep Report) {
	counts := map[string]int{}
	for name, n := range map[string]int{"Escalations": rep.Escalations, "Reminders": rep.Reminders,
		"AutoResolved": rep.AutoResolved, "DueIncidents": rep.Incidents, "AudienceReminders": rep.AudienceReminders} {
		if n > 0 {
			counts[name] = n
		}
	}
	if err := e.Metrics.Emit(now, nil, counts); err != nil {
		e.log().Warn("metrics not written", "error", err)
	}
}

// failed tells a tick's failure from a step another tick holds: that one stays due and
// is looked at again next tick (done by then, or taken over when its holder failed), so
// it is not an error of this tick.
func failed(err error) bool { return err != nil && !errors.Is(err, store.ErrHeld) }
