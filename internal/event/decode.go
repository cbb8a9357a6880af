package event

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// decodeObject decodes b, a JSON object, into exactly what json.Unmarshal into `any`
// makes of it (map[string]any, []any, string, float64, bool, nil; the last of repeated
// keys wins), in one pass and without reflection. It is the fast path of decode: ok is
// false for anything else and for whatever it does not handle itself (invalid JSON,
// numbers out of float64's range, nesting deeper than encoding/json allows), and the
// caller then asks encoding/json, whose error says why. Strings with escapes or bytes
// that are not valid UTF-8 are handed to encoding/json one by one, so they decode as
// it decodes them.
func decodeObject(b []byte) (doc map[string]any, ok bool) {
	d := decoder{b: b}
	d.space()
	if d.i >= len(d.b) || d.b[d.i] != '{' {
		return nil, false
	}
	v, ok := d.value(0)
	if !ok {
		return nil, false
	}
	d.space()
	if d.i != len(d.b) {
		return nil, false
	}
	doc, ok = v.(map[string]any)
	return doc, ok
}

// maxDepth is encoding/json's nesting limit: deeper input is left to it (it refuses it).
const maxDepth = 10000

type decoder struct {
	b []byte
	i int
}

func (d *decoder) space() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

func (d *decoder) value(depth int) (any, bool) {
	d.space()
	if d.i >= len(d.b) {
		return nil, false
	}
	switch c := d.b[d.i]; {
	case c == '{':
		return d.object(depth + 1)
	case c == '[':
		return d.array(depth + 1)
	case c == '"':
		if s, ok := d.string(); ok {
			return s, true
		}
		return nil, false
	case c == 't':
		return true, d.literal("true")
	case c == 'f':
		return false, d.literal("false")
	case c == 'n':
		return nil, d.literal("null")
	case c == '-' || c >= '0' && c <= '9':
		return d.number()
	}
	return nil, false
}

func (d *decoder) literal(s string) bool {
	if len(d.b)-d.i < len(s) || string(d.b[d.i:d.i+len(s)]) != s {
		return false
	}
	d.i += len(s)
	return true
}

func (d *decoder) object(depth int) (any, bool) {
	if depth > maxDepth {
		return nil, false
	}
	d.i++ // {
	m := map[string]any{}
	d.space()
	if d.i < len(d.b) && d.b[d.i] == '}' {
		d.i++
		return m, true
	}
	for {
		d.space()
		if d.i >= len(d.b) || d.b[d.i] != '"' {
			return nil, false
		}
		k, ok := d.string()
		if !ok {
			return nil, false
		}
		d.space()
		if d.i >= len(d.b) || d.b[d.i] != ':' {
			return nil, false
		}
		d.i++
		v, ok := d.value(depth)
		if !ok {
			return nil, false
		}
		m[k] = v
		d.space()
		if d.i >= len(d.b) {
			return nil, false
		}
		switch d.b[d.i] {
		case ',':
			d.i++
		case '}':
			d.i++
			return m, true
		default:
			return nil, false
		}
	}
}

func (d *decoder) array(depth int) (any, bool) {
	if depth > maxDepth {
		return nil, false
	}
	d.i++ // [
	a := []any{}
	d.space()
	if d.i < len(d.b) && d.b[d.i] == ']' {
		d.i++
		return a, true
	}
	for {
		v, ok := d.value(depth)
		if !ok {
			return nil, false
		}
		a = append(a, v)
		d.space()
		if d.i >= len(d.b) {
			return nil, false
		}
		switch d.b[d.i] {
		case ',':
			d.i++
		case ']':
			d.i++
			return a, true
		default:
			return nil, false
		}
	}
}

// string decodes the string at d.i (its opening quote). Plain strings (no escapes, no
// control characters, valid UTF-8) are copied as they are, as encoding/json copies
// them; any other is decoded by encoding/json itself.
func (d *decoder) string() (string, bool) {
	start := d.i
	d.i++
	plain := true
	for d.i < len(d.b) {
		c := d.b[d.i]
		switch {
		case c == '"':
			d.i++
			s := d.b[start+1 : d.i-1]
			if plain {
				return string(s), true
			}
			if !utf8.Valid(s) || containsByte(s, '\\') {
				var out string
				if json.Unmarshal(d.b[start:d.i], &out) != nil {
					return "", false
				}
				return out, true
			}
			return string(s), true
		case c == '\\':
			plain = false
			d.i += 2 // the escaped byte cannot end the string; \u's digits are checked by encoding/json
		case c < 0x20:
			return "", false
		default:
			if c >= utf8.RuneSelf {
				plain = false
			}
			d.i++
		}
	}
	return "", false
}

func containsByte(s []byte, c byte) bool {
	for _, x := range s {
		if x == c {
			return true
		}
	}
	return false
}

// number decodes a JSON number (RFC 8259 grammar) as encoding/json does: strconv's
// float64 of its text.
func (d *decoder) number() (any, bool) {
	start := d.i
	if d.b[d.i] == '-' {
		d.i++
	}
	switch {
	case d.i < len(d.b) && d.b[d.i] == '0':
		d.i++
	case d.i < len(d.b) && d.b[d.i] >= '1' && d.b[d.i] <= '9':
		d.digits()
	default:
		return nil, false
	}
	if d.i < len(d.b) && d.b[d.i] == '.' {
		d.i++
		if !d.digits() {
			return nil, false
		}
	}
	if d.i < len(d.b) && (d.b[d.i] == 'e' || d.b[d.i] == 'E') {
		d.i++
		if d.i < len(d.b) && (d.b[d.i] == '+' || d.b[d.i] == '-') {
			d.i++
		}
		if !d.digits() {
			return nil, false
		}
	}
	f, err := strconv.ParseFloat(string(d.b[start:d.i]), 64)
	if err != nil {
		return nil, false
	}
	return f, true
}

// digits skips one or more digits; false when there is none.
func (d *decoder) digits() bool {
	start := d.i
	for d.i < len(d.b) && d.b[d.i] >= '0' && d.b[d.i] <= '9' {
		d.i++
	}
	return d.i > start
}
