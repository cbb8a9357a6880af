package event

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
)

// obj is a JSON object as encoding/json decodes it into any. The detail parsers read
// events through its accessors, which never fail: a field that is absent, null, or of
// an unexpected type reads as the zero value, so an odd field lowers what a parser can
// say and never rejects the event.
type obj map[string]any

// asObj returns v as an object, or nil (which reads as empty) when it is not one.
func asObj(v any) obj {
	m, _ := v.(map[string]any)
	return m
}

// o returns the object at the path of keys, or nil.
func (o obj) o(keys ...string) obj {
	for _, k := range keys {
		if o == nil {
			return nil
		}
		o = asObj(o[k])
	}
	return o
}

// s returns the field as a string: strings as written (surrounding space trimmed),
// numbers in their shortest decimal form, booleans as "true"/"false"; "" otherwise.
func (o obj) s(k string) string { return str(o[k]) }

// list returns the field as a list. CloudTrail writes lists as {"items": [...]}; a
// single object where a list is expected is read as a list of one.
func (o obj) list(k string) []any { return list(o[k]) }

// num returns the field as a number: JSON numbers and numeric strings.
func (o obj) num(k string) (float64, bool) { return num(o[k]) }

// flag returns the field as a boolean: JSON booleans and the strings "true"/"false"
// in any case.
func (o obj) flag(k string) bool {
	switch v := o[k].(type) {
	case bool:
		return v
	case string:
		return strings.EqualFold(strings.TrimSpace(v), "true")
	}
	return false
}

// strs returns every string (or number) of a list field; other entries are skipped.
func (o obj) strs(k string) []string {
	var out []string
	for _, v := range o.list(k) {
		if s := str(v); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// strMap returns an object of scalars as a map of strings (tags, dimensions), or, for
// a list of {"key"/"Key", "value"/"Value"} or {"name"/"Name", "value"/"Value"} pairs,
// the map those pairs make.
func strMap(v any) map[string]string {
	var out map[string]string
	put := func(k, v string) {
		if k == "" {
			return
		}
		if out == nil {
			out = map[string]string{}
		}
		out[k] = v
	}
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			switch x.(type) {
			case string, float64, bool, json.Number:
				put(k, str(x))
			}
		}
	case []any:
		for _, x := range t {
			p := asObj(x)
			put(first(p.s("key"), p.s("Key"), p.s("name"), p.s("Name")), first(p.s("value"), p.s("Value")))
		}
	}
	return out
}

func str(v any) string {
	switch t := v.(type) {
	case string:
		return strings.TrimSpace(t)
	case float64:
		return formatNum(t)
	case json.Number:
		return t.String()
	case bool:
		return strconv.FormatBool(t)
	}
	return ""
}

func formatNum(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

func list(v any) []any {
	switch t := v.(type) {
	case []any:
		return t
	case map[string]any:
		if items, ok := t["items"]; ok {
			l, _ := items.([]any)
			return l
		}
		if len(t) == 0 {
			return nil
		}
		return []any{t}
	}
	return nil
}

func num(v any) (float64, bool) {
	switch t := v.(type) {
	case float64:
		return t, true
	case json.Number:
		f, err := t.Float64()
		return f, err == nil
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(t), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return 0, false
		}
		return f, true
	}
	return 0, false
}

// integer returns the field as an int when it is a whole number (or a string of one).
func (o obj) integer(k string) (int, bool) {
	f, ok := o.num(k)
	if !ok || f != math.Trunc(f) || f < math.MinInt32 || f > math.MaxInt32 {
		return 0, false
	}
	return int(f), true
}

func first(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
