package event

import (
	"encoding/json"
	"errors"

	"github.com/aws/aws-lambda-go/events"
)

// typedParser is a parser that decodes the detail into a typed struct (decodeDetail)
// rather than reading the decoded detail (detailParser). New parsers should be
// detailParsers; typed adapts the others.
type typedParser func(env events.EventBridgeEvent, e Event) ([]Event, error)

// typed adapts a typedParser: the detail is handed to it as JSON, and whatever it
// returns on error is replaced by the generic event, so a typed parser cannot
// quarantine an event either.
func typed(p typedParser) detailParser {
	return func(env events.EventBridgeEvent, d obj, e Event) []Event {
		env.Detail = json.RawMessage(emptyObject)
		if d != nil {
			if b, err := json.Marshal(map[string]any(d)); err == nil {
				env.Detail = b
			}
		}
		evs, err := p(env, e)
		if err != nil {
			return generic(env, e)
		}
		return evs
	}
}

// decodeDetail decodes the detail into a typed struct leniently: a field of the wrong
// type is left zero (encoding/json goes on past a type mismatch) instead of failing.
// Only a detail that is not JSON at all is an error.
func decodeDetail(env events.EventBridgeEvent, v any) error {
	err := json.Unmarshal(env.Detail, v)
	var te *json.UnmarshalTypeError
	if err == nil || errors.As(err, &te) {
		return nil
	}
	return &ParseError{ID: env.ID, Source: env.Source, Field: "detail", Reason: "invalid", Err: jsonErr(err)}
}

// missing and invalid are for typed parsers: what they return makes typed fall back
// to the generic event.
func missing(env events.EventBridgeEvent, field string) error {
	return &ParseError{ID: env.ID, Source: env.Source, Field: field, Reason: "missing"}
}

func invalid(env events.EventBridgeEvent, field, reason string) error {
	return &ParseError{ID: env.ID, Source: env.Source, Field: field, Reason: reason}
}
