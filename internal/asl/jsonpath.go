package asl

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// The JSONPath dialect is the one AWS Step Functions takes from Jayway JsonPath:
//
//	$                      the whole input ($$ applies the rest to the context object)
//	.name  ['name']        object field (dot names take backslash escapes: $.a\.b)
//	[2]  [-1]              array element, negative counts from the end
//	.*  [*]                every field value or element
//	[1:3]  [-2:]  [::2]    slices
//	[0,2]  ['a','b']       unions
//	..name  ..[0]  ..*     recursive descent
//	[?(@.k == 'v')]        filters: == != < <= > >=, && || !, (), existence [?(@.k)]
//
// A path is definite when it uses only names and indexes; a definite path yields one
// value or fails, any other path yields an array of every match (possibly empty), as
// Jayway does. Reference paths (ResultPath, ItemsPath, *Path fields) must be definite.

type segKind int

const (
	segName segKind = iota
	segIndex
	segWildcard
	segSlice
	segNames   // union of names
	segIndexes // union of indexes
	segFilter
)

type segment struct {
	kind    segKind
	deep    bool // preceded by ".."
	name    string
	index   int
	names   []string
	indexes []int
	slice   [3]*int // start, end, step
	filter  filterExpr
}

// Path is a compiled JSONPath.
type Path struct {
	src      string
	context  bool // "$$": applies to the context object
	segs     []segment
	definite bool
}

func (p *Path) String() string { return p.src }

// maxPathLength bounds the text of a path (real paths are far shorter); it also bounds
// the recursion of nested filters.
const maxPathLength = 10000

// parsePath compiles a Path. Paths starting with "$$" apply to the context object.
func parsePath(src string) (*Path, error) {
	if len(src) > maxPathLength {
		return nil, fmt.Errorf("path is longer than %d characters", maxPathLength)
	}
	s := src
	p := &Path{src: src}
	if strings.HasPrefix(s, "$$") {
		p.context = true
		s = s[1:]
	}
	if !strings.HasPrefix(s, "$") {
		return nil, fmt.Errorf("path %q must begin with $", src)
	}
	segs, err := parseSegments(s, 1)
	if err != nil {
		return nil, fmt.Errorf("path %q: %w", src, err)
	}
	p.segs = segs
	p.definite = true
	for _, sg := range segs {
		if sg.deep || (sg.kind != segName && sg.kind != segIndex) {
			p.definite = false
		}
	}
	return p, nil
}

// parseReferencePath compiles a Path that must identify a single node.
func parseReferencePath(src string) (*Path, error) {
	p, err := parsePath(src)
	if err != nil {
		return nil, err
	}
	if !p.definite {
		return nil, fmt.Errorf("%q is not a reference path: only field names and array indexes may follow $", src)
	}
	return p, nil
}

// parseSegments parses the path text after the leading $ (or @) at position i.
func parseSegments(s string, i int) ([]segment, error) {
	var segs []segment
	for i < len(s) {
		deep := false
		switch s[i] {
		case '.':
			i++
			if i < len(s) && s[i] == '.' {
				deep = true
				i++
			}
			if i >= len(s) {
				return nil, errors.New("path ends after '.'")
			}
			if s[i] == '[' {
				if !deep {
					return nil, errors.New("'[' may not follow '.'")
				}
				seg, n, err := parseBracket(s, i)
				if err != nil {
					return nil, err
				}
				seg.deep = true
				segs = append(segs, seg)
				i = n
				continue
			}
			if s[i] == '*' {
				segs = append(segs, segment{kind: segWildcard, deep: deep})
				i++
				continue
			}
			name, n, err := parseDotName(s, i)
			if err != nil {
				return nil, err
			}
			segs = append(segs, segment{kind: segName, deep: deep, name: name})
			i = n
		case '[':
			seg, n, err := parseBracket(s, i)
			if err != nil {
				return nil, err
			}
			segs = append(segs, seg)
			i = n
		default:
			return nil, fmt.Errorf("unexpected %q at offset %d", s[i], i)
		}
	}
	return segs, nil
}

// parseDotName reads a field name after '.', honouring backslash escapes.
func parseDotName(s string, i int) (string, int, error) {
	var b strings.Builder
	for i < len(s) {
		c := s[i]
		if c == '\\' {
			if i+1 >= len(s) {
				return "", 0, errors.New("path ends with an open escape '\\'")
			}
			b.WriteByte(s[i+1])
			i += 2
			continue
		}
		if c == '.' || c == '[' {
			break
		}
		if c == ']' || c == ' ' || c == '(' || c == ')' || c == ',' || c == '\'' || c == '"' {
			return "", 0, fmt.Errorf("unexpected %q in field name at offset %d (use ['...'] or escape it)", c, i)
		}
		b.WriteByte(c)
		i++
	}
	if b.Len() == 0 {
		return "", 0, fmt.Errorf("empty field name at offset %d", i)
	}
	return b.String(), i, nil
}

func skipSpaces(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	return i
}

// parseBracket parses "[...]" starting at s[i] == '['; it returns the position after ']'.
func parseBracket(s string, i int) (segment, int, error) {
	i = skipSpaces(s, i+1)
	if i >= len(s) {
		return segment{}, 0, errors.New("unclosed '['")
	}
	switch c := s[i]; {
	case c == '*':
		i = skipSpaces(s, i+1)
		if i >= len(s) || s[i] != ']' {
			return segment{}, 0, errors.New("expected ']' after '[*'")
		}
		return segment{kind: segWildcard}, i + 1, nil
	case c == '?':
		i = skipSpaces(s, i+1)
		if i >= len(s) || s[i] != '(' {
			return segment{}, 0, errors.New("expected '(' after '[?'")
		}
		end, err := matchParen(s, i)
		if err != nil {
			return segment{}, 0, err
		}
		f, err := parseFilter(s[i+1 : end])
		if err != nil {
			return segment{}, 0, fmt.Errorf("filter %q: %w", s[i:end+1], err)
		}
		j := skipSpaces(s, end+1)
		if j >= len(s) || s[j] != ']' {
			return segment{}, 0, errors.New("expected ']' after filter")
		}
		return segment{kind: segFilter, filter: f}, j + 1, nil
	case c == '\'' || c == '"':
		var names []string
		for {
			str, n, err := parseQuoted(s, i)
			if err != nil {
				return segment{}, 0, err
			}
			names = append(names, str)
			i = skipSpaces(s, n)
			if i >= len(s) {
				return segment{}, 0, errors.New("unclosed '['")
			}
			if s[i] == ']' {
				break
			}
			if s[i] != ',' {
				return segment{}, 0, fmt.Errorf("unexpected %q in bracket at offset %d", s[i], i)
			}
			i = skipSpaces(s, i+1)
			if i >= len(s) || (s[i] != '\'' && s[i] != '"') {
				return segment{}, 0, errors.New("expected a quoted name after ','")
			}
		}
		if len(names) == 1 {
			return segment{kind: segName, name: names[0]}, i + 1, nil
		}
		return segment{kind: segNames, names: names}, i + 1, nil
	default:
		end := strings.IndexByte(s[i:], ']')
		if end < 0 {
			return segment{}, 0, errors.New("unclosed '['")
		}
		body := strings.TrimSpace(s[i : i+end])
		seg, err := parseIndexBody(body)
		if err != nil {
			return segment{}, 0, err
		}
		return seg, i + end + 1, nil
	}
}

func parseIndexBody(body string) (segment, error) {
	if strings.Contains(body, ":") {
		parts := strings.Split(body, ":")
		if len(parts) > 3 {
			return segment{}, fmt.Errorf("bad slice [%s]", body)
		}
		var seg segment
		seg.kind = segSlice
		for k, part := range parts {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			n, err := strconv.Atoi(part)
			if err != nil {
				return segment{}, fmt.Errorf("bad slice [%s]", body)
			}
			seg.slice[k] = &n
		}
		if seg.slice[2] != nil && *seg.slice[2] == 0 {
			return segment{}, fmt.Errorf("slice step may not be 0 in [%s]", body)
		}
		return seg, nil
	}
	parts := strings.Split(body, ",")
	idx := make([]int, 0, len(parts))
	for _, part := range parts {
		n, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil {
			return segment{}, fmt.Errorf("bad index [%s]", body)
		}
		idx = append(idx, n)
	}
	if len(idx) == 1 {
		return segment{kind: segIndex, index: idx[0]}, nil
	}
	return segment{kind: segIndexes, indexes: idx}, nil
}

// parseQuoted reads a '...' or "..." string at s[i] with backslash escapes; it returns
// the position after the closing quote.
func parseQuoted(s string, i int) (string, int, error) {
	q := s[i]
	var b strings.Builder
	for j := i + 1; j < len(s); j++ {
		c := s[j]
		switch {
		case c == '\\':
			if j+1 >= len(s) {
				return "", 0, errors.New("unterminated string")
			}
			j++
			b.WriteByte(s[j])
		case c == q:
			return b.String(), j + 1, nil
		default:
			b.WriteByte(c)
		}
	}
	return "", 0, errors.New("unterminated string")
}

// matchParen returns the index of the ')' matching the '(' at s[i], skipping quoted
// strings.
func matchParen(s string, i int) (int, error) {
	depth := 0
	for j := i; j < len(s); j++ {
		switch s[j] {
		case '\'', '"':
			_, n, err := parseQuoted(s, j)
			if err != nil {
				return 0, err
			}
			j = n - 1
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return j, nil
			}
		}
	}
	return 0, errors.New("unbalanced parentheses")
}

// errPathNotFound reports a definite path that selects nothing.
var errPathNotFound = errors.New("path not found")

// eval applies p to root (the input, or the context object for $$ paths; the caller
// picks). A definite path returns its single value or errPathNotFound; any other path
// returns the array of all matches.
func (p *Path) eval(root any) (any, error) {
	nodes := []any{root}
	for _, sg := range p.segs {
		var next []any
		for _, n := range nodes {
			if sg.deep {
				for _, d := range descendants(n, nil) {
					next = sg.apply(d, root, next)
				}
			} else {
				next = sg.apply(n, root, next)
			}
		}
		nodes = next
		if p.definite && len(nodes) == 0 {
			return nil, errPathNotFound
		}
	}
	if p.definite {
		return nodes[0], nil
	}
	if nodes == nil {
		nodes = []any{}
	}
	return nodes, nil
}

// descendants lists n and everything under it, in document order.
func descendants(n any, out []any) []any {
	out = append(out, n)
	switch t := n.(type) {
	case []any:
		for _, e := range t {
			out = descendants(e, out)
		}
	case *object:
		for _, k := range t.keys {
			out = descendants(t.vals[k], out)
		}
	}
	return out
}

func normIndex(i, n int) (int, bool) {
	if i < 0 {
		i += n
	}
	return i, i >= 0 && i < n
}

// apply appends the matches of one segment applied to n.
func (sg *segment) apply(n, root any, out []any) []any {
	switch sg.kind {
	case segName:
		if o, ok := n.(*object); ok {
			if v, ok := o.get(sg.name); ok {
				out = append(out, v)
			}
		}
	case segNames:
		if o, ok := n.(*object); ok {
			for _, name := range sg.names {
				if v, ok := o.get(name); ok {
					out = append(out, v)
				}
			}
		}
	case segIndex:
		if a, ok := n.([]any); ok {
			if i, ok := normIndex(sg.index, len(a)); ok {
				out = append(out, a[i])
			}
		}
	case segIndexes:
		if a, ok := n.([]any); ok {
			for _, idx := range sg.indexes {
				if i, ok := normIndex(idx, len(a)); ok {
					out = append(out, a[i])
				}
			}
		}
	case segWildcard:
		switch t := n.(type) {
		case []any:
			out = append(out, t...)
		case *object:
			for _, k := range t.keys {
				out = append(out, t.vals[k])
			}
		}
	case segSlice:
		if a, ok := n.([]any); ok {
			for _, i := range sliceIndexes(sg.slice, len(a)) {
				out = append(out, a[i])
			}
		}
	case segFilter:
		switch t := n.(type) {
		case []any:
			for _, e := range t {
				if sg.filter.test(e, root) {
					out = append(out, e)
				}
			}
		case *object:
			if sg.filter.test(t, root) {
				out = append(out, t)
			}
		}
	}
	return out
}

// sliceIndexes follows Python slice semantics.
func sliceIndexes(sl [3]*int, n int) []int {
	step := 1
	if sl[2] != nil {
		step = *sl[2]
	}
	clamp := func(v *int, def int, lo, hi int) int {
		if v == nil {
			return def
		}
		x := *v
		if x < 0 {
			x += n
		}
		if x < lo {
			x = lo
		}
		if x > hi {
			x = hi
		}
		return x
	}
	var idx []int
	if step > 0 {
		start := clamp(sl[0], 0, 0, n)
		end := clamp(sl[1], n, 0, n)
		for i := start; i < end; i += step {
			idx = append(idx, i)
		}
		return idx
	}
	start := clamp(sl[0], n-1, -1, n-1)
	end := clamp(sl[1], -1, -1, n-1)
	if sl[1] == nil {
		end = -1
	}
	for i := start; i > end; i += step {
		idx = append(idx, i)
	}
	return idx
}

// set returns a copy of root with the node at reference path p replaced by v, creating
// missing objects on the way, as ResultPath does. It fails when the path runs through
// something that is not an object (or an array, for an index in range).
func (p *Path) set(root, v any) (any, error) {
	return setAt(root, p.segs, v, true)
}

func setAt(n any, segs []segment, v any, present bool) (any, error) {
	if len(segs) == 0 {
		return v, nil
	}
	sg := segs[0]
	switch sg.kind {
	case segName:
		var o *object
		switch t := n.(type) {
		case *object:
			o = t.clone()
		default:
			if present {
				return nil, fmt.Errorf("cannot set field %q in a %s", sg.name, typeName(n))
			}
			o = newObject(1)
		}
		child, ok := o.get(sg.name)
		nv, err := setAt(child, segs[1:], v, ok)
		if err != nil {
			return nil, err
		}
		o.set(sg.name, nv)
		return o, nil
	case segIndex:
		a, ok := n.([]any)
		if !ok || !present {
			return nil, fmt.Errorf("cannot set index [%d] in a %s", sg.index, typeName(n))
		}
		i, ok := normIndex(sg.index, len(a))
		if !ok {
			return nil, fmt.Errorf("index [%d] is out of range for an array of %d", sg.index, len(a))
		}
		c := append([]any(nil), a...)
		nv, err := setAt(c[i], segs[1:], v, true)
		if err != nil {
			return nil, err
		}
		c[i] = nv
		return c, nil
	}
	return nil, errors.New("not a reference path")
}

// Filters.

type filterExpr interface {
	test(current, root any) bool
}

type filterOr struct{ l, r filterExpr }
type filterAnd struct{ l, r filterExpr }
type filterNot struct{ e filterExpr }
type filterExists struct{ op operand }
type filterCmp struct {
	op   string
	l, r operand
}

func (f filterOr) test(c, r any) bool     { return f.l.test(c, r) || f.r.test(c, r) }
func (f filterAnd) test(c, r any) bool    { return f.l.test(c, r) && f.r.test(c, r) }
func (f filterNot) test(c, r any) bool    { return !f.e.test(c, r) }
func (f filterExists) test(c, r any) bool { _, ok := f.op.value(c, r); return ok }

func (f filterCmp) test(c, r any) bool {
	a, ok := f.l.value(c, r)
	if !ok {
		return false
	}
	b, ok := f.r.value(c, r)
	if !ok {
		return false
	}
	switch f.op {
	case "==":
		return equalJSON(a, b)
	case "!=":
		return !equalJSON(a, b)
	}
	var cmp int
	switch x := a.(type) {
	case json.Number:
		y, ok := b.(json.Number)
		if !ok {
			return false
		}
		if cmp, ok = compareNumbers(x, y); !ok {
			return false
		}
	case string:
		y, ok := b.(string)
		if !ok {
			return false
		}
		cmp = strings.Compare(x, y)
	default:
		return false
	}
	switch f.op {
	case "<":
		return cmp < 0
	case "<=":
		return cmp <= 0
	case ">":
		return cmp > 0
	case ">=":
		return cmp >= 0
	}
	return false
}

// operand is a literal or a path relative to the current node (@) or the root ($).
type operand struct {
	lit      any
	path     []segment
	relative bool
	isPath   bool
}

func (o operand) value(current, root any) (any, bool) {
	if !o.isPath {
		return o.lit, true
	}
	n := root
	if o.relative {
		n = current
	}
	p := Path{segs: o.path, definite: true}
	for _, sg := range o.path {
		if sg.deep || (sg.kind != segName && sg.kind != segIndex) {
			p.definite = false
		}
	}
	v, err := p.eval(n)
	if err != nil {
		return nil, false
	}
	return v, true
}

type filterParser struct {
	s     string
	pos   int
	depth int
}

// maxFilterNesting bounds "!" and "(" nesting in a filter.
const maxFilterNesting = 64

func parseFilter(s string) (filterExpr, error) {
	p := &filterParser{s: s}
	e, err := p.or()
	if err != nil {
		return nil, err
	}
	p.space()
	if p.pos != len(p.s) {
		return nil, fmt.Errorf("unexpected %q", p.s[p.pos:])
	}
	return e, nil
}

func (p *filterParser) space() { p.pos = skipSpaces(p.s, p.pos) }

func (p *filterParser) eat(tok string) bool {
	p.space()
	if strings.HasPrefix(p.s[p.pos:], tok) {
		p.pos += len(tok)
		return true
	}
	return false
}

func (p *filterParser) or() (filterExpr, error) {
	l, err := p.and()
	if err != nil {
		return nil, err
	}
	for p.eat("||") {
		r, err := p.and()
		if err != nil {
			return nil, err
		}
		l = filterOr{l, r}
	}
	return l, nil
}

func (p *filterParser) and() (filterExpr, error) {
	l, err := p.unary()
	if err != nil {
		return nil, err
	}
	for p.eat("&&") {
		r, err := p.unary()
		if err != nil {
			return nil, err
		}
		l = filterAnd{l, r}
	}
	return l, nil
}

func (p *filterParser) unary() (filterExpr, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxFilterNesting {
		return nil, fmt.Errorf("filter nests deeper than %d", maxFilterNesting)
	}
	p.space()
	if strings.HasPrefix(p.s[p.pos:], "!") && !strings.HasPrefix(p.s[p.pos:], "!=") {
		p.pos++
		e, err := p.unary()
		if err != nil {
			return nil, err
		}
		return filterNot{e}, nil
	}
	if p.eat("(") {
		e, err := p.or()
		if err != nil {
			return nil, err
		}
		if !p.eat(")") {
			return nil, errors.New("missing ')'")
		}
		return e, nil
	}
	l, err := p.operand()
	if err != nil {
		return nil, err
	}
	for _, op := range []string{"==", "!=", "<=", ">=", "<", ">"} {
		if p.eat(op) {
			r, err := p.operand()
			if err != nil {
				return nil, err
			}
			return filterCmp{op: op, l: l, r: r}, nil
		}
	}
	p.space()
	if strings.HasPrefix(p.s[p.pos:], "=~") {
		return nil, errors.New("regular expression filters (=~) are not supported")
	}
	if !l.isPath {
		return nil, errors.New("a filter needs a comparison or an @ path")
	}
	return filterExists{l}, nil
}

func (p *filterParser) operand() (operand, error) {
	p.space()
	if p.pos >= len(p.s) {
		return operand{}, errors.New("missing operand")
	}
	c := p.s[p.pos]
	switch {
	case c == '@' || c == '$':
		start := p.pos
		end := p.pos + 1
		// A path operand runs until an operator, a space or a closing parenthesis that
		// is not inside brackets.
		depth := 0
		for end < len(p.s) {
			ch := p.s[end]
			if ch == '\'' || ch == '"' {
				_, n, err := parseQuoted(p.s, end)
				if err != nil {
					return operand{}, err
				}
				end = n
				continue
			}
			if ch == '[' {
				depth++
			} else if ch == ']' {
				depth--
			} else if depth == 0 && strings.ContainsRune(" \t=!<>&|)", rune(ch)) {
				break
			}
			end++
		}
		segs, err := parseSegments(p.s[start:end], 1)
		if err != nil {
			return operand{}, err
		}
		p.pos = end
		return operand{isPath: true, relative: c == '@', path: segs}, nil
	case c == '\'' || c == '"':
		str, n, err := parseQuoted(p.s, p.pos)
		if err != nil {
			return operand{}, err
		}
		p.pos = n
		return operand{lit: str}, nil
	}
	for _, kw := range []struct {
		word string
		v    any
	}{{"true", true}, {"false", false}, {"null", nil}} {
		if strings.HasPrefix(p.s[p.pos:], kw.word) {
			p.pos += len(kw.word)
			return operand{lit: kw.v}, nil
		}
	}
	end := p.pos
	for end < len(p.s) && strings.ContainsRune("+-0123456789.eE", rune(p.s[end])) {
		end++
	}
	num := p.s[p.pos:end]
	if num == "" {
		return operand{}, fmt.Errorf("unexpected %q", p.s[p.pos:])
	}
	if _, err := strconv.ParseFloat(num, 64); err != nil {
		return operand{}, fmt.Errorf("bad number %q", num)
	}
	p.pos = end
	return operand{lit: json.Number(num)}, nil
}
