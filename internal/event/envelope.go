package event

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// MaxSize is the largest event accepted: EventBridge's own limit for an event entry.
const MaxSize = 256 * 1024

// UnknownRegion is the region of an event whose envelope names none (or names it as
// something other than a string). Region is not essential: an event without one is
// still counted, classified and fingerprinted, under this region.
const UnknownRegion = "unknown-region"

// Essentials are the envelope fields without which an input is not an EventBridge event:
// it is quarantined. Everything else is best-effort.
var Essentials = []string{"id", "source", "detail-type", "account", "time"}

// ParseEnvelope decodes and checks the EventBridge envelope. Only the essentials are
// required; the detail is kept raw, and is {} when it is absent, null or not an object.
func ParseEnvelope(b []byte) (events.EventBridgeEvent, error) {
	if len(b) > MaxSize {
		return events.EventBridgeEvent{}, tooBig(len(b))
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(b, &fields); err != nil {
		return events.EventBridgeEvent{}, notObject(err)
	}
	if fields == nil {
		return events.EventBridgeEvent{}, notObject(fmt.Errorf("got JSON null, want an object"))
	}
	env, err := envelopeOf(func(k string) any {
		var v any
		if r, ok := fields[k]; ok && json.Unmarshal(r, &v) == nil {
			return v
		}
		return nil
	})
	if err != nil {
		return env, err
	}
	env.Detail = json.RawMessage(emptyObject)
	if d := fields["detail"]; len(d) > 0 && d[0] == '{' { // encoding/json hands RawMessage over trimmed
		env.Detail = d
	}
	return env, nil
}

const emptyObject = "{}"

// decode decodes a whole event once; the parsers and the classifier share the result.
func decode(b []byte) (obj, error) {
	if len(b) > MaxSize {
		return nil, tooBig(len(b))
	}
	if doc, ok := decodeObject(b); ok { // one pass; anything else is encoding/json's to explain
		return doc, nil
	}
	var v any // into any, not a map: encoding/json's generic path is the fast one
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, notObject(err)
	}
	doc, ok := v.(map[string]any)
	if !ok {
		return nil, notObject(fmt.Errorf("got JSON %s, want an object", kindOf(v)))
	}
	return doc, nil
}

// kindOf names a decoded JSON value's kind as encoding/json's errors do.
func kindOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case []any:
		return "array"
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "bool"
	}
	return "object"
}

func tooBig(n int) error {
	return &ParseError{Reason: fmt.Sprintf("%d bytes exceeds the %d-byte EventBridge limit", n, MaxSize)}
}

func notObject(err error) error {
	if err != nil {
		err = jsonErr(err)
	}
	return &ParseError{Reason: "not a JSON object", Err: err}
}

// envelopeOf reads the envelope from its top-level fields (get returns a decoded field
// or nil). The essentials must be there; the rest is read leniently: a region that is
// not a string is UnknownRegion, a version that is not a string is "", resources keep
// only their strings.
func envelopeOf(get func(string) any) (events.EventBridgeEvent, error) {
	var env events.EventBridgeEvent
	var err error
	if env.ID, err = essential(get, "id", true); err != nil {
		return env, err
	}
	fail := func(err error) error {
		var pe *ParseError
		if errors.As(err, &pe) {
			pe.ID, pe.Source = env.ID, env.Source
		}
		return err
	}
	if env.Source, err = essential(get, "source", false); err != nil {
		return env, fail(err)
	}
	if env.DetailType, err = essential(get, "detail-type", false); err != nil {
		return env, fail(err)
	}
	if env.AccountID, err = essential(get, "account", true); err != nil {
		return env, fail(err)
	}
	if _, ok := get("account").(float64); ok && len(env.AccountID) < 12 {
		// A number loses an account id's leading zeros; AWS account ids have 12 digits.
		env.AccountID = strings.Repeat("0", 12-len(env.AccountID)) + env.AccountID
	}
	ts, err := essential(get, "time", false)
	if err != nil {
		return env, fail(err)
	}
	var ok bool
	if env.Time, ok = ParseTime(ts); !ok {
		return env, fail(&ParseError{Field: "time", Reason: fmt.Sprintf("%q is not an RFC 3339 timestamp", ts)})
	}
	env.Region = UnknownRegion
	if r, ok := get("region").(string); ok && strings.TrimSpace(r) != "" {
		env.Region = strings.TrimSpace(r)
	}
	env.Version, _ = get("version").(string)
	rs := list(get("resources"))
	if rs != nil {
		env.Resources = make([]string, 0, len(rs))
	}
	for _, r := range rs {
		if s, ok := r.(string); ok && s != "" {
			env.Resources = append(env.Resources, s)
		}
	}
	return env, nil
}

// essential reads a required envelope field: a non-empty string, or, where numbers
// allowed (id, account), a whole number.
func essential(get func(string) any, name string, numbers bool) (string, error) {
	switch v := get(name).(type) {
	case nil:
		return "", &ParseError{Field: name, Reason: "missing"}
	case string:
		if s := strings.TrimSpace(v); s != "" {
			return s, nil
		}
		return "", &ParseError{Field: name, Reason: "empty"}
	case float64:
		if numbers && v >= 0 && v == float64(int64(v)) {
			return formatNum(v), nil
		}
	}
	return "", &ParseError{Field: name, Reason: "must be a string"}
}

// timeLayouts are the RFC 3339 forms accepted, tried in order. Fractional seconds are
// accepted by every layout; the offset may be Z, ±hh:mm, ±hhmm or ±hh; a space may stand
// for the T (RFC 3339 section 5.6 allows it).
var timeLayouts = []string{time.RFC3339, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04:05Z07", "2006-01-02 15:04:05Z07:00", "2006-01-02 15:04:05Z0700"}

// ParseTime reads an RFC 3339 timestamp in any of the variants events carry, in UTC.
func ParseTime(s string) (time.Time, bool) {
	s = strings.ToUpper(strings.TrimSpace(s)) // RFC 3339 allows lower-case t and z
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// jsonErr makes encoding/json's errors say where the problem is.
func jsonErr(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("%v at byte %d", se, se.Offset)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Errorf("got JSON %s, want an object", te.Value)
	}
	return err
}
