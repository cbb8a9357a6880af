// Package strictyaml decodes YAML configuration strictly (unknown keys are errors) and
// reports problems as "file:line: key: reason", for both syntax errors and the semantic
// checks callers make after decoding.
package strictyaml

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
)

// Error is a configuration problem at a place in a file.
type Error struct {
	File string
	Line int    // 0 when unknown
	Key  string // dotted path, e.g. taxonomy[3].severity; empty for whole-file problems
	Msg  string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Key != "" {
		b.WriteString(e.Key + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Errors is several configuration problems, reported together so one edit fixes them all.
type Errors []*Error

func (es Errors) Error() string {
	msgs := make([]string, len(es))
	for i, e := range es {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "\n")
}

// Doc is a decoded file, kept to locate keys for later error messages.
type Doc struct {
	File string
	root *yaml.Node
}

// The patterns of yaml.v3's messages, compiled the first time a decode fails: every
// binary that links this package (the Lambdas too) would otherwise compile them at init.
var (
	lineRe    = lazyRegexp(`^line (\d+): (.*)$`)
	posRe     = lazyRegexp(`^line (\d+) column (\d+): (.*)$`)
	unknownRe = lazyRegexp(`^field (\S+) not found in type `)
	typeRe    = lazyRegexp("^cannot unmarshal (!!\\w+)(?: `(.*)`)? into (.+)$")
	dupRe     = lazyRegexp(`^mapping key "(.*)" already defined at line (\d+)$`)
)

func lazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}

// Decode decodes data into v, rejecting unknown keys, duplicate keys, type mismatches, a
// file with nothing in it and a second YAML document. Type errors name the key's full
// path and its line. When the only problems are type errors and unknown keys, the Doc is
// returned with them, so callers can check the rest and report every problem at once.
func Decode(file string, data []byte, v any) (*Doc, error) {
	doc := &Doc{File: file}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, doc.yamlErr(err)
	}
	if root.Kind == 0 || (len(root.Content) == 1 && root.Content[0].Tag == "!!null") {
		return nil, &Error{File: file, Msg: "empty file: it holds no configuration"}
	}
	doc.root = &root
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	decodeErr := dec.Decode(v)
	var te *yaml.TypeError
	if decodeErr != nil && !errors.As(decodeErr, &te) {
		return nil, doc.yamlErr(decodeErr)
	}
	var next yaml.Node
	if err := dec.Decode(&next); !errors.Is(err, io.EOF) {
		line := next.Line
		if err != nil {
			line = 0
		}
		return nil, &Error{File: file, Line: line, Msg: "a second YAML document starts here: the configuration is one document (remove the ---)"}
	}
	if decodeErr != nil {
		return doc, doc.yamlErr(decodeErr)
	}
	return doc, nil
}

// NodeError is an error about the value of n, for UnmarshalYAML methods: it lets
// decoding go on (so every problem is reported) and Decode names the key and the line.
func NodeError(n *yaml.Node, format string, args ...any) error {
	return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d column %d: %s", n.Line, n.Column, fmt.Sprintf(format, args...))}}
}

// Got describes a node's value for messages: "a list", "a mapping", or the value quoted.
func Got(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	}
	return strconv.Quote(n.Value)
}

func (d *Doc) yamlErr(err error) error {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		var es Errors
		for _, m := range te.Errors {
			es = append(es, d.parseMsg(m))
		}
		if len(es) == 1 {
			return es[0]
		}
		return es
	}
	return d.parseMsg(strings.TrimPrefix(err.Error(), "yaml: "))
}

func (d *Doc) parseMsg(m string) *Error {
	e := &Error{File: d.File, Msg: m}
	if g := posRe().FindStringSubmatch(m); g != nil {
		e.Line, _ = strconv.Atoi(g[1])
		col, _ := strconv.Atoi(g[2])
		e.Msg = g[3]
		e.Key = d.find(func(n *yaml.Node) bool { return n.Line == e.Line && n.Column == col })
		return e
	}
	if g := lineRe().FindStringSubmatch(m); g != nil {
		e.Line, _ = strconv.Atoi(g[1])
		e.Msg = g[2]
	}
	if g := unknownRe().FindStringSubmatch(e.Msg); g != nil {
		e.Key = d.keyPath(e.Line, g[1])
		e.Msg = "unknown key"
		return e
	}
	if g := dupRe().FindStringSubmatch(e.Msg); g != nil {
		e.Key = d.find(func(n *yaml.Node) bool { return n.Line == e.Line })
		e.Msg = fmt.Sprintf("defined twice (first at line %s)", g[2])
		return e
	}
	if g := typeRe().FindStringSubmatch(e.Msg); g != nil {
		tag, val, into := g[1], g[2], g[3]
		e.Key = d.find(func(n *yaml.Node) bool {
			if n.Line != e.Line || n.ShortTag() != tag {
				return false
			}
			if short, ok := strings.CutSuffix(val, "..."); ok && len(n.Value) > 10 {
				return strings.HasPrefix(n.Value, short)
			}
			return n.Kind != yaml.ScalarNode || n.Value == val
		})
		got := map[string]string{"!!seq": "a list", "!!map": "a mapping"}[tag]
		if got == "" {
			got = strconv.Quote(val)
		}
		e.Msg = fmt.Sprintf("want %s, got %s", want(into), got)
	}
	return e
}

// want names a Go type the way a configuration author thinks of it.
func want(goType string) string {
	goType = strings.TrimLeft(goType, "*")
	switch {
	case strings.HasPrefix(goType, "[]"):
		return "a list"
	case strings.HasPrefix(goType, "map["), strings.Contains(goType, "."):
		return "a mapping"
	case strings.HasPrefix(goType, "int"), strings.HasPrefix(goType, "uint"):
		return "a whole number"
	case strings.HasPrefix(goType, "float"):
		return "a number"
	case goType == "bool":
		return "true or false"
	case goType == "string":
		return "a string"
	}
	return goType
}

// keyPath returns the full path of the mapping key name written at line
// ("defaults.colour" for a colour under defaults), or name alone when no key is there.
func (d *Doc) keyPath(line int, name string) string {
	path := name
	d.walk(func(n *yaml.Node, parent string, _ int) bool {
		if n.Kind != yaml.MappingNode {
			return false
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if k := n.Content[i]; k.Line == line && k.Value == name {
				path = join(parent, name)
				return true
			}
		}
		return false
	})
	return path
}

// find returns the dotted path of the deepest value node for which ok is true (the
// first in file order among equally deep ones); "" if none. Deepest, because a
// collection starts on the line of its parent's key.
func (d *Doc) find(ok func(*yaml.Node) bool) string {
	best, bestDepth := "", -1
	d.walk(func(n *yaml.Node, path string, depth int) bool {
		if ok(n) && depth > bestDepth {
			best, bestDepth = path, depth
		}
		return false
	})
	return best
}

// walk calls visit with every value node of the document, its dotted path and its
// depth, in file order, until visit returns true.
func (d *Doc) walk(visit func(n *yaml.Node, path string, depth int) bool) {
	if d.root == nil {
		return
	}
	var rec func(n *yaml.Node, path string, depth int) bool
	rec = func(n *yaml.Node, path string, depth int) bool {
		if visit(n, path, depth) {
			return true
		}
		switch n.Kind {
		case yaml.DocumentNode:
			for _, c := range n.Content {
				if rec(c, path, depth) {
					return true
				}
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				if rec(c, fmt.Sprintf("%s[%d]", path, i), depth+1) {
					return true
				}
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				if rec(n.Content[i+1], join(path, n.Content[i].Value), depth+1) {
					return true
				}
			}
		}
		return false
	}
	rec(d.root, "", 0)
}

// join appends a mapping key to a dotted path.
func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// Errorf makes an Error for the key at path ("teams.platform.email", "taxonomy[2].match"),
// with the line of the deepest part of the path that exists in the file.
func (d *Doc) Errorf(path, format string, args ...any) *Error {
	return &Error{File: d.File, Line: d.Line(path), Key: path, Msg: fmt.Sprintf(format, args...)}
}

// Line returns the line of the node at path, or of its nearest existing ancestor.
func (d *Doc) Line(path string) int {
	if d == nil || d.root == nil {
		return 0
	}
	n := d.root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	line := n.Line
	for _, seg := range splitPath(path) {
		next := child(n, seg)
		if next == nil {
			break
		}
		n = next
		line = n.Line
	}
	return line
}

func child(n *yaml.Node, seg string) *yaml.Node {
	if i, err := strconv.Atoi(seg); err == nil && n.Kind == yaml.SequenceNode {
		if i >= 0 && i < len(n.Content) {
			return n.Content[i]
		}
		return nil
	}
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == seg {
			// Point at the key for scalars (the key's line is the value's line) and
			// at the value for collections so deeper lookups can continue.
			return n.Content[i+1]
		}
	}
	return nil
}

// splitPath turns "taxonomy[2].match.detail" into ["taxonomy", "2", "match", "detail"].
func splitPath(p string) []string {
	var out []string
	for _, part := range strings.Split(p, ".") {
		for part != "" {
			i := strings.IndexByte(part, '[')
			if i < 0 {
				out = append(out, part)
				break
			}
			if i > 0 {
				out = append(out, part[:i])
			}
			j := strings.IndexByte(part, ']')
			if j < i {
				out = append(out, part[i:])
				break
			}
			out = append(out, part[i+1:j])
			part = part[j+1:]
		}
	}
	return out
}
