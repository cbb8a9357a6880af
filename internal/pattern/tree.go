package pattern

import (
	"encoding/json"
	"slices"
	"strconv"
	"unsafe"

	"quamina.net/go/quamina"
)

// Member is a named value added to a decoded document for matching
// (Matcher.MatchDecoded), e.g. a view of what a parser worked out. It is an object when
// Strings or Members is set (both may be), else the string String. Building members
// costs no conversion of each value to an interface, as a map[string]any would.
type Member struct {
	Name    string
	String  string
	Strings map[string]string // an object of string members
	Members []Member          // an object of these members
}

// treeFlattener is a quamina.Flattener over an already-decoded document (the generic form
// encoding/json decodes JSON into, plus map[string]string and []string), so an event is
// not encoded and parsed again to be matched. It visits only the members the patterns
// mention, and flattens exactly as quamina's own JSON flattener does: the same paths,
// string values with their quotes, literals as written, one array trail per array.
type treeFlattener struct {
	used   *usedNode // the member names the patterns mention, shared by every copy
	root   map[string]any
	more   []Member
	fields []quamina.Field
	buf    []byte
	trail  []quamina.ArrayPos
	arrays int32
	last   *treeFlattener // on the prototype only: the copy Copy made last
}

func (f *treeFlattener) Copy() quamina.Flattener {
	c := &treeFlattener{used: f.used, fields: make([]quamina.Field, 0, 32)}
	f.last = c
	return c
}

// Flatten ignores the bytes it is given: it flattens the document set on it.
func (f *treeFlattener) Flatten(_ []byte, tr quamina.SegmentsTreeTracker) ([]quamina.Field, error) {
	f.fields, f.buf, f.trail, f.arrays = f.fields[:0], f.buf[:0], f.trail[:0], 0
	f.object(f.root, f.more, tr, f.used)
	return f.fields, nil
}

// usedNode lists the member names the patterns mention at one level of a document, so
// flattening looks up those few names instead of visiting every member.
type usedNode struct {
	names    []string
	children map[string]*usedNode // names whose pattern value is an object
}

func (u *usedNode) child(name string) *usedNode {
	if c := u.children[name]; c != nil {
		return c
	}
	return noNames
}

var noNames = &usedNode{}

// add records the names a pattern (decoded JSON object) mentions.
func (u *usedNode) add(p map[string]any) {
	for k, v := range p {
		if !slices.Contains(u.names, k) {
			u.names = append(u.names, k)
		}
		if o, ok := v.(map[string]any); ok {
			if u.children == nil {
				u.children = map[string]*usedNode{}
			}
			c := u.children[k]
			if c == nil {
				c = &usedNode{}
				u.children[k] = c
			}
			c.add(o)
		}
	}
}

// segment views a member name as the bytes quamina's tracker looks up; the tracker
// only reads them (map lookups), so no copy is made.
func segment(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

func (f *treeFlattener) object(m map[string]any, more []Member, tr quamina.SegmentsTreeTracker, used *usedNode) {
	trail := f.snapshot()
	for _, k := range used.names {
		v, ok := m[k]
		if !ok || shadowed(more, k) {
			continue
		}
		f.member(k, v, tr, used, trail)
	}
	for i := range more {
		f.added(&more[i], tr, trail)
	}
}

func (f *treeFlattener) added(x *Member, tr quamina.SegmentsTreeTracker, trail []quamina.ArrayPos) {
	seg := segment(x.Name)
	if !tr.IsSegmentUsed(seg) {
		return
	}
	if x.Strings == nil && x.Members == nil {
		f.str(tr.PathForSegment(seg), x.String, trail)
		return
	}
	node, ok := tr.Get(seg)
	if !ok {
		return
	}
	t := f.snapshot()
	f.strings(x.Strings, node, t)
	// the added members are few and fixed: visited directly, checked by the tracker
	for i := range x.Members {
		f.added(&x.Members[i], node, t)
	}
}

func (f *treeFlattener) strings(m map[string]string, tr quamina.SegmentsTreeTracker, trail []quamina.ArrayPos) {
	for k, s := range m {
		if seg := segment(k); tr.IsSegmentUsed(seg) {
			f.str(tr.PathForSegment(seg), s, trail)
		}
	}
}

// str adds a string field, quoted as quamina's JSON flattener renders strings.
func (f *treeFlattener) str(path []byte, s string, trail []quamina.ArrayPos) {
	start := len(f.buf)
	f.buf = append(f.buf, '"')
	f.buf = append(f.buf, s...)
	f.buf = append(f.buf, '"')
	f.fields = append(f.fields, quamina.Field{Path: path, Val: f.buf[start:len(f.buf):len(f.buf)], ArrayTrail: trail})
}

func shadowed(more []Member, k string) bool {
	for _, x := range more {
		if x.Name == k {
			return true
		}
	}
	return false
}

func (f *treeFlattener) snapshot() []quamina.ArrayPos {
	if len(f.trail) == 0 {
		return nil
	}
	return append([]quamina.ArrayPos(nil), f.trail...)
}

func (f *treeFlattener) member(name string, v any, tr quamina.SegmentsTreeTracker, used *usedNode, trail []quamina.ArrayPos) {
	seg := segment(name)
	if !tr.IsSegmentUsed(seg) {
		return
	}
	switch x := v.(type) {
	case map[string]any:
		if node, ok := tr.Get(seg); ok {
			f.object(x, nil, node, used.child(name))
		}
	case map[string]string:
		if node, ok := tr.Get(seg); ok {
			f.strings(x, node, f.snapshot())
		}
	case string:
		f.str(tr.PathForSegment(seg), x, trail)
	case []any, []string:
		node, ok := tr.Get(seg)
		u := used.child(name)
		if !ok {
			node, u = tr, used // as quamina's JSON flattener: a list that is a field, not a node
		}
		f.array(tr.PathForSegment(seg), x, node, u)
	default:
		if val, isNum, ok := f.leaf(v); ok {
			f.fields = append(f.fields, quamina.Field{Path: tr.PathForSegment(seg), Val: val, ArrayTrail: trail, IsNumber: isNum})
		}
	}
}

func (f *treeFlattener) array(path []byte, list any, node quamina.SegmentsTreeTracker, used *usedNode) {
	f.arrays++
	f.trail = append(f.trail, quamina.ArrayPos{Array: f.arrays, Pos: 0})
	top := len(f.trail) - 1
	each := func(v any) {
		f.trail[top].Pos++
		switch x := v.(type) {
		case map[string]any:
			f.object(x, nil, node, used)
		case []any:
			f.array(path, x, node, used)
		case string:
			f.str(path, x, f.snapshot())
		default:
			if val, isNum, ok := f.leaf(v); ok {
				f.fields = append(f.fields, quamina.Field{Path: path, Val: val, ArrayTrail: f.snapshot(), IsNumber: isNum})
			}
		}
	}
	switch l := list.(type) {
	case []any:
		for _, v := range l {
			each(v)
		}
	case []string:
		for _, v := range l {
			f.trail[top].Pos++
			f.str(path, v, f.snapshot())
		}
	}
	f.trail = f.trail[:top]
}

// leaf renders a number or literal as quamina's JSON flattener does (strings: see str).
func (f *treeFlattener) leaf(v any) (val []byte, isNumber, ok bool) {
	start := len(f.buf)
	switch x := v.(type) {
	case float64:
		f.buf = strconv.AppendFloat(f.buf, x, 'f', -1, 64)
		isNumber = true
	case json.Number:
		f.buf = append(f.buf, x...)
		isNumber = true
	case bool:
		f.buf = strconv.AppendBool(f.buf, x)
	case nil:
		f.buf = append(f.buf, "null"...)
	default:
		return nil, false, false
	}
	return f.buf[start:len(f.buf):len(f.buf)], isNumber, true
}
