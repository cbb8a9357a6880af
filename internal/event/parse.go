package event

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
)

// Detail-types and sources Firebreak has a parser for. The EventBridge patterns in the
// event catalog (events/catalog.yaml) use the same strings.
const (
	TypeAlarm          = "CloudWatch Alarm State Change"
	TypeConfig         = "Config Rules Compliance Change"
	TypeAPICall        = "AWS API Call via CloudTrail"
	TypeConsoleSignIn  = "AWS Console Sign In via CloudTrail"
	TypeEC2State       = "EC2 Instance State-change Notification"
	TypeHealth         = "AWS Health Event"
	TypeGuardDuty      = "GuardDuty Finding"
	TypeSecurityHub    = "Security Hub Findings - Imported"
	TypeApplication    = "Firebreak Application Alert"
	ApplicationPrefix  = "app."
	sourceCloudWatch   = "aws.cloudwatch"
	sourceConfig       = "aws.config"
	sourceSignIn       = "aws.signin"
	sourceEC2          = "aws.ec2"
	sourceHealth       = "aws.health"
	sourceGuardDuty    = "aws.guardduty"
	sourceSecurityHub  = "aws.securityhub"
	maxSummaryRunes    = 240
	defaultAWSActor    = "aws"
	attrEventName      = "event_name"
	attrErrorCode      = "error_code"
	attrSourceIP       = "source_ip"
	attrInstanceID     = "instance_id"
	attrFindingType    = "finding_type"
	attrHealthCategory = "health_category"
)

// detailParser fills the source-specific fields of e from the envelope's detail d (empty
// when the event has none). It never fails: what it cannot read it leaves out. It returns
// more than one event only where one envelope carries several observations.
type detailParser func(env events.EventBridgeEvent, d obj, e Event) []Event

func parserFor(env events.EventBridgeEvent) detailParser {
	switch {
	case env.DetailType == TypeAlarm && env.Source == sourceCloudWatch:
		return parseAlarm
	case env.DetailType == TypeConfig && env.Source == sourceConfig:
		return parseConfig
	case env.DetailType == TypeConsoleSignIn:
		return parseSignIn
	case env.DetailType == TypeAPICall:
		return parseAPICall
	case env.DetailType == TypeEC2State && env.Source == sourceEC2:
		return parseEC2State
	case env.DetailType == TypeHealth && env.Source == sourceHealth:
		return parseHealth
	case env.DetailType == TypeGuardDuty && env.Source == sourceGuardDuty:
		return parseGuardDuty
	case env.DetailType == TypeSecurityHub && env.Source == sourceSecurityHub:
		return parseSecurityHub
	case env.DetailType == TypeApplication && strings.HasPrefix(env.Source, ApplicationPrefix):
		return parseApplication
	default:
		if p := serviceParser(env); p != nil { // services.go
			return p
		}
		return parseGeneric
	}
}

// Parse decodes one raw EventBridge event into normalised events: exactly one, except
// for Security Hub events carrying several findings (one per finding, ids "<id>#<n>").
// The input is decoded once; the events share the decoded document (Event.Doc).
// An error is always a *ParseError and matches ErrMalformed: it is returned only for
// input that is not an EventBridge event (see Essentials).
func Parse(raw []byte) ([]Event, error) {
	doc, err := decode(raw)
	if err != nil {
		return nil, err
	}
	env, err := envelopeOf(func(k string) any { return doc[k] })
	if err != nil {
		return nil, err
	}
	return normalise(env, doc.o("detail"), raw, doc), nil
}

// FromEnvelope normalises an already-decoded envelope; raw is kept as the event's Raw.
// A detail that does not decode as an object is read as empty.
func FromEnvelope(env events.EventBridgeEvent, raw []byte) ([]Event, error) {
	var d map[string]any
	_ = json.Unmarshal(env.Detail, &d) // not an object: empty detail, as Parse reads it
	return normalise(env, d, raw, nil), nil
}

func normalise(env events.EventBridgeEvent, d obj, raw []byte, doc obj) []Event {
	base := Event{
		ID:         env.ID,
		Time:       env.Time.UTC(),
		Source:     env.Source,
		DetailType: env.DetailType,
		Account:    env.AccountID,
		Region:     env.Region,
		Actor:      defaultAWSActor,
		Signal:     Info,
		Raw:        json.RawMessage(raw),
		Doc:        doc,
	}
	if base.Region == "" {
		base.Region = UnknownRegion
	}
	if len(env.Resources) > 0 {
		base.Resource = env.Resources[0]
	}
	evs := parserFor(env)(env, d, base)
	if len(evs) == 0 {
		evs = generic(env, base)
	}
	for i := range evs {
		if evs[i].Subject == "" {
			evs[i].Subject = evs[i].Resource
		}
		if evs[i].Resource == "" {
			evs[i].Resource = evs[i].Subject
		}
		if evs[i].Resource == "" { // the detail named nothing: the source stands for it
			evs[i].Resource, evs[i].Subject = env.Source, env.Source
		}
		if evs[i].Actor == "" {
			evs[i].Actor = defaultAWSActor
		}
		if evs[i].Summary == "" {
			evs[i].Summary = fmt.Sprintf("%s from %s", env.DetailType, env.Source)
		}
		evs[i].Summary = clip(evs[i].Summary, maxSummaryRunes)
	}
	return evs
}

func one(e Event) []Event { return []Event{e} }

func setAttr(e *Event, k, v string) {
	if v == "" {
		return
	}
	if e.Attrs == nil {
		e.Attrs = map[string]string{}
	}
	e.Attrs[k] = v
}

// clip makes every run of white space in s a single space and cuts it to n runes.
func clip(s string, n int) string {
	if !squashed(s) {
		s = strings.Join(strings.Fields(s), " ")
	}
	if len(s) <= n || utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// squashed reports whether s has no leading, trailing or repeated white space and no
// white space other than single spaces.
func squashed(s string) bool {
	prevSpace := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return squashedRunes(s)
		}
		space := c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
		if space && (c != ' ' || prevSpace) {
			return false
		}
		prevSpace = space
	}
	return !prevSpace || s == ""
}

func squashedRunes(s string) bool {
	prevSpace := true
	for _, r := range s {
		space := unicode.IsSpace(r)
		if space && (r != ' ' || prevSpace) {
			return false
		}
		prevSpace = space
	}
	return !prevSpace || s == ""
}

// parseGeneric accepts any event Firebreak has no parser for: it is recorded with what
// the envelope says and classified by the taxonomy's fallback (or a class the operator
// wrote for it). It is a trigger, so the class's severity decides whether it pages: the
// default fallback records it, a fallback or class with a severity opens an incident.
func parseGeneric(env events.EventBridgeEvent, _ obj, e Event) []Event {
	e.Signal = Trigger
	return generic(env, e)
}

// generic names an event by its envelope alone. A parser that finds nothing it can read
// in a known event's detail falls back to it, keeping its own signal (info by default):
// an event Firebreak knows but cannot read does not page on its own.
func generic(env events.EventBridgeEvent, e Event) []Event {
	if e.Resource == "" {
		e.Resource = env.Source
	}
	e.Subject = env.DetailType + "/" + e.Resource
	e.Summary = fmt.Sprintf("%s from %s", env.DetailType, env.Source)
	return []Event{e}
}
