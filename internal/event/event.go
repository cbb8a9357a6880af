// Package event parses raw EventBridge events and normalises them into one model.
//
// An Event is an observation of a change of state (OPS10 vocabulary): it may or may not
// become part of an incident. Every source has its own detail parser that extracts the
// resource the event is about, who caused it, a one-line summary, whether it signals a
// problem, a recovery or neither, and the source's own severity label where it has one.
//
// What is required: only the envelope essentials (Essentials): a non-empty id, source,
// detail-type and account (id and account may be whole numbers) and an RFC 3339 time
// (ParseTime: fractional seconds optional; offsets Z, ±hh:mm, ±hhmm, ±hh). An input
// without them, that is not a JSON object, or that exceeds MaxSize is not an EventBridge
// event: Parse returns a *ParseError naming the field, and intake quarantines it.
//
// What is best-effort: everything else. A region that is absent is UnknownRegion; a
// detail that is absent, null or not an object is empty; every detail field is read
// leniently (strings from numbers and the reverse, CloudTrail's {"items": [...]} lists,
// single objects as lists of one), and a field that is missing, null, empty or of an
// unexpected type only lowers what the parser can say: fewer attributes, a generic
// subject. A detail never makes Parse fail. See docs/events.md.
//
// Parse decodes each input once; the parsers and the classifier share the decoded
// document (Event.Doc).
package event

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Signal says what an event means for an incident on its fingerprint.
type Signal string

const (
	// Trigger events report a problem: alarm ALARM, Config NON_COMPLIANT, a risky API call.
	Trigger Signal = "trigger"
	// Recovery events report that a problem went away: alarm OK, Config COMPLIANT,
	// CloudTrail StartLogging after StopLogging. They mitigate the open incident.
	Recovery Signal = "recovery"
	// Info events are recorded and counted but neither open nor mitigate anything.
	Info Signal = "info"
)

// Event is the normalised form of one EventBridge event (or, for Security Hub, of one
// finding inside an event).
type Event struct {
	ID         string    `json:"id"`          // EventBridge id (with "#n" for the n-th of several findings)
	Time       time.Time `json:"time"`        // event time from the envelope
	Source     string    `json:"source"`      // envelope source, e.g. aws.cloudwatch
	DetailType string    `json:"detail_type"` // envelope detail-type
	Account    string    `json:"account"`
	Region     string    `json:"region"`

	// Resource is the affected resource as a responder would name it (an instance id,
	// a security group, a bucket, an alarm ARN).
	Resource string `json:"resource"`
	// Subject is what the signal is about, for correlation. It is usually Resource; it
	// differs where one resource can carry independent signals (a Config rule on a
	// resource, a GuardDuty finding, an AWS Health event).
	Subject string `json:"subject"`
	// Actor is who caused the change: an IAM principal ARN, "root", or the AWS service.
	Actor   string `json:"actor"`
	Summary string `json:"summary"`
	Signal  Signal `json:"signal"`
	// SourceSeverity is the source's own severity label, upper case (CRITICAL, HIGH,
	// MEDIUM, LOW, INFORMATIONAL), or empty when the source has none.
	SourceSeverity string `json:"source_severity,omitempty"`
	// Tags are resource tags carried in the event itself (GuardDuty, Security Hub,
	// Health, application events). The owning-team tag is read from here.
	Tags map[string]string `json:"tags,omitempty"`
	// Attrs are source-specific facts the taxonomy, titles and runbooks use
	// (e.g. event_name, group_id, ports, cidrs, bucket, key_id, instance_id).
	Attrs map[string]string `json:"attrs,omitempty"`

	// Raw is the whole envelope as received.
	Raw json.RawMessage `json:"-"`
	// Doc is Raw decoded (as encoding/json decodes into any), shared by the parsers and
	// the classifier so that an event is decoded once. It is read-only, and nil for
	// events not made by Parse: whoever needs it then decodes Raw.
	Doc map[string]any `json:"-"`
}

// ParseError reports input that cannot be parsed. It names the thing (the event id and
// source when known), the field and the reason.
type ParseError struct {
	ID     string // event id, when the envelope got that far
	Source string // envelope source, when known
	Field  string // JSON path of the offending field, e.g. "detail.state.value"
	Reason string
	Err    error
}

func (e *ParseError) Error() string {
	var what string
	switch {
	case e.ID != "" && e.Source != "":
		what = fmt.Sprintf("event %s (%s)", e.ID, e.Source)
	case e.ID != "":
		what = "event " + e.ID
	default:
		what = "event"
	}
	msg := what + ": " + e.Field + ": " + e.Reason
	if e.Field == "" {
		msg = what + ": " + e.Reason
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *ParseError) Unwrap() error { return e.Err }

// ErrMalformed is matched by every ParseError (errors.Is(err, ErrMalformed)).
var ErrMalformed = errors.New("malformed event")

// Is makes every ParseError match ErrMalformed.
func (e *ParseError) Is(target error) bool { return target == ErrMalformed }
