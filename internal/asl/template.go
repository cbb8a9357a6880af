package asl

import (
	"errors"
	"fmt"
	"strings"
)

// A payload template (Parameters, ItemSelector, ResultSelector) is compiled once: fields
// whose name ends in ".$" hold a Path ("$.x", "$$.Execution.Name") or an intrinsic
// function, everything else is copied as written, however deeply nested.

type tmplKind int

const (
	tmplLiteral tmplKind = iota
	tmplObject
	tmplArray
	tmplPath
	tmplIntrinsic
)

type tmpl struct {
	kind   tmplKind
	lit    any
	keys   []string // object fields, in order, with ".$" stripped
	fields []*tmpl
	items  []*tmpl
	path   *Path
	fn     *intrinsic
	field  string // the original field name, for error messages
}

// compileTemplate compiles a payload template, which must be a JSON object.
func compileTemplate(v any) (*tmpl, error) {
	if _, ok := v.(*object); !ok {
		return nil, fmt.Errorf("must be a JSON object, got %s", typeName(v))
	}
	return compileNode(v, "")
}

func compileNode(v any, field string) (*tmpl, error) {
	switch t := v.(type) {
	case *object:
		node := &tmpl{kind: tmplObject, field: field}
		seen := make(map[string]string, t.len())
		for _, k := range t.keys {
			val := t.vals[k]
			key := k
			var child *tmpl
			if strings.HasSuffix(k, ".$") {
				key = strings.TrimSuffix(k, ".$")
				s, ok := val.(string)
				if !ok {
					return nil, fmt.Errorf("field %q must be a string (a path or an intrinsic function), got %s", k, typeName(val))
				}
				var err error
				child, err = compileDynamic(s, k)
				if err != nil {
					return nil, err
				}
			} else {
				var err error
				child, err = compileNode(val, k)
				if err != nil {
					return nil, err
				}
			}
			if prev, dup := seen[key]; dup {
				return nil, fmt.Errorf("fields %q and %q both produce %q", prev, k, key)
			}
			seen[key] = k
			node.keys = append(node.keys, key)
			node.fields = append(node.fields, child)
		}
		return node, nil
	case []any:
		node := &tmpl{kind: tmplArray, field: field}
		for _, e := range t {
			child, err := compileNode(e, field)
			if err != nil {
				return nil, err
			}
			node.items = append(node.items, child)
		}
		return node, nil
	default:
		return &tmpl{kind: tmplLiteral, lit: v, field: field}, nil
	}
}

// compileDynamic compiles the value of a ".$" field.
func compileDynamic(s, field string) (*tmpl, error) {
	if strings.HasPrefix(s, "$") {
		p, err := parsePath(s)
		if err != nil {
			return nil, fmt.Errorf("field %q: %w", field, err)
		}
		return &tmpl{kind: tmplPath, path: p, field: field}, nil
	}
	fn, err := parseIntrinsic(s)
	if err != nil {
		return nil, fmt.Errorf("field %q: %w", field, err)
	}
	return &tmpl{kind: tmplIntrinsic, fn: fn, field: field}, nil
}

// eval builds the payload. A path that selects nothing fails with States.Runtime, as
// Step Functions does; intrinsic failures are States.IntrinsicFailure.
func (t *tmpl) eval(env *evalEnv) (any, *Error) {
	switch t.kind {
	case tmplObject:
		o := newObject(len(t.keys))
		for i, k := range t.keys {
			v, err := t.fields[i].eval(env)
			if err != nil {
				return nil, err
			}
			o.set(k, v)
		}
		return o, nil
	case tmplArray:
		a := make([]any, len(t.items))
		for i, it := range t.items {
			v, err := it.eval(env)
			if err != nil {
				return nil, err
			}
			a[i] = v
		}
		return a, nil
	case tmplPath:
		v, err := env.path(t.path)
		if err != nil {
			where := "input"
			if t.path.context {
				where = "context object"
			}
			if !errors.Is(err, errPathNotFound) {
				return nil, &Error{Name: ErrRuntime, Cause: fmt.Sprintf("the JSONPath %s specified for the field %q failed: %v", t.path, t.field, err)}
			}
			return nil, &Error{Name: ErrRuntime, Cause: fmt.Sprintf("the JSONPath %s specified for the field %q could not be found in the %s", t.path, t.field, where)}
		}
		return v, nil
	case tmplIntrinsic:
		return t.fn.eval(env)
	}
	return t.lit, nil
}
