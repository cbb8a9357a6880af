// Package dispatch acts on incident changes, fed by the table's stream: it starts the
// incident's runbook and tells the right people, exactly once per change although streams
// deliver at least once. Each action of a change is claimed in the store before it runs
// and marked done after; a redelivered change finds its actions done and does nothing.
package dispatch

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/metrics"
	"github.com/firebreak-ops/firebreak/internal/notify"
	"github.com/firebreak-ops/firebreak/internal/page"
	"github.com/firebreak-ops/firebreak/internal/runbook"
	"github.com/firebreak-ops/firebreak/internal/silence"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// Store is what dispatch needs of the store.
type Store interface {
	Get(ctx context.Context, id string) (incident.Incident, error)
	AddEntries(ctx context.Context, entries ...incident.Entry) error
	store.Claims
}

// Sender tells a team.
type Sender interface {
	Send(ctx context.Context, team string, n notify.Notice) (string, error)
}

// Starter starts runbook executions (runbook.StepFunctions, runbook.Runner,
// runbook.Switch). Starting an execution name twice is a no-op that reports the first
// execution.
type Starter interface {
	Start(ctx context.Context, runbook, name string, input json.RawMessage) (runbook.Execution, error)
}

// Links makes the one-click actions of a notice (acknowledge, resolve, …).
type Links interface {
	Actions(inc incident.Incident, kind notify.Kind) []notify.Action
}

var (
	_ Store  = (*store.Memory)(nil)
	_ Store  = (*store.Dynamo)(nil)
	_ Sender = (*notify.Notifier)(nil)
)

// Change is what an incident change means.
type Change string

// Changes that matter.
const (
	Opened         Change = "opened"
	Retriggered    Change = "retriggered"
	SeverityRaised Change = "severity-raised"
	Mitigated      Change = "mitigated"
	Resolved       Change = "resolved"
	Acknowledged   Change = "acknowledged"
	OwnerChanged   Change = "owner-changed"
	Closed         Change = "closed"
	None           Change = ""
)

// Classify says what a stream record means.
func Classify(r store.StreamRecord) Change {
	o, n := r.Old, r.New
	switch {
	case o == nil:
		return Opened
	case o.Status != n.Status:
		switch n.Status {
		case incident.Open:
			if o.Status == incident.Mitigated || o.Status == incident.Resolved {
				return Retriggered
			}
		case incident.Acknowledged:
			return Acknowledged
		case incident.Mitigated:
			return Mitigated
		case incident.Resolved:
			return Resolved
		case incident.Closed:
			return Closed
		}
	case n.Severity.Rank() < o.Severity.Rank():
		return SeverityRaised
	case n.Team != o.Team:
		return OwnerChanged
	}
	return None
}

// Dispatcher acts on changes.
type Dispatcher struct {
	Store    Store
	Quiet    QuietStore // silences, inhibition, grouping; usually the same store
	Sender   Sender
	Runbooks Starter // nil: runbooks are not started (recorded as such)
	Config   *config.Config
	Links    Links // nil: notices carry the CLI commands only
	Now      func() time.Time
	Log      *slog.Logger
	// Metrics counts permanent failures (DispatchFailures by Action); nil: not counted.
	Metrics *metrics.Writer
	// Lease is how long a claimed action may take before another attempt may retry it;
	// it must exceed the Lambda timeout. Zero: store.Lease.
	Lease time.Duration
	// Reviews opens post-incident reviews of resolved incidents (review.go); nil: none.
	Reviews ReviewOpener
	// decided remembers openings decided to page, for their retries (decided.go).
	decided decided
	// OnCall pages whoever is on call for the teams' and tiers' schedules (oncall.go);
	// nil: the configuration's rotations and overrides alone.
	OnCall *page.Resolver
	// Problems links incidents to recurring problems (problems.go); nil: off.
	Problems Recurrences
}

// once does each action of a change once (store.Once).
func (d *Dispatcher) once() store.Once { return store.Once{Claims: d.Store, Lease: d.Lease} }

// failed records an action that failed for good on the incident's timeline and counts
// it; the action's result is "failed", so no redelivery tries it again.
func (d *Dispatcher) failed(ctx context.Context, inc incident.Incident, action string, entry incident.Entry, err error) (string, error) {
	d.log().ErrorContext(ctx, "dispatch action failed for good; not retried", "incident", inc.ID, "action", action, "key", entry.Key, "error", err)
	if merr := d.Metrics.Emit(d.now(), map[string]string{"Action": action}, map[string]int{"DispatchFailures": 1}); merr != nil {
		d.log().WarnContext(ctx, "metrics not written", "error", merr)
	}
	return "failed", d.Store.AddEntries(ctx, entry)
}

// Handle acts on one stream record. An error means the record must be retried; actions
// already done are not repeated.
func (d *Dispatcher) Handle(ctx context.Context, r store.StreamRecord) error {
	change := Classify(r)
	if err := d.moveHold(ctx, r); err != nil { // an opening moved earlier moves its hold (wait.go)
		return fmt.Errorf("dispatch %s: %w", r.New.ID, err)
	}
	if err := d.announceUpdates(ctx, r); err != nil { // updates posted to audiences (audience.go)
		return fmt.Errorf("dispatch updates of %s: %w", r.New.ID, err)
	}
	if change == None || change == Closed || change == Acknowledged {
		return nil
	}
	if change == Resolved && d.Reviews != nil {
		if err := d.openReview(ctx, r); err != nil {
			return err
		}
	}
	inc, err := d.Store.Get(ctx, r.New.ID)
	if err != nil {
		return fmt.Errorf("dispatch %s of %s: %w", change, r.New.ID, err)
	}
	cur := inc
	// Act on the change the record carries, not on whatever the incident became since.
	inc.Status, inc.Severity, inc.Team, inc.Version = r.New.Status, r.New.Severity, r.New.Team, r.New.Version
	at := r.New.StateAt
	switch change {
	case SeverityRaised:
		at = r.New.SeverityAt // when it was raised: the told entry follows the raise
	case OwnerChanged:
		at = r.New.LastUpdateAt // a hand-over is a person's update, stamped when made
	}
	if at.IsZero() {
		at = r.New.UpdatedAt
	}

	note, err := d.recur(ctx, change, r.Old, inc, at)
	if err != nil {
		return err
	}
	if change == Resolved {
		if err := d.measure(ctx, r.New); err != nil {
			return err
		}
	}
	// New incidents may be silenced, inhibited or grouped: recorded, not paged.
	var quiet *Quiet
	held := false // the page waits for grouping.wait; the escalator decides it (wait.go)
	var told step // the change as the incident's history has it (byHistory; wait.go)
	byHistory := false
	if h, ok := d.holds(); ok && change == Opened {
		if quiet, held, err = d.holdOpening(ctx, h, inc, at, note); err != nil {
			return fmt.Errorf("dispatch %s of %s: %w", change, inc.ID, err)
		}
	} else if change == Opened && d.Quiet != nil {
		if quiet, err = d.decideQuiet(ctx, inc, at); err != nil {
			return fmt.Errorf("dispatch %s of %s: %w", change, inc.ID, err)
		}
	} else if inc.Parent != "" {
		quiet = &Quiet{Reason: incident.Kind(inc.ParentReason), By: inc.Parent}
	} else if inc.SilencedBy != "" {
		// Quiet while its silence lasts; once it is over (the escalator paged then), the
		// incident's changes page and start its runbook as any other's.
		over, err := d.silenceOver(ctx, inc, at)
		if err != nil {
			return fmt.Errorf("dispatch %s of %s: %w", change, inc.ID, err)
		}
		if !over {
			quiet = &Quiet{Reason: incident.KindSilenced, By: inc.SilencedBy}
		}
	} else if held, told, byHistory, err = d.toldByHold(ctx, change, cur, at); err != nil {
		return fmt.Errorf("dispatch %s of %s: %w", change, inc.ID, err)
	}
	var automation []notify.Automation
	if (change == Opened || change == Retriggered) && inc.Runbook != "" && (quiet == nil || quiet.Reason != incident.KindSilenced) {
		a, err := d.startRunbook(ctx, inc, change, at)
		if err != nil {
			return err
		}
		automation = append(automation, a)
	}
	if held {
		return nil // told by the held opening's decision (wait.go)
	}
	var previous incident.Severity
	if r.Old != nil {
		previous = r.Old.Severity
	}
	if byHistory { // the state the change left by event time (wait.go)
		inc.Status, inc.Severity, inc.Team, previous = told.After.Status, told.After.Severity, told.After.Team, told.Before.Severity
	}
	return d.tellChange(ctx, inc, change, previous, at, quiet, automation, note)
}

// tellChange tells the responders and audiences of a change of inc (as the change left
// it) at event time at: Handle for every change, and a held opening's decision for the
// changes its page did not take in (wait.go), alike.
func (d *Dispatcher) tellChange(ctx context.Context, inc incident.Incident, change Change, previous incident.Severity, at time.Time,
	quiet *Quiet, automation []notify.Automation, note string) error {
	if quiet != nil || change == Mitigated || change == Resolved {
		// Quiet incidents page nobody; a recovery or resolution notice goes out only if
		// someone was paged for the incident (even if it was silenced since).
		paged := true // without a store to ask, assume someone was
		if d.Quiet != nil {
			var err error
			if paged, err = d.pagedBy(ctx, inc.ID, at); err != nil {
				return err
			}
		}
		if !paged || (quiet != nil && change != Mitigated && change != Resolved) {
			return d.announce(ctx, inc, change, quiet != nil, at) // audiences told of it hear the end (audience.go)
		}
	}
	if err := d.notify(ctx, inc, change, previous, at, automation, note, nil); err != nil {
		return err
	}
	return d.announce(ctx, inc, change, quiet != nil, at) // the communication plan, after the responders (audience.go)
}

// silenceOver reports whether the silence that kept inc quiet is over at t.
func (d *Dispatcher) silenceOver(ctx context.Context, inc incident.Incident, t time.Time) (bool, error) {
	list := append([]silence.Silence(nil), d.Config.Silences...)
	if d.Quiet != nil {
		stored, err := d.Quiet.Silences(ctx)
		if err != nil {
			return false, err
		}
		list = append(list, stored...)
	}
	end, ok := silence.EndFor(list, inc.SilencedBy, inc.OpenedAt)
	return ok && !t.Before(end), nil
}

func (d *Dispatcher) now() time.Time {
	if d.Now == nil {
		return time.Now().UTC()
	}
	return d.Now()
}

func (d *Dispatcher) log() *slog.Logger {
	if d.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return d.Log
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func (d *Dispatcher) startRunbook(ctx context.Context, inc incident.Incident, change Change, at time.Time) (notify.Automation, error) {
	var retriggered time.Time
	if change == Retriggered {
		retriggered = at
	}
	name := runbook.ExecutionName(inc.ID, retriggered)
	a := notify.Automation{Runbook: inc.Runbook}
	key := "runbook:" + strings.TrimPrefix(name, inc.ID+"-") // the opening's: runbook:v1, as before
	entry := incident.Entry{Incident: inc.ID, At: at.Add(1), Kind: incident.KindRunbookStarted, Actor: "firebreak", Key: key}
	if d.Runbooks == nil {
		a.Status = "not started (runbooks are off)"
		entry.Kind, entry.Detail = incident.KindRunbookSkipped, fmt.Sprintf("Runbook %s not started: runbooks are off here.", inc.Runbook)
		return a, d.Store.AddEntries(ctx, entry)
	}
	ran, err := d.once().Do(ctx, inc.ID, key, func(ctx context.Context) (string, error) {
		input, err := runbook.EncodeInput(inc, at)
		if err != nil {
			return "", err
		}
		ex, err := d.Runbooks.Start(ctx, inc.Runbook, name, input)
		if err != nil && !IsPermanent(err) {
			return "", fmt.Errorf("start runbook %s for %s: %w", inc.Runbook, inc.ID, err)
		}
		if err != nil {
			a.Status, a.Detail = "could not be started", err.Error()
			entry.Kind = incident.KindRunbookNotStarted
			entry.Detail = fmt.Sprintf("Runbook %s could not be started: %v. Not retried: it would fail the same way until the configuration is fixed.", inc.Runbook, err)
			entry.Data = map[string]string{"runbook": inc.Runbook, "execution": name, "error": err.Error()}
			return d.failed(ctx, inc, "runbook", entry, err)
		}
		a.Status, a.Detail, a.URL = ex.Status, ex.Detail, ex.URL
		entry.Detail, entry.Data = startedEntry(inc.Runbook, ex)
		if err := store.Record(ctx, func() error { return d.Store.AddEntries(ctx, entry) }); err != nil {
			return "", err
		}
		d.log().InfoContext(ctx, "runbook started", "incident", inc.ID, "runbook", inc.Runbook, "execution", ex.Name, "status", ex.Status)
		return first(ex.ARN, ex.Name), nil
	})
	if err == nil && !ran { // started by an earlier delivery of this change
		a.Status = "started"
	}
	return a, err
}

// startedEntry is what the timeline says of a started execution.
func startedEntry(name string, ex runbook.Execution) (string, map[string]string) {
	detail := fmt.Sprintf("Runbook %s %s (execution %s).", name, ex.Status, ex.Name)
	if ex.Detail != "" {
		detail += " " + ex.Detail
	}
	data := map[string]string{"runbook": name, "execution": ex.Name, "status": ex.Status}
	if ex.Detail != "" { // what the notices say of it (automationOf, wait.go)
		data["detail"] = ex.Detail
	}
	if ex.ARN != "" {
		data["execution_arn"] = ex.ARN
	}
	if ex.URL != "" {
		data["url"] = ex.URL
	}
	return detail, data
}

var toNotice = map[Change]notify.Kind{
	Opened: notify.Opened, Retriggered: notify.Retriggered, SeverityRaised: notify.SeverityRaised,
	Mitigated: notify.Mitigated, Resolved: notify.Resolved, OwnerChanged: notify.Reassigned,
}

// Recipients are the teams told about an incident of the given severity: the owner, then
// the policy's also_notify teams.
func Recipients(cfg *config.Config, inc incident.Incident) []string {
	out := []string{inc.Team}
	if p := cfg.Severities[string(inc.Severity)]; p != nil {
		for _, t := range p.AlsoNotify {
			if t != inc.Team {
				out = append(out, t)
			}
		}
	}
	return out
}

// notify pages the recipients of a change once each, keyed by the change (noticeKey);
// data is added to each recipient's entry.
func (d *Dispatcher) notify(ctx context.Context, inc incident.Incident, change Change, previous incident.Severity, at time.Time,
	automation []notify.Automation, note string, data map[string]string) error {
	ver := d.noticeKey(inc, change, at)
	policy := d.Config.PolicyFor(inc.Severity, inc.Tier) // with its business tier's objectives
	if inc.Severity == incident.Info || policy == nil || len(policy.Channels) == 0 {
		// Never page for info; say so once.
		return d.Store.AddEntries(ctx, incident.Entry{Incident: inc.ID, At: at.Add(2), Kind: incident.KindNotPaged, Actor: "firebreak",
			Key: "notify:" + ver + ":none", Detail: fmt.Sprintf("Not paged: %s %s has no notification channels.", inc.Severity, change), Data: data})
	}
	n := notify.Notice{Kind: toNotice[change], Incident: inc, Policy: policy, Automation: automation, Message: note}
	if t := d.Config.Teams[inc.Team]; t != nil {
		n.TeamName = t.Name
	}
	if change == SeverityRaised {
		n.Previous = previous
	}
	if (change == Opened || change == Retriggered || change == SeverityRaised || change == OwnerChanged) && policy.UpdateEvery.Duration > 0 {
		n.NextUpdate = at.Add(policy.UpdateEvery.Duration)
	}
	if d.Links != nil {
		n.Actions = d.Links.Actions(inc, n.Kind)
		n.StatusURL = d.statusURL(inc) // the read-only status page (audience.go)
	}
	recips, err := d.pages(ctx, inc, ver, at)
	if err != nil {
		return err
	}
	for i, rc := range recips {
		// Entries of one change are stamped with its time plus their order (in nanoseconds),
		// so the timeline reads in the order things happened and stays deterministic.
		entry := incident.Entry{Incident: inc.ID, At: at.Add(time.Duration(2 + i)), Actor: "firebreak", Key: "notify:" + ver + ":" + rc.Target}
		// Someone told by an earlier delivery of this change is not told again.
		if _, err := d.once().Do(ctx, inc.ID, entry.Key, func(ctx context.Context) (string, error) {
			return d.tell(ctx, inc, rc, change, page.Personal(n, rc, d.Links), entry, data)
		}); err != nil {
			return err
		}
	}
	return nil
}

// tell sends the notice to one recipient (a team, or a person on call) and records it
// (or its permanent failure) as entry; the result is the message id.
func (d *Dispatcher) tell(ctx context.Context, inc incident.Incident, rc page.Recipient, change Change, n notify.Notice, entry incident.Entry, data map[string]string) (string, error) {
	team := rc.Target
	id, err := d.Sender.Send(ctx, team, n)
	if err != nil && !IsPermanent(err) {
		return "", err
	}
	if err != nil {
		entry.Kind = incident.KindNotNotified
		entry.Detail = fmt.Sprintf("Could not tell %s of %s: %v. Not retried: it would fail the same way until the configuration is fixed.", team, change, err)
		entry.Data = with(map[string]string{"team": team, "change": string(change), "error": err.Error()}, data)
		return d.failed(ctx, inc, "notify", entry, err)
	}
	channels := n.Policy.Channels
	entry.Kind = incident.KindNotified
	entry.Detail = fmt.Sprintf("Told %s of %s (%s) by %s.", rc.Describe(), change, inc.Severity, strings.Join(channels, " and "))
	entry.Data = with(rc.Data(map[string]string{"team": team, "change": string(change), "message_id": id, "channels": strings.Join(channels, ","), "sent_at": stamp(d.now())}), data)
	if err := store.Record(ctx, func() error { return d.Store.AddEntries(ctx, entry) }); err != nil {
		return "", err
	}
	d.log().InfoContext(ctx, "notified", "incident", inc.ID, "team", team, "change", string(change), "severity", string(inc.Severity), "message_id", id)
	return id, nil
}

// with is m with data's entries added.
func with(m, data map[string]string) map[string]string {
	for k, v := range data {
		m[k] = v
	}
	return m
}

// noticeKey names a change in its notices' keys: its version ("v3"), or, when
// grouping.wait holds openings, what it is and when it happened (changeKey), so that a
// held opening's decision and dispatch name it alike (wait.go). An opening is always v1.
func (d *Dispatcher) noticeKey(inc incident.Incident, change Change, at time.Time) string {
	if _, ok := d.holds(); ok && change != Opened {
		return changeKey(change, at)
	}
	return "v" + strconv.Itoa(inc.Version)
}

func first(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
