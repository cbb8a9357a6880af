package asl

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Choice rules. A data-test expression compares the value at Variable with a literal or
// with the value at another path (the *Path operators); a comparison against a value of
// the wrong type is false. A Variable (or *Path) that selects nothing is States.Runtime,
// except under IsPresent.

type cmpKind int

const (
	kindString cmpKind = iota
	kindNumeric
	kindBoolean
	kindTimestamp
	kindIs
)

type choiceRule struct {
	next string

	and, or []*choiceRule
	not     *choiceRule

	variable  *Path
	op        string // operator as written, e.g. "NumericLessThanPath"
	kind      cmpKind
	rel       string // "Equals", "LessThan", "GreaterThan", "LessThanEquals", "GreaterThanEquals", "Matches", or the Is* test
	lit       any    // literal operand
	ts        time.Time
	valuePath *Path // operand of a *Path operator
	glob      []globToken
	want      bool // value of an Is* operator
}

type opSpec struct {
	kind cmpKind
	rel  string
	path bool // the operand is a reference path
}

var comparisonOps = func() map[string]opSpec {
	m := map[string]opSpec{}
	for prefix, kind := range map[string]cmpKind{"String": kindString, "Numeric": kindNumeric, "Timestamp": kindTimestamp} {
		for _, rel := range []string{"Equals", "LessThan", "GreaterThan", "LessThanEquals", "GreaterThanEquals"} {
			m[prefix+rel] = opSpec{kind, rel, false}
			m[prefix+rel+"Path"] = opSpec{kind, rel, true}
		}
	}
	m["StringMatches"] = opSpec{kindString, "Matches", false}
	m["BooleanEquals"] = opSpec{kindBoolean, "Equals", false}
	m["BooleanEqualsPath"] = opSpec{kindBoolean, "Equals", true}
	for _, is := range []string{"IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp"} {
		m[is] = opSpec{kindIs, is, false}
	}
	return m
}()

// compileChoiceRule compiles a rule; top rules carry Next, nested ones must not.
func compileChoiceRule(v any, top bool, where string) (*choiceRule, error) {
	o, ok := v.(*object)
	if !ok {
		return nil, fmt.Errorf("%s must be an object, got %s", where, typeName(v))
	}
	r := &choiceRule{}
	var ops []string
	for _, k := range o.keys {
		switch k {
		case "Comment":
			if _, ok := o.vals[k].(string); !ok {
				return nil, fmt.Errorf("%s: Comment must be a string", where)
			}
		case "Next":
			if !top {
				return nil, fmt.Errorf("%s: Next is only allowed in a top-level choice rule", where)
			}
			s, ok := o.vals[k].(string)
			if !ok || s == "" {
				return nil, fmt.Errorf("%s: Next must be a non-empty string", where)
			}
			r.next = s
		case "Variable":
			s, ok := o.vals[k].(string)
			if !ok {
				return nil, fmt.Errorf("%s: Variable must be a string", where)
			}
			p, err := parsePath(s)
			if err != nil {
				return nil, fmt.Errorf("%s: Variable: %w", where, err)
			}
			r.variable = p
		case "And", "Or", "Not":
			ops = append(ops, k)
		case "Condition", "Assign", "Output":
			return nil, fmt.Errorf("%s: %s is not supported (it belongs to JSONata or workflow variables)", where, k)
		default:
			if _, ok := comparisonOps[k]; !ok {
				return nil, fmt.Errorf("%s: unknown field %q", where, k)
			}
			ops = append(ops, k)
		}
	}
	if top && r.next == "" {
		return nil, fmt.Errorf("%s: Next is required", where)
	}
	if len(ops) != 1 {
		if len(ops) == 0 {
			return nil, fmt.Errorf("%s: needs one comparison operator, And, Or or Not", where)
		}
		sort.Strings(ops)
		return nil, fmt.Errorf("%s: has more than one operator (%s)", where, strings.Join(ops, ", "))
	}
	op := ops[0]
	val := o.vals[op]
	switch op {
	case "And", "Or":
		if r.variable != nil {
			return nil, fmt.Errorf("%s: Variable may not be combined with %s", where, op)
		}
		list, ok := val.([]any)
		if !ok || len(list) == 0 {
			return nil, fmt.Errorf("%s: %s must be a non-empty array of rules", where, op)
		}
		for i, e := range list {
			sub, err := compileChoiceRule(e, false, fmt.Sprintf("%s.%s[%d]", where, op, i))
			if err != nil {
				return nil, err
			}
			if op == "And" {
				r.and = append(r.and, sub)
			} else {
				r.or = append(r.or, sub)
			}
		}
		return r, nil
	case "Not":
		if r.variable != nil {
			return nil, fmt.Errorf("%s: Variable may not be combined with Not", where)
		}
		sub, err := compileChoiceRule(val, false, where+".Not")
		if err != nil {
			return nil, err
		}
		r.not = sub
		return r, nil
	}
	if r.variable == nil {
		return nil, fmt.Errorf("%s: %s needs a Variable", where, op)
	}
	spec := comparisonOps[op]
	r.op, r.kind, r.rel = op, spec.kind, spec.rel
	switch {
	case spec.path:
		s, ok := val.(string)
		if !ok {
			return nil, fmt.Errorf("%s: %s must be a path string", where, op)
		}
		p, err := parseReferencePath(s)
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", where, op, err)
		}
		r.valuePath = p
	case spec.kind == kindIs:
		b, ok := val.(bool)
		if !ok {
			return nil, fmt.Errorf("%s: %s must be true or false", where, op)
		}
		r.want = b
	case spec.kind == kindString:
		s, ok := val.(string)
		if !ok {
			return nil, fmt.Errorf("%s: %s must be a string", where, op)
		}
		r.lit = s
		if spec.rel == "Matches" {
			g, err := compileGlob(s)
			if err != nil {
				return nil, fmt.Errorf("%s: StringMatches: %w", where, err)
			}
			r.glob = g
		}
	case spec.kind == kindNumeric:
		n, ok := val.(json.Number)
		if !ok {
			return nil, fmt.Errorf("%s: %s must be a number", where, op)
		}
		r.lit = n
	case spec.kind == kindBoolean:
		b, ok := val.(bool)
		if !ok {
			return nil, fmt.Errorf("%s: %s must be true or false", where, op)
		}
		r.lit = b
	case spec.kind == kindTimestamp:
		s, ok := val.(string)
		if !ok {
			return nil, fmt.Errorf("%s: %s must be a timestamp string", where, op)
		}
		ts, ok := parseTimestamp(s)
		if !ok {
			return nil, fmt.Errorf("%s: %s: %q is not an RFC 3339 timestamp", where, op, s)
		}
		r.ts = ts
	}
	return r, nil
}

// parseTimestamp accepts the RFC 3339 profile Step Functions uses: an uppercase T, and
// Z or a numeric offset.
func parseTimestamp(s string) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, false
	}
	return t, true
}

func (r *choiceRule) eval(env *evalEnv) (bool, *Error) {
	switch {
	case r.and != nil:
		for _, sub := range r.and {
			ok, err := sub.eval(env)
			if err != nil || !ok {
				return false, err
			}
		}
		return true, nil
	case r.or != nil:
		for _, sub := range r.or {
			ok, err := sub.eval(env)
			if err != nil || ok {
				return ok, err
			}
		}
		return false, nil
	case r.not != nil:
		ok, err := r.not.eval(env)
		return !ok && err == nil, err
	}
	v, err := env.path(r.variable)
	if err != nil {
		if r.rel == "IsPresent" {
			return !r.want, nil
		}
		return false, &Error{Name: ErrRuntime, Cause: fmt.Sprintf("invalid path %s: the choice rule's Variable (%s) selects nothing", r.variable, r.op)}
	}
	if r.kind == kindIs {
		var is bool
		switch r.rel {
		case "IsPresent":
			is = true
		case "IsNull":
			is = v == nil
		case "IsNumeric":
			_, is = v.(json.Number)
		case "IsString":
			_, is = v.(string)
		case "IsBoolean":
			_, is = v.(bool)
		case "IsTimestamp":
			s, ok := v.(string)
			_, valid := parseTimestamp(s)
			is = ok && valid
		}
		return is == r.want, nil
	}
	operand := r.lit
	ts := r.ts
	if r.valuePath != nil {
		w, err := env.path(r.valuePath)
		if err != nil {
			return false, &Error{Name: ErrRuntime, Cause: fmt.Sprintf("invalid path %s: the choice rule's %s selects nothing", r.valuePath, r.op)}
		}
		operand = w
		if r.kind == kindTimestamp {
			s, ok := w.(string)
			if !ok {
				return false, nil
			}
			if ts, ok = parseTimestamp(s); !ok {
				return false, nil
			}
		}
	}
	var c int
	switch r.kind {
	case kindString:
		s, ok := v.(string)
		if !ok {
			return false, nil
		}
		if r.rel == "Matches" {
			return matchGlob(r.glob, s), nil
		}
		o, ok := operand.(string)
		if !ok {
			return false, nil
		}
		c = strings.Compare(s, o)
	case kindNumeric:
		n, ok := v.(json.Number)
		if !ok {
			return false, nil
		}
		o, ok := operand.(json.Number)
		if !ok {
			return false, nil
		}
		if c, ok = compareNumbers(n, o); !ok {
			return false, nil
		}
	case kindBoolean:
		b, ok := v.(bool)
		if !ok {
			return false, nil
		}
		o, ok := operand.(bool)
		return ok && b == o, nil
	case kindTimestamp:
		s, ok := v.(string)
		if !ok {
			return false, nil
		}
		t, ok := parseTimestamp(s)
		if !ok {
			return false, nil
		}
		c = t.Compare(ts)
	}
	switch r.rel {
	case "Equals":
		return c == 0, nil
	case "LessThan":
		return c < 0, nil
	case "GreaterThan":
		return c > 0, nil
	case "LessThanEquals":
		return c <= 0, nil
	case "GreaterThanEquals":
		return c >= 0, nil
	}
	return false, nil
}

// StringMatches patterns: "*" matches any run of characters, "\*" a literal star and
// "\\" a literal backslash.

type globToken struct {
	star bool
	c    byte
}

func compileGlob(p string) ([]globToken, error) {
	var toks []globToken
	for i := 0; i < len(p); i++ {
		switch c := p[i]; c {
		case '\\':
			if i+1 >= len(p) {
				return nil, fmt.Errorf("pattern %q ends with an open escape", p)
			}
			i++
			toks = append(toks, globToken{c: p[i]})
		case '*':
			toks = append(toks, globToken{star: true})
		default:
			toks = append(toks, globToken{c: c})
		}
	}
	return toks, nil
}

// matchGlob is the usual linear-backtracking wildcard match (O(len(s)*len(toks))).
func matchGlob(toks []globToken, s string) bool {
	i, j := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case j < len(toks) && !toks[j].star && toks[j].c == s[i]:
			i++
			j++
		case j < len(toks) && toks[j].star:
			star, mark = j, i
			j++
		case star >= 0:
			mark++
			i, j = mark, star+1
		default:
			return false
		}
	}
	for j < len(toks) && toks[j].star {
		j++
	}
	return j == len(toks)
}
