// Package runbook runs remediation runbooks: an execution's name and input (the contract
// every runbook reads), starting it in Step Functions or in the local runner (which
// executes runbooks with internal/asl in dry-run), resuming a run that waits for a human
// with the approval or the rejection (RejectedError), the Go task the state machines
// invoke to write each phase to the incident's timeline and to ask for approval, and the
// IAM permissions a runbook's definition needs. Dispatch starts runbooks through it and
// the API resumes them through it.
package runbook

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/notify"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// TaskStore is what the task needs of the store.
type TaskStore interface {
	Get(ctx context.Context, id string) (incident.Incident, error)
	AddEntries(ctx context.Context, entries ...incident.Entry) error
	Change(ctx context.Context, c store.Change) (bool, error)
	Timeline(ctx context.Context, id string) ([]incident.Entry, error)
	PutApproval(ctx context.Context, a store.Approval) error
	store.Claims
}

var (
	_ TaskStore = (*store.Memory)(nil)
	_ TaskStore = (*store.Dynamo)(nil)
)

// Sender tells a team.
type Sender interface {
	Send(ctx context.Context, team string, n notify.Notice) (string, error)
}

// Links makes the one-click actions of a notice (approve, reject, …).
type Links interface {
	Actions(inc incident.Incident, kind notify.Kind) []notify.Action
	Approval(inc incident.Incident, key string) []notify.Action
}

// Payload is what a runbook's Lambda task sends (see runbooks/*.asl.json).
type Payload struct {
	Action    string          `json:"action"` // record | approve | notify
	Incident  string          `json:"incident"`
	Runbook   string          `json:"runbook"`
	Execution string          `json:"execution"`
	At        string          `json:"at,omitempty"` // $$.State.EnteredTime: makes records idempotent across retries
	Phase     string          `json:"phase,omitempty"`
	Status    string          `json:"status,omitempty"`
	Detail    string          `json:"detail,omitempty"`
	Data      json.RawMessage `json:"data,omitempty"`
	Token     string          `json:"token,omitempty"`
	Request   string          `json:"request,omitempty"`
	Message   string          `json:"message,omitempty"`
}

// Phases of the process per alert, in order.
var Phases = []string{"triage", "diagnose", "remediate", "verify", "document"}

// phaseKinds are the timeline entries of the phases.
var phaseKinds = map[string]incident.Kind{
	"triage": incident.KindRunbookTriage, "diagnose": incident.KindRunbookDiagnose, "remediate": incident.KindRunbookRemediate,
	"verify": incident.KindRunbookVerify, "document": incident.KindRunbookDocument,
}

// Statuses a phase can be recorded with.
var Statuses = []string{"started", "succeeded", "failed", "skipped"}

// ErrBadPayload marks payloads the task cannot act on; the state machine gets it as a
// named error it does not retry.
var ErrBadPayload = errors.New("Runbook.BadPayload")

// MaxData bounds the results attached to one timeline entry, well inside DynamoDB's item limit.
const MaxData = 64 * 1024

// Task is the runbook task.
type Task struct {
	Store  TaskStore
	Sender Sender
	Config *config.Config
	Links  Links // nil: notices carry CLI commands only
	Now    func() time.Time
	Lease  time.Duration // how long a send may take before a retry sends; zero: store.Lease
}

// Handle acts on one payload.
func (t *Task) Handle(ctx context.Context, p Payload) (map[string]any, error) {
	if p.Incident == "" || p.Runbook == "" || p.Execution == "" {
		return nil, fmt.Errorf("%w: incident, runbook and execution are required (got %q, %q, %q)", ErrBadPayload, p.Incident, p.Runbook, p.Execution)
	}
	at := t.now()
	if p.At != "" {
		v, err := time.Parse(time.RFC3339Nano, p.At)
		if err != nil {
			return nil, fmt.Errorf("%w: at: %q is not an RFC 3339 time", ErrBadPayload, p.At)
		}
		at = v.UTC()
	}
	actor := "runbook:" + p.Runbook
	base := map[string]string{"runbook": p.Runbook, "execution": p.Execution}
	switch p.Action {
	case "record":
		if !contains(Phases, p.Phase) || !contains(Statuses, p.Status) {
			return nil, fmt.Errorf("%w: phase %q / status %q: want one of %v / %v", ErrBadPayload, p.Phase, p.Status, Phases, Statuses)
		}
		data := with(base, map[string]string{"phase": p.Phase, "status": p.Status})
		if len(p.Data) > 0 && string(p.Data) != "null" {
			d := string(p.Data)
			if len(d) > MaxData {
				d, data["truncated"] = d[:MaxData], fmt.Sprintf("%d of %d bytes kept", MaxData, len(p.Data))
			}
			data["result"] = d
		}
		e := incident.Entry{Incident: p.Incident, At: at, Kind: phaseKinds[p.Phase], Actor: actor, Detail: fmt.Sprintf("%s %s: %s", p.Phase, p.Status, p.Detail),
			Key: fmt.Sprintf("rb:%s:%s:%s", p.Execution, p.Phase, p.Status), Data: data}
		if err := t.Store.AddEntries(ctx, e); err != nil {
			return nil, err
		}
		if p.Phase == "verify" && p.Status == "succeeded" {
			mitigated, err := t.mitigate(ctx, p, at, actor, base)
			if err != nil {
				return nil, err
			}
			return map[string]any{"recorded": true, "mitigated": mitigated}, nil
		}
		return map[string]any{"recorded": true}, nil
	case "approve":
		if p.Token == "" || p.Request == "" {
			return nil, fmt.Errorf("%w: approve needs token and request", ErrBadPayload)
		}
		inc, err := t.Store.Get(ctx, p.Incident)
		if err != nil {
			return nil, err
		}
		key := p.Execution + "/" + first(p.Phase, "approval")
		if err := t.Store.PutApproval(ctx, store.Approval{Incident: p.Incident, Key: key, Runbook: p.Runbook, Execution: p.Execution,
			Request: p.Request, Token: p.Token, RequestedAt: at}); err != nil {
			return nil, err
		}
		e := incident.Entry{Incident: p.Incident, At: at, Kind: incident.KindApprovalRequested, Actor: actor, Detail: "Approval requested: " + p.Request,
			Key: "rb:" + key + ":requested", Data: with(base, map[string]string{"approval": key})}
		if err := t.Store.AddEntries(ctx, e); err != nil {
			return nil, err
		}
		n := t.notice(inc, notify.Approval, p.Request)
		if t.Links != nil {
			n.Actions = t.Links.Approval(inc, key)
		}
		if err := t.sendOnce(ctx, inc, "rb:"+key+":ask", n); err != nil {
			return nil, err
		}
		return map[string]any{"requested": true, "approval": key}, nil
	case "notify":
		if p.Message == "" {
			return nil, fmt.Errorf("%w: notify needs a message", ErrBadPayload)
		}
		inc, err := t.Store.Get(ctx, p.Incident)
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256([]byte(p.Message))
		key := "rb:" + p.Execution + ":notify:" + hex.EncodeToString(sum[:6])
		if err := t.sendOnce(ctx, inc, key, t.notice(inc, notify.RunbookNotice, p.Message)); err != nil {
			return nil, err
		}
		e := incident.Entry{Incident: p.Incident, At: at, Kind: incident.KindRunbookNotified, Actor: actor,
			Detail: fmt.Sprintf("Told %s: %s", inc.Team, p.Message), Key: key, Data: with(base, map[string]string{"team": inc.Team})}
		if err := t.Store.AddEntries(ctx, e); err != nil {
			return nil, err
		}
		return map[string]any{"notified": true}, nil
	}
	return nil, fmt.Errorf("%w: unknown action %q (record, approve, notify)", ErrBadPayload, p.Action)
}

// mitigate marks the incident mitigated when this execution remediated and has now
// verified its remediation: "mitigated by runbook X, verified", which stops escalation.
// A runbook that verifies without having remediated (diagnostics only, nothing to do)
// mitigates nothing. An incident no longer open or acknowledged is left as it is.
func (t *Task) mitigate(ctx context.Context, p Payload, at time.Time, actor string, base map[string]string) (bool, error) {
	tl, err := t.Store.Timeline(ctx, p.Incident)
	if err != nil {
		return false, fmt.Errorf("runbook %s: read the timeline of %s: %w", p.Runbook, p.Incident, err)
	}
	remediated := fmt.Sprintf("rb:%s:remediate:succeeded", p.Execution)
	for _, e := range tl {
		if e.Key != remediated {
			continue
		}
		ok, err := t.Store.Change(ctx, store.Change{Incident: p.Incident, IfStatus: []incident.Status{incident.Open, incident.Acknowledged},
			NotBefore: at, Status: incident.Mitigated, By: actor, At: at,
			Entry: incident.Entry{At: at.Add(1), Kind: incident.KindMitigated, Actor: actor, Key: "rb:" + p.Execution + ":mitigated",
				Detail: fmt.Sprintf("Mitigated by runbook %s, verified: %s", p.Runbook, p.Detail), Data: base}})
		if err != nil {
			return false, fmt.Errorf("runbook %s: mitigate %s: %w", p.Runbook, p.Incident, err)
		}
		return ok, nil
	}
	return false, nil
}

// Failed tells the owner at once that a runbook execution failed and what failed, for
// failures the runbook did not report itself (no Catch handled them), and records it at
// the time the execution failed.
func (t *Task) Failed(ctx context.Context, at time.Time, incidentID, runbook, execution, what string) error {
	inc, err := t.Store.Get(ctx, incidentID)
	if err != nil {
		return fmt.Errorf("runbook %s failed: tell the owner of %s: %w", runbook, incidentID, err)
	}
	msg := fmt.Sprintf("Runbook %s failed (execution %s): %s. Check what it did on the timeline and finish the remediation by hand.", runbook, execution, what)
	key := "rb:" + execution + ":failed"
	if err := t.sendOnce(ctx, inc, key, t.notice(inc, notify.RunbookNotice, msg)); err != nil {
		return err
	}
	return t.Store.AddEntries(ctx, incident.Entry{Incident: inc.ID, At: at.UTC(), Kind: incident.KindRunbookFailed, Actor: "runbook:" + runbook,
		Detail: fmt.Sprintf("Told %s: %s", inc.Team, msg), Key: key,
		Data: map[string]string{"runbook": runbook, "execution": execution, "team": inc.Team, "error": what}})
}

func (t *Task) notice(inc incident.Incident, kind notify.Kind, msg string) notify.Notice {
	n := notify.Notice{Kind: kind, Incident: inc, Message: msg}
	if t.Config != nil {
		n.Policy = t.Config.Severities[string(inc.Severity)]
		if tm := t.Config.Teams[inc.Team]; tm != nil {
			n.TeamName = tm.Name
		}
	}
	return n
}

// sendOnce tells the owning team once, even when Step Functions retries the task.
func (t *Task) sendOnce(ctx context.Context, inc incident.Incident, key string, n notify.Notice) error {
	once := store.Once{Claims: t.Store, Lease: t.Lease}
	_, err := once.Do(ctx, inc.ID, key, func(ctx context.Context) (string, error) { return t.Sender.Send(ctx, inc.Team, n) })
	return err
}

func (t *Task) now() time.Time {
	if t.Now == nil {
		return time.Now().UTC()
	}
	return t.Now().UTC()
}

func with(a, b map[string]string) map[string]string {
	out := make(map[string]string, len(a)+len(b))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func first(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
