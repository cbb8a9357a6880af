package event

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

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

// detailParser fills the source-specific fields of e from the envelope's detail.
// It returns more than one event only where one envelope carries several observations.
type detailParser func(env events.EventBridgeEvent, e Event) ([]Event, error)

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
// An error is always a *ParseError and matches ErrMalformed.
func Parse(raw []byte) ([]Event, error) {
	env, err := ParseEnvelope(raw)
	if err != nil {
		return nil, err
	}
	return FromEnvelope(env, raw)
}

// FromEnvelope normalises an already-decoded envelope; raw is kept as the event's Raw.
func FromEnvelope(env events.EventBridgeEvent, raw []byte) ([]Event, error) {
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
	}
	if len(env.Resources) > 0 {
		base.Resource = env.Resources[0]
	}
	evs, err := parserFor(env)(env, base)
	if err != nil {
		return nil, err
	}
	for i := range evs {
		if evs[i].Subject == "" {
			evs[i].Subject = evs[i].Resource
		}
		if evs[i].Resource == "" {
			evs[i].Resource = evs[i].Subject
		}
		if evs[i].Resource == "" {
			evs[i].Resource, evs[i].Subject = env.Source, env.Source
		}
		evs[i].Summary = clip(evs[i].Summary, maxSummaryRunes)
	}
	return evs, nil
}

// decodeDetail unmarshals the detail into v; type mismatches become ParseErrors that name
// the field, e.g. "detail.state.value: got JSON number, want string".
func decodeDetail(env events.EventBridgeEvent, v any) error {
	if err := json.Unmarshal(env.Detail, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			field := "detail"
			if te.Field != "" {
				field += "." + te.Field
			}
			return &ParseError{ID: env.ID, Source: env.Source, Field: field,
				Reason: fmt.Sprintf("got JSON %s, want %s", te.Value, jsonKind(te.Type.Kind().String()))}
		}
		return &ParseError{ID: env.ID, Source: env.Source, Field: "detail", Reason: "invalid", Err: jsonErr(err)}
	}
	return nil
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "string"
	case "slice", "array":
		return "array"
	case "map", "struct", "ptr":
		return "object"
	case "bool":
		return "boolean"
	case "float64", "float32", "int", "int64", "int32":
		return "number"
	}
	return goKind
}

func missing(env events.EventBridgeEvent, field string) error {
	return &ParseError{ID: env.ID, Source: env.Source, Field: field, Reason: "missing"}
}

func invalid(env events.EventBridgeEvent, field, reason string) error {
	return &ParseError{ID: env.ID, Source: env.Source, Field: field, Reason: reason}
}

func one(e Event) ([]Event, error) { return []Event{e}, nil }

func setAttr(e *Event, k, v string) {
	if v == "" {
		return
	}
	if e.Attrs == nil {
		e.Attrs = map[string]string{}
	}
	e.Attrs[k] = v
}

func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// parseGeneric accepts any event Firebreak has no parser for: it is recorded with what
// the envelope says and classified by the taxonomy's fallback (or a class the operator
// wrote for it). It is a trigger, so the class's severity decides whether it pages: the
// default fallback records it, a fallback or class with a severity opens an incident.
func parseGeneric(env events.EventBridgeEvent, e Event) ([]Event, error) {
	e.Signal = Trigger
	if e.Resource == "" {
		e.Resource = env.Source
	}
	e.Subject = env.DetailType + "/" + e.Resource
	e.Summary = fmt.Sprintf("%s from %s", env.DetailType, env.Source)
	return one(e)
}
