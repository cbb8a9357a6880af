// Package pattern checks and matches EventBridge event patterns locally.
//
// Firebreak's patterns (the event catalog's rules and the taxonomy's class matchers) are
// restricted to the subset that EventBridge and quamina implement identically: exact
// string values, and the operators prefix, wildcard, exists, anything-but (a list of
// strings) and equals-ignore-case. Numeric matching, cidr, suffix and $or are rejected.
//
// A Matcher matches JSON events (Match) or events already decoded into encoding/json's
// generic form (MatchDecoded), which it flattens for quamina without encoding them
// again, visiting only the members its patterns mention; both report the same patterns.
package pattern

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"

	"quamina.net/go/quamina"
)

// Validate checks that p is an EventBridge pattern within the supported subset and
// returns its canonical JSON (keys sorted).
func Validate(p any) (json.RawMessage, error) {
	m, ok := p.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("pattern must be an object, got %s", kind(p))
	}
	if len(m) == 0 {
		return nil, fmt.Errorf("pattern is empty: it would match every event")
	}
	if err := checkObject("", m); err != nil {
		return nil, err
	}
	b, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("pattern: %w", err)
	}
	return b, nil
}

// ValidateJSON is Validate for a pattern given as JSON text.
func ValidateJSON(b []byte) (json.RawMessage, error) {
	var v any
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		return nil, fmt.Errorf("pattern is not valid JSON: %w", err)
	}
	return Validate(v)
}

func checkObject(path string, m map[string]any) error {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		p := join(path, k)
		if strings.HasPrefix(k, "$") {
			return fmt.Errorf("%q is not supported (quamina has no $or)", p)
		}
		switch v := m[k].(type) {
		case map[string]any:
			if len(v) == 0 {
				return fmt.Errorf("%s: empty object", p)
			}
			if err := checkObject(p, v); err != nil {
				return err
			}
		case []any:
			if len(v) == 0 {
				return fmt.Errorf("%s: empty list matches nothing", p)
			}
			for i, x := range v {
				if err := checkValue(fmt.Sprintf("%s[%d]", p, i), x); err != nil {
					return err
				}
			}
		default:
			return fmt.Errorf("%s: must be a list of values or an object, got %s", p, kind(v))
		}
	}
	return nil
}

func checkValue(path string, v any) error {
	switch x := v.(type) {
	case string, bool, nil:
		return nil
	case float64, int, json.Number:
		return fmt.Errorf("%s: numbers are not supported (EventBridge and quamina compare them differently); match a string field", path)
	case map[string]any:
		if len(x) != 1 {
			return fmt.Errorf("%s: an operator object must have exactly one key", path)
		}
		for op, arg := range x {
			switch op {
			case "prefix", "wildcard", "equals-ignore-case":
				if _, ok := arg.(string); !ok {
					return fmt.Errorf("%s: %s takes a string, got %s", path, op, kind(arg))
				}
			case "exists":
				if _, ok := arg.(bool); !ok {
					return fmt.Errorf("%s: exists takes true or false, got %s", path, kind(arg))
				}
			case "anything-but":
				list, ok := arg.([]any)
				if !ok || len(list) == 0 {
					return fmt.Errorf("%s: anything-but takes a non-empty list of strings", path)
				}
				for _, s := range list {
					if _, ok := s.(string); !ok {
						return fmt.Errorf("%s: anything-but takes a list of strings, got %s", path, kind(s))
					}
				}
			default:
				return fmt.Errorf("%s: operator %q is not supported (use prefix, wildcard, exists, anything-but, equals-ignore-case)", path, op)
			}
		}
		return nil
	default:
		return fmt.Errorf("%s: unsupported value of type %s", path, kind(v))
	}
}

func join(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}

func kind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case float64, int, json.Number:
		return "a number"
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// Matcher matches events against a fixed, ordered list of patterns, given either as JSON
// (Match) or already decoded (MatchDecoded). It is safe for concurrent use: each
// goroutine borrows its own copy of the automaton.
//
// Compile builds only the automaton for decoded events (what classification uses); the
// one for JSON events is built the first time Match needs it, so that a Lambda which
// never matches JSON does not pay for it at cold start.
type Matcher struct {
	patterns  []json.RawMessage
	mu        sync.Mutex // guards the prototypes' Copy
	protoOnce sync.Once
	proto     *quamina.Quamina // JSON events; never matched against, only copied
	protoErr  error
	treeProto *quamina.Quamina // decoded events, flattened by treeFlat's copies
	treeFlat  *treeFlattener
	pool      sync.Pool // *quamina.Quamina
	treePool  sync.Pool // *treeMatcher
}

type treeMatcher struct {
	q *quamina.Quamina
	f *treeFlattener
}

// Compile builds a Matcher; Match reports pattern indexes into patterns.
func Compile(patterns []json.RawMessage) (*Matcher, error) {
	tf := &treeFlattener{used: &usedNode{}}
	tq, err := quamina.New(quamina.WithFlattener(tf))
	if err != nil {
		return nil, fmt.Errorf("create matcher: %w", err)
	}
	for i, p := range patterns {
		var v map[string]any
		if err := json.Unmarshal(p, &v); err != nil {
			return nil, fmt.Errorf("pattern %d %s: %w", i, p, err)
		}
		tf.used.add(v)
		if err := tq.AddPattern(i, string(p)); err != nil {
			return nil, fmt.Errorf("pattern %d %s: %w", i, p, err)
		}
	}
	m := &Matcher{patterns: patterns, treeProto: tq, treeFlat: tf}
	m.pool.New = func() any {
		m.mu.Lock()
		defer m.mu.Unlock()
		return m.proto.Copy()
	}
	m.treePool.New = func() any {
		m.mu.Lock()
		defer m.mu.Unlock()
		q := m.treeProto.Copy() // calls m.treeFlat.Copy, which records the copy it made
		return &treeMatcher{q: q, f: m.treeFlat.last}
	}
	return m, nil
}

// Match returns the indexes of the patterns the JSON event matches, ascending.
func (m *Matcher) Match(event []byte) ([]int, error) {
	if err := m.buildProto(); err != nil {
		return nil, err
	}
	q := m.pool.Get().(*quamina.Quamina)
	defer m.pool.Put(q)
	xs, err := q.MatchesForEvent(event)
	if err != nil {
		return nil, fmt.Errorf("match event: %w", err)
	}
	return indexes(xs), nil
}

// buildProto builds the automaton for JSON events once, from the patterns the decoded
// one already accepted.
func (m *Matcher) buildProto() error {
	m.protoOnce.Do(func() {
		q, err := quamina.New()
		if err != nil {
			m.protoErr = fmt.Errorf("create matcher: %w", err)
			return
		}
		for i, p := range m.patterns {
			if err := q.AddPattern(i, string(p)); err != nil {
				m.protoErr = fmt.Errorf("pattern %d %s: %w", i, p, err)
				return
			}
		}
		m.proto = q
	})
	return m.protoErr
}

// MatchDecoded is Match for an event already decoded (as encoding/json decodes a JSON
// object into any; map[string]string and []string values are accepted too), with the
// members more added at its top level (replacing any of the same name). It matches as
// Match would on the event's JSON.
func (m *Matcher) MatchDecoded(event map[string]any, more ...Member) ([]int, error) {
	xs, err := m.matchDecoded(event, more)
	return indexes(xs), err
}

func (m *Matcher) matchDecoded(event map[string]any, more []Member) ([]quamina.X, error) {
	t := m.treePool.Get().(*treeMatcher)
	defer m.treePool.Put(t)
	t.f.root, t.f.more = event, more
	xs, err := t.q.MatchesForEvent(nil)
	t.f.root, t.f.more = nil, nil
	if err != nil {
		return nil, fmt.Errorf("match event: %w", err)
	}
	return xs, nil
}

func indexes(xs []quamina.X) []int {
	if len(xs) == 0 {
		return nil
	}
	out := make([]int, 0, len(xs))
	for _, x := range xs {
		out = append(out, x.(int))
	}
	sort.Ints(out)
	return out
}

// First returns the lowest matching pattern index, or -1 when none matches.
func (m *Matcher) First(event []byte) (int, error) {
	idx, err := m.Match(event)
	if err != nil || len(idx) == 0 {
		return -1, err
	}
	return idx[0], nil
}

// FirstDecoded is First for an already-decoded event (see MatchDecoded).
func (m *Matcher) FirstDecoded(event map[string]any, more ...Member) (int, error) {
	xs, err := m.matchDecoded(event, more)
	if err != nil || len(xs) == 0 {
		return -1, err
	}
	lowest := xs[0].(int)
	for _, x := range xs[1:] {
		lowest = min(lowest, x.(int))
	}
	return lowest, nil
}
