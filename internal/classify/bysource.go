package classify

import (
	"encoding/json"
	"fmt"
	"sync"

	"github.com/firebreak-ops/firebreak/internal/pattern"
)

// bySource matches the taxonomy one event source at a time. Most classes pin "source"
// to exact values; an event can only match those naming its source and those that do
// not pin it. So the taxonomy is split by source when the classifier is made (a walk
// over the patterns), and the automaton of a source's classes is compiled the first
// time an event of that source comes: a Lambda's cold start compiles nothing, and an
// instance compiles only the sources it sees (compiling the whole taxonomy was most of
// intake's init). Matching one source's automaton reports the lowest matching class as
// matching the whole taxonomy's would.
type bySource struct {
	patterns []json.RawMessage
	pinned   map[string][]int // source -> classes whose pattern names it among exact values
	unpinned []int            // classes whose pattern does not pin "source" to exact values

	mu       sync.RWMutex
	matchers map[string]*sourceMatcher // by source; allKey: every class
}

// allKey is the matcher of every class, for events whose source is not a string.
const allKey = "\x00all"

// sourceMatcher is the automaton of some classes; classes maps its pattern indexes
// to class indexes, ascending.
type sourceMatcher struct {
	m       *pattern.Matcher
	classes []int
}

func newBySource(patterns []json.RawMessage) (*bySource, error) {
	b := &bySource{patterns: patterns, pinned: map[string][]int{}, matchers: map[string]*sourceMatcher{}}
	for i, p := range patterns {
		source, err := sourceOf(p)
		if err != nil {
			return nil, fmt.Errorf("pattern %d %s: %w", i, p, err)
		}
		sources, ok := exactValues(source)
		if !ok {
			b.unpinned = append(b.unpinned, i)
			continue
		}
		for _, s := range sources {
			if list := b.pinned[s]; len(list) == 0 || list[len(list)-1] != i {
				b.pinned[s] = append(list, i)
			}
		}
	}
	return b, nil
}

// exactValues returns the values of a pattern member that lists only exact strings.
func exactValues(v any) ([]string, bool) {
	list, ok := v.([]any)
	if !ok || len(list) == 0 {
		return nil, false
	}
	out := make([]string, 0, len(list))
	for _, x := range list {
		s, ok := x.(string)
		if !ok {
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}

// matcher returns the automaton for events of the document's source, compiling it the
// first time.
func (b *bySource) matcher(doc map[string]any) (*sourceMatcher, error) {
	key, ok := doc["source"].(string)
	if !ok {
		key = allKey
	}
	b.mu.RLock()
	sm := b.matchers[key]
	b.mu.RUnlock()
	if sm != nil {
		return sm, nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if sm := b.matchers[key]; sm != nil {
		return sm, nil
	}
	classes := b.unpinned
	switch {
	case key == allKey:
		classes = make([]int, len(b.patterns))
		for i := range classes {
			classes[i] = i
		}
	case len(b.pinned[key]) > 0:
		classes = mergeSorted(b.pinned[key], b.unpinned)
	}
	ps := make([]json.RawMessage, len(classes))
	for i, c := range classes {
		ps[i] = b.patterns[c]
	}
	m, err := pattern.Compile(ps)
	if err != nil {
		return nil, err
	}
	sm = &sourceMatcher{m: m, classes: classes}
	b.matchers[key] = sm
	return sm, nil
}

// first returns the lowest class whose pattern matches the decoded event, or -1.
func (b *bySource) first(doc map[string]any, more ...pattern.Member) (int, error) {
	sm, err := b.matcher(doc)
	if err != nil {
		return -1, err
	}
	if len(sm.classes) == 0 {
		return -1, nil
	}
	i, err := sm.m.FirstDecoded(doc, more...)
	if err != nil || i < 0 {
		return -1, err
	}
	return sm.classes[i], nil
}

// mergeSorted merges two ascending lists of distinct indexes.
func mergeSorted(a, b []int) []int {
	out := make([]int, 0, len(a)+len(b))
	for len(a) > 0 && len(b) > 0 {
		switch {
		case a[0] < b[0]:
			out, a = append(out, a[0]), a[1:]
		case b[0] < a[0]:
			out, b = append(out, b[0]), b[1:]
		default:
			out, a, b = append(out, a[0]), a[1:], b[1:]
		}
	}
	return append(append(out, a...), b...)
}
