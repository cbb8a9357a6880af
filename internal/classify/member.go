package classify

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"
)

// sourceOf returns what a pattern's top-level "source" member holds, as decoding the
// pattern with json.Unmarshal into a map[string]any gives it (nil when there is none),
// with the same error. Only that member is decoded: the rest of an object is scanned
// past, not built into maps (decoding whole patterns was most of classify.New at a
// Lambda's cold start). Anything but a valid JSON object is decoded as before.
func sourceOf(p []byte) (any, error) {
	if i := skipSpace(p, 0); i >= len(p) || p[i] != '{' || !json.Valid(p) {
		var v map[string]any
		err := json.Unmarshal(p, &v)
		return v["source"], err
	}
	raw, ok := topMember(p, "source")
	if !ok {
		return nil, nil
	}
	if v, ok := plainStrings(raw); ok {
		return v, nil
	}
	var v any
	err := json.Unmarshal(raw, &v)
	return v, err
}

// plainStrings decodes a valid JSON array of strings without escapes (what a pattern's
// "source" usually is) as json.Unmarshal into any would; ok is false for anything else.
func plainStrings(raw []byte) (v []any, ok bool) {
	i := skipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '[' {
		return nil, false
	}
	v = []any{}
	for i = skipSpace(raw, i+1); i < len(raw) && raw[i] != ']'; i = skipSpace(raw, i) {
		if raw[i] != '"' {
			return nil, false
		}
		end := skipValue(raw, i)
		s := raw[i+1 : end-1]
		if bytes.IndexByte(s, '\\') >= 0 || !utf8.Valid(s) {
			return nil, false
		}
		v = append(v, string(s))
		if i = skipSpace(raw, end); i < len(raw) && raw[i] == ',' {
			i++
		}
	}
	return v, true
}

// topMember returns the raw value of the last member of the object p (valid JSON)
// whose name is exactly name, as encoding/json keeps the last of duplicate names.
// A name written with escapes is compared after unescaping.
func topMember(p []byte, name string) (raw []byte, found bool) {
	i := skipSpace(p, 0)
	if i >= len(p) || p[i] != '{' {
		return nil, false
	}
	i++
	for {
		i = skipSpace(p, i)
		if i >= len(p) || p[i] == '}' {
			return raw, found
		}
		end := skipValue(p, i) // the member's name, a string
		key := p[i:end]
		i = skipSpace(p, end) + 1 // past ':'
		i = skipSpace(p, i)
		vend := skipValue(p, i)
		if memberName(key) == name {
			raw, found = p[i:vend], true
		}
		i = skipSpace(p, vend)
		if i < len(p) && p[i] == ',' {
			i++
		}
	}
}

// memberName is a quoted JSON string's value.
func memberName(q []byte) string {
	for _, c := range q {
		if c == '\\' {
			var s string
			if json.Unmarshal(q, &s) != nil {
				return ""
			}
			return s
		}
	}
	return string(q[1 : len(q)-1])
}

func skipSpace(p []byte, i int) int {
	for i < len(p) && (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' || p[i] == '\r') {
		i++
	}
	return i
}

// skipValue returns the index just past the JSON value starting at p[i] (p valid JSON).
func skipValue(p []byte, i int) int {
	switch p[i] {
	case '"':
		for i++; i < len(p); i++ {
			switch p[i] {
			case '\\':
				i++
			case '"':
				return i + 1
			}
		}
		return i
	case '{', '[':
		depth := 0
		for i < len(p) {
			switch p[i] {
			case '"':
				i = skipValue(p, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return i
	default: // number, true, false, null
		for i < len(p) && p[i] != ',' && p[i] != '}' && p[i] != ']' && p[i] != ' ' && p[i] != '\t' && p[i] != '\n' && p[i] != '\r' {
			i++
		}
		return i
	}
}
