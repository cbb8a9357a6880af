// Package strictyaml decodes YAML configuration strictly (unknown keys are errors) and
// reports problems as "file:line: key: reason", for both syntax errors and the semantic
// checks callers make after decoding.
package strictyaml

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

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

var (
	lineRe    = regexp.MustCompile(`^line (\d+): (.*)$`)
	unknownRe = regexp.MustCompile(`^field (\S+) not found in type `)
)

// Decode decodes data into v, rejecting unknown keys, duplicate keys and type mismatches.
func Decode(file string, data []byte, v any) (*Doc, error) {
	doc := &Doc{File: file}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, doc.yamlErr(err)
	}
	doc.root = &root
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, &Error{File: file, Msg: "empty file"}
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		return nil, doc.yamlErr(err)
	}
	return doc, nil
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
	if g := lineRe.FindStringSubmatch(m); g != nil {
		e.Line, _ = strconv.Atoi(g[1])
		e.Msg = g[2]
	}
	if g := unknownRe.FindStringSubmatch(e.Msg); g != nil {
		e.Key = g[1]
		e.Msg = "unknown key"
	}
	e.Msg = strings.Replace(e.Msg, "cannot unmarshal !!str", "cannot use string", 1)
	return e
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
