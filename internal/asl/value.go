package asl

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"strconv"
	"unicode/utf8"
)

// JSON values inside the interpreter are nil, bool, string, json.Number, []any and
// *object. Objects keep their field order so that payloads, States.JsonToString and
// history read the way the definition and the input were written. Values are never
// mutated once built: ResultPath copies the objects on the way to the field it sets.

// object is a JSON object that remembers field order.
type object struct {
	keys []string
	vals map[string]any
}

func newObject(n int) *object {
	return &object{keys: make([]string, 0, n), vals: make(map[string]any, n)}
}

func (o *object) get(k string) (any, bool) {
	v, ok := o.vals[k]
	return v, ok
}

// set replaces the value of k in place, or appends k.
func (o *object) set(k string, v any) {
	if _, ok := o.vals[k]; !ok {
		o.keys = append(o.keys, k)
	}
	o.vals[k] = v
}

func (o *object) len() int { return len(o.keys) }

// clone copies o shallowly.
func (o *object) clone() *object {
	c := newObject(len(o.keys))
	for _, k := range o.keys {
		c.set(k, o.vals[k])
	}
	return c
}

// errDuplicateKey is reported by decodeStrict for an object with a repeated field name.
var errDuplicateKey = errors.New("duplicate field")

// decodeJSON parses one JSON text; repeated field names keep the last value, as most
// JSON parsers (and AWS) do.
func decodeJSON(data []byte) (any, error) {
	return decode(data, false)
}

// decodeStrict parses one JSON text and rejects repeated field names.
func decodeStrict(data []byte) (any, error) {
	return decode(data, true)
}

func decode(data []byte, strict bool) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := decodeValue(dec, strict)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		if err == nil {
			return nil, fmt.Errorf("unexpected data after the JSON value at offset %d", dec.InputOffset())
		}
		return nil, err
	}
	return v, nil
}

func decodeValue(dec *json.Decoder, strict bool) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		if err == io.EOF {
			return nil, io.ErrUnexpectedEOF
		}
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			obj := newObject(4)
			for dec.More() {
				ktok, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k, ok := ktok.(string)
				if !ok {
					return nil, fmt.Errorf("object key %v is not a string", ktok)
				}
				v, err := decodeValue(dec, strict)
				if err != nil {
					return nil, err
				}
				if _, dup := obj.vals[k]; dup && strict {
					return nil, fmt.Errorf("%w %q", errDuplicateKey, k)
				}
				obj.set(k, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return obj, nil
		case '[':
			arr := []any{}
			for dec.More() {
				v, err := decodeValue(dec, strict)
				if err != nil {
					return nil, err
				}
				arr = append(arr, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return arr, nil
		}
		return nil, fmt.Errorf("unexpected %v", t)
	default:
		return t, nil // string, json.Number, bool or nil
	}
}

// encodeJSON renders v as compact JSON without HTML escaping.
func encodeJSON(v any) []byte {
	var b bytes.Buffer
	writeJSON(&b, v)
	return b.Bytes()
}

func writeJSON(b *bytes.Buffer, v any) {
	switch t := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		if t {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case string:
		writeString(b, t)
	case json.Number:
		if t == "" {
			b.WriteString("0")
		} else {
			b.WriteString(string(t))
		}
	case []any:
		b.WriteByte('[')
		for i, e := range t {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSON(b, e)
		}
		b.WriteByte(']')
	case *object:
		b.WriteByte('{')
		for i, k := range t.keys {
			if i > 0 {
				b.WriteByte(',')
			}
			writeString(b, k)
			b.WriteByte(':')
			writeJSON(b, t.vals[k])
		}
		b.WriteByte('}')
	default:
		// Not reachable for values built by this package; keep the output valid JSON.
		b.WriteString("null")
	}
}

const hexDigits = "0123456789abcdef"

func writeString(b *bytes.Buffer, s string) {
	b.WriteByte('"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b.WriteByte('\\')
				b.WriteByte(c)
			case c == '\n':
				b.WriteString(`\n`)
			case c == '\r':
				b.WriteString(`\r`)
			case c == '\t':
				b.WriteString(`\t`)
			case c == '\b':
				b.WriteString(`\b`)
			case c == '\f':
				b.WriteString(`\f`)
			case c < 0x20:
				b.WriteString(`\u00`)
				b.WriteByte(hexDigits[c>>4])
				b.WriteByte(hexDigits[c&0xf])
			default:
				b.WriteByte(c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b.WriteString(`\ufffd`)
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	b.WriteByte('"')
}

// typeName names the JSON type of v for error messages.
func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case json.Number:
		return "number"
	case []any:
		return "array"
	case *object:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// equalJSON compares two values structurally; numbers compare by value and object
// field order does not matter.
func equalJSON(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case string:
		y, ok := b.(string)
		return ok && x == y
	case json.Number:
		y, ok := b.(json.Number)
		if !ok {
			return false
		}
		c, ok := compareNumbers(x, y)
		return ok && c == 0
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equalJSON(x[i], y[i]) {
				return false
			}
		}
		return true
	case *object:
		y, ok := b.(*object)
		if !ok || x.len() != y.len() {
			return false
		}
		for _, k := range x.keys {
			w, ok := y.vals[k]
			if !ok || !equalJSON(x.vals[k], w) {
				return false
			}
		}
		return true
	}
	return false
}

// ratOf parses a JSON number exactly.
func ratOf(n json.Number) (*big.Rat, bool) {
	r, ok := new(big.Rat).SetString(string(n))
	return r, ok
}

// compareNumbers compares two JSON numbers exactly.
func compareNumbers(a, b json.Number) (int, bool) {
	if a == b {
		return 0, true
	}
	ra, ok := ratOf(a)
	if !ok {
		return 0, false
	}
	rb, ok := ratOf(b)
	if !ok {
		return 0, false
	}
	return ra.Cmp(rb), true
}

// intOf reports the value of v when it is a number with an integral value that fits in
// an int64 (so 2 and 2.0 both qualify).
func intOf(v any) (int64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	if i, err := strconv.ParseInt(string(n), 10, 64); err == nil {
		return i, true
	}
	r, ok := ratOf(n)
	if !ok || !r.IsInt() || !r.Num().IsInt64() {
		return 0, false
	}
	return r.Num().Int64(), true
}

// floatOf converts a JSON number to float64.
func floatOf(v any) (float64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil {
		// Out-of-range numbers parse to ±Inf with an error; keep them comparable.
		if math.IsInf(f, 0) {
			return f, true
		}
		return 0, false
	}
	return f, true
}

func intNumber(i int64) json.Number { return json.Number(strconv.FormatInt(i, 10)) }
