// Package dispatch acts on incident changes, fed by the table's stream: it starts the
// incident's runbook and tells the right people, exactly once per change although streams
// deliver at least once. Each action of a change is claimed in the store before it runs
// and marked done after; a redelivered change finds its actions done and does nothing.
package dispatch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/metrics"
	"github.com/firebreak-ops/firebreak/internal/notify"
	"github.com/firebreak-ops/firebreak/internal/silence"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// Store is what dispatch needs of the store.
type Store interface {
	Get(ctx context.Context, id string) (incident.Incident, error)
	Claim(ctx context.Context, id, key string, lease time.Duration) (bool, error)
	Done(ctx context.Context, id, key, result string) error
	Release(ctx context.Context, id, key string) error
	AddEntries(ctx context.Context, entries ...incident.Entry) error
}

// Sender tells a team.
type Sender interface {
	Send(ctx context.Context, team string, n notify.Notice) (string, error)
}

// Execution is a started runbook.
type Execution struct {
	Name   string // deterministic from the incident and the change
	ARN    string // the Step Functions execution, when there is one
	URL    string // where to watch it
	Status string // started, already started, succeeded, failed, waiting for approval, dry-run …
	Detail string
}

// Starter starts runbook executions. Starting an execution name twice is a no-op that
// reports the first execution.
type Starter interface {
	Start(ctx context.Context, runbook, name string, input json.RawMessage) (Execution, error)
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
	// it must exceed the Lambda timeout.
	Lease time.Duration
	// Reviews opens post-incident reviews of resolved incidents (review.go); nil: none.
	Reviews ReviewOpener
}

// failed records an action that failed for good on the incident's timeline, marks the
// action done so no redelivery tries it again, and counts it.
func (d *Dispatcher) failed(ctx context.Context, inc incident.Incident, key, action string, entry incident.Entry, err error) error {
	d.log().ErrorContext(ctx, "dispatch action failed for good; not retried", "incident", inc.ID, "action", action, "key", key, "error", err)
	if merr := d.Metrics.Emit(d.now(), map[string]string{"Action": action}, map[string]int{"DispatchFailures": 1}); merr != nil {
		d.log().WarnContext(ctx, "metrics not written", "error", merr)
	}
	if err := d.Store.AddEntries(ctx, entry); err != nil {
		return err
	}
	return d.Store.Done(ctx, inc.ID, key, "failed")
}

// Handle acts on one stream record. An error means the record must be retried; actions
// already done are not repeated.
func (d *Dispatcher) Handle(ctx context.Context, r store.StreamRecord) error {
	change := Classify(r)
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
	// Act on the change the record carries, not on whatever the incident became since.
	inc.Status, inc.Severity, inc.Version = r.New.Status, r.New.Severity, r.New.Version
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

	// New incidents may be silenced, inhibited or grouped: recorded, not paged.
	var quiet *Quiet
	if change == Opened && d.Quiet != nil {
		if quiet, err = d.quiet(ctx, inc, at); err != nil {
			return fmt.Errorf("dispatch %s of %s: %w", change, inc.ID, err)
		}
	} else if inc.Parent != "" {
		quiet = &Quiet{Reason: inc.ParentReason, By: inc.Parent}
	} else if inc.SilencedBy != "" {
		// Quiet while its silence lasts; once it is over (the escalator paged then), the
		// incident's changes page and start its runbook as any other's.
		over, err := d.silenceOver(ctx, inc, at)
		if err != nil {
			return fmt.Errorf("dispatch %s of %s: %w", change, inc.ID, err)
		}
		if !over {
			quiet = &Quiet{Reason: "silenced", By: inc.SilencedBy}
		}
	}
	var automation []notify.Automation
	if (change == Opened || change == Retriggered) && inc.Runbook != "" && (quiet == nil || quiet.Reason != "silenced") {
		a, err := d.startRunbook(ctx, inc, at)
		if err != nil {
			return err
		}
		automation = append(automation, a)
	}
	if quiet != nil || change == Mitigated || change == Resolved {
		// Quiet incidents page nobody; a recovery or resolution notice goes out only if
		// someone was paged for the incident (even if it was silenced since).
		paged := true // without a store to ask, assume someone was
		if d.Quiet != nil {
			if paged, err = d.paged(ctx, inc.ID); err != nil {
				return err
			}
		}
		if !paged || (quiet != nil && change != Mitigated && change != Resolved) {
			return nil
		}
	}
	return d.notify(ctx, inc, change, r, at, automation)
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

// ExecutionName is the runbook execution of an incident change: deterministic, so a
// second start of the same change is a no-op.
func ExecutionName(inc incident.Incident) string {
	return inc.ID + "-v" + strconv.Itoa(inc.Version)
}

// Input is a runbook execution's input.
type Input struct {
	Incident struct {
		ID       string `json:"id"`
		Class    string `json:"class"`
		Severity string `json:"severity"`
		Team     string `json:"team"`
		Title    string `json:"title"`
		Account  string `json:"account"`
		Region   string `json:"region"`
		Resource string `json:"resource"`
	} `json:"incident"`
	Event struct {
		ID    string            `json:"id"`
		Time  string            `json:"time"`
		Actor string            `json:"actor"`
		Attrs map[string]string `json:"attrs"`
	} `json:"event"`
	Window struct {
		Start string `json:"start"`
		End   string `json:"end"`
	} `json:"window"`
	Runbook string `json:"runbook"`
}

// DiagnosticsWindow is how far back around an incident runbooks look.
const DiagnosticsWindow = time.Hour

// RunbookInput builds the input of the incident's runbook.
func RunbookInput(inc incident.Incident, at time.Time) (json.RawMessage, error) {
	var in Input
	in.Incident.ID, in.Incident.Class, in.Incident.Severity, in.Incident.Team = inc.ID, inc.Class, string(inc.Severity), inc.Team
	in.Incident.Title, in.Incident.Account, in.Incident.Region, in.Incident.Resource = inc.Title, inc.Account, inc.Region, inc.Resource
	in.Event.ID, in.Event.Time, in.Event.Actor, in.Event.Attrs = inc.OpenedBy, stamp(inc.OpenedAt), inc.Actor, inc.Attrs
	if in.Event.Attrs == nil {
		in.Event.Attrs = map[string]string{}
	}
	in.Window.Start, in.Window.End = stamp(at.Add(-DiagnosticsWindow)), stamp(at.Add(5*time.Minute))
	in.Runbook = inc.Runbook
	b, err := json.Marshal(in)
	if err != nil {
		return nil, fmt.Errorf("runbook input of %s: %w", inc.ID, err)
	}
	return b, nil
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func (d *Dispatcher) startRunbook(ctx context.Context, inc incident.Incident, at time.Time) (notify.Automation, error) {
	name := ExecutionName(inc)
	a := notify.Automation{Runbook: inc.Runbook}
	key := "runbook:v" + strconv.Itoa(inc.Version)
	entry := incident.Entry{Incident: inc.ID, At: at.Add(1), Kind: "runbook-started", Actor: "firebreak", Key: key}
	if d.Runbooks == nil {
		a.Status = "not started (runbooks are off)"
		entry.Kind, entry.Detail = "runbook-skipped", fmt.Sprintf("Runbook %s not started: runbooks are off here.", inc.Runbook)
		return a, d.Store.AddEntries(ctx, entry)
	}
	ok, err := d.Store.Claim(ctx, inc.ID, key, d.Lease)
	if err != nil {
		return a, err
	}
	if !ok { // started by an earlier delivery of this change
		a.Status = "started"
		return a, nil
	}
	input, err := RunbookInput(inc, at)
	if err != nil {
		return a, errors.Join(err, d.Store.Release(ctx, inc.ID, key))
	}
	ex, err := d.Runbooks.Start(ctx, inc.Runbook, name, input)
	if err != nil && !IsPermanent(err) {
		return a, errors.Join(fmt.Errorf("start runbook %s for %s: %w", inc.Runbook, inc.ID, err), d.Store.Release(ctx, inc.ID, key))
	}
	if err != nil {
		a.Status, a.Detail = "could not be started", err.Error()
		entry.Kind = "runbook-not-started"
		entry.Detail = fmt.Sprintf("Runbook %s could not be started: %v. Not retried: it would fail the same way until the configuration is fixed.", inc.Runbook, err)
		entry.Data = map[string]string{"runbook": inc.Runbook, "execution": name, "error": err.Error()}
		return a, d.failed(ctx, inc, key, "runbook", entry, err)
	}
	a.Status, a.Detail, a.URL = ex.Status, ex.Detail, ex.URL
	entry.Detail = fmt.Sprintf("Runbook %s %s (execution %s).", inc.Runbook, ex.Status, ex.Name)
	if ex.Detail != "" {
		entry.Detail += " " + ex.Detail
	}
	entry.Data = map[string]string{"runbook": inc.Runbook, "execution": ex.Name, "status": ex.Status}
	if ex.ARN != "" {
		entry.Data["execution_arn"] = ex.ARN
	}
	if ex.URL != "" {
		entry.Data["url"] = ex.URL
	}
	if err := d.Store.AddEntries(ctx, entry); err != nil {
		return a, err
	}
	d.log().InfoContext(ctx, "runbook started", "incident", inc.ID, "runbook", inc.Runbook, "execution", ex.Name, "status", ex.Status)
	return a, d.Store.Done(ctx, inc.ID, key, first(ex.ARN, ex.Name))
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

func (d *Dispatcher) notify(ctx context.Context, inc incident.Incident, change Change, r store.StreamRecord, at time.Time, automation []notify.Automation) error {
	ver := "v" + strconv.Itoa(inc.Version)
	policy := d.Config.Severities[string(inc.Severity)]
	if inc.Severity == incident.Info || policy == nil || len(policy.Channels) == 0 {
		// Never page for info; say so once.
		return d.Store.AddEntries(ctx, incident.Entry{Incident: inc.ID, At: at.Add(2), Kind: "not-paged", Actor: "firebreak",
			Key: "notify:" + ver + ":none", Detail: fmt.Sprintf("Not paged: %s %s has no notification channels.", inc.Severity, change)})
	}
	n := notify.Notice{Kind: toNotice[change], Incident: inc, Policy: policy, Automation: automation}
	if t := d.Config.Teams[inc.Team]; t != nil {
		n.TeamName = t.Name
	}
	if change == SeverityRaised && r.Old != nil {
		n.Previous = r.Old.Severity
	}
	if (change == Opened || change == Retriggered || change == SeverityRaised || change == OwnerChanged) && policy.UpdateEvery.Duration > 0 {
		n.NextUpdate = at.Add(policy.UpdateEvery.Duration)
	}
	if d.Links != nil {
		n.Actions = d.Links.Actions(inc, n.Kind)
	}
	for i, team := range Recipients(d.Config, inc) {
		key := "notify:" + ver + ":" + team
		ok, err := d.Store.Claim(ctx, inc.ID, key, d.Lease)
		if err != nil {
			return err
		}
		if !ok {
			continue // told by an earlier delivery of this change
		}
		id, err := d.Sender.Send(ctx, team, n)
		if err != nil && !IsPermanent(err) {
			return errors.Join(err, d.Store.Release(ctx, inc.ID, key))
		}
		if err != nil {
			entry := incident.Entry{Incident: inc.ID, At: at.Add(time.Duration(2 + i)), Kind: "not-notified", Actor: "firebreak", Key: key,
				Detail: fmt.Sprintf("Could not tell %s of %s: %v. Not retried: it would fail the same way until the configuration is fixed.", team, change, err),
				Data:   map[string]string{"team": team, "change": string(change), "error": err.Error()}}
			if err := d.failed(ctx, inc, key, "notify", entry, err); err != nil {
				return err
			}
			continue
		}
		detail := fmt.Sprintf("Told %s of %s (%s) by %s.", team, change, inc.Severity, strings.Join(policy.Channels, " and "))
		// Entries of one change are stamped with its time plus their order (in nanoseconds),
		// so the timeline reads in the order things happened and stays deterministic.
		if err := d.Store.AddEntries(ctx, incident.Entry{Incident: inc.ID, At: at.Add(time.Duration(2 + i)), Kind: "notified", Actor: "firebreak", Key: key,
			Detail: detail, Data: map[string]string{"team": team, "change": string(change), "message_id": id, "channels": strings.Join(policy.Channels, ","),
				"sent_at": stamp(d.now())}}); err != nil {
			return err
		}
		if err := d.Store.Done(ctx, inc.ID, key, id); err != nil {
			return err
		}
		d.log().InfoContext(ctx, "notified", "incident", inc.ID, "team", team, "change", string(change), "severity", string(inc.Severity), "message_id", id)
	}
	return nil
}

func first(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
