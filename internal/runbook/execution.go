package runbook

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/firebreak-ops/firebreak/internal/incident"
)

// Execution is a started runbook.
type Execution struct {
	Name   string // deterministic from the incident and the change (ExecutionName)
	ARN    string // the Step Functions execution, when there is one
	URL    string // where to watch it
	Status string // started, already started, succeeded, failed, waiting for approval, dry-run …
	Detail string
}

// ExecutionName is the runbook execution of an incident change: deterministic, so a
// second start of the same change is a no-op. The opening's is <id>-v1; a re-trigger's
// is named by when it triggered again (retriggered, event time: <id>-r<unix seconds>),
// not by how many writes the incident had seen by then, which depends on the order
// its events arrived in.
func ExecutionName(id string, retriggered time.Time) string {
	if retriggered.IsZero() {
		return id + "-v1"
	}
	return id + "-r" + strconv.FormatInt(retriggered.Unix(), 10)
}

// Input is a runbook execution's input: the contract every runbooks/*.asl.json reads.
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

// EncodeInput builds the input of the incident's runbook, started at at.
func EncodeInput(inc incident.Incident, at time.Time) (json.RawMessage, error) {
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

// ErrCannotStart marks a start no retry can fix as things are configured: a runbook with
// no state machine, or not loaded, or an input that names no incident.
var ErrCannotStart = errors.New("runbook cannot be started")

type cannotStart struct{ err error }

func (c cannotStart) Error() string   { return c.err.Error() }
func (c cannotStart) Unwrap() []error { return []error{c.err, ErrCannotStart} }
