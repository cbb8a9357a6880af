package event

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// MaxSize is the largest event accepted: EventBridge's own limit for an event entry.
const MaxSize = 256 * 1024

// ParseEnvelope decodes and checks the EventBridge envelope. The detail is kept raw and
// must be a JSON object; the fields every Firebreak event needs must be present.
func ParseEnvelope(b []byte) (events.EventBridgeEvent, error) {
	var env events.EventBridgeEvent
	if len(b) > MaxSize {
		return env, &ParseError{Reason: fmt.Sprintf("%d bytes exceeds the %d-byte EventBridge limit", len(b), MaxSize)}
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(b, &fields); err != nil {
		return env, &ParseError{Reason: "not a JSON object", Err: jsonErr(err)}
	}
	id, err := requiredString(fields, "id")
	if err != nil {
		return env, err
	}
	env.ID = id
	fail := func(field, reason string, err error) error {
		return &ParseError{ID: env.ID, Source: env.Source, Field: field, Reason: reason, Err: err}
	}
	if env.Source, err = requiredString(fields, "source"); err != nil {
		return env, withID(err, env.ID, "")
	}
	for _, f := range []struct {
		name string
		dst  *string
	}{{"detail-type", &env.DetailType}, {"account", &env.AccountID}, {"region", &env.Region}} {
		if *f.dst, err = requiredString(fields, f.name); err != nil {
			return env, withID(err, env.ID, env.Source)
		}
	}
	if v, ok := fields["version"]; ok && !isNull(v) {
		if err := json.Unmarshal(v, &env.Version); err != nil {
			return env, fail("version", "must be a string", nil)
		}
	}
	ts, err := requiredString(fields, "time")
	if err != nil {
		return env, withID(err, env.ID, env.Source)
	}
	if env.Time, err = time.Parse(time.RFC3339, ts); err != nil {
		return env, fail("time", fmt.Sprintf("%q is not an RFC 3339 timestamp", ts), nil)
	}
	env.Time = env.Time.UTC()
	if v, ok := fields["resources"]; ok && !isNull(v) {
		if err := json.Unmarshal(v, &env.Resources); err != nil {
			return env, fail("resources", "must be an array of strings", nil)
		}
	}
	d, ok := fields["detail"]
	if !ok || isNull(d) {
		return env, fail("detail", "missing", nil)
	}
	if t := bytes.TrimSpace(d); len(t) == 0 || t[0] != '{' {
		return env, fail("detail", "must be a JSON object", nil)
	}
	env.Detail = d
	return env, nil
}

func requiredString(fields map[string]json.RawMessage, name string) (string, error) {
	v, ok := fields[name]
	if !ok || isNull(v) {
		return "", &ParseError{Field: name, Reason: "missing"}
	}
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		return "", &ParseError{Field: name, Reason: "must be a string"}
	}
	if s == "" {
		return "", &ParseError{Field: name, Reason: "empty"}
	}
	return s, nil
}

func withID(err error, id, source string) error {
	var pe *ParseError
	if errors.As(err, &pe) {
		pe.ID, pe.Source = id, source
	}
	return err
}

func isNull(v json.RawMessage) bool { return string(bytes.TrimSpace(v)) == "null" }

// jsonErr makes encoding/json's errors say where the problem is.
func jsonErr(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("%v at byte %d", se, se.Offset)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Errorf("got JSON %s, want %s", te.Value, te.Type)
	}
	return err
}
