// Package bus is the local stand-in for EventBridge: it routes events with the event
// catalog's rule patterns, as the deployed rules would.
package bus

import (
	"encoding/json"
	"fmt"

	"github.com/firebreak-ops/firebreak/events"
	"github.com/firebreak-ops/firebreak/internal/pattern"
)

// Bus matches events against a fixed set of rules. Safe for concurrent use.
type Bus struct {
	rules []events.Rule
	m     *pattern.Matcher
}

// New compiles the rules.
func New(rules []events.Rule) (*Bus, error) {
	ps := make([]json.RawMessage, len(rules))
	for i, r := range rules {
		ps[i] = r.Pattern
	}
	m, err := pattern.Compile(ps)
	if err != nil {
		return nil, fmt.Errorf("compile event catalog: %w", err)
	}
	return &Bus{rules: rules, m: m}, nil
}

// Route returns the names of the rules whose pattern matches the raw event, in catalog
// order; none means EventBridge would not deliver it to Firebreak.
func (b *Bus) Route(raw []byte) ([]string, error) {
	return b.names(b.m.Match(raw))
}

// RouteDecoded is Route for an event already decoded (as encoding/json decodes a JSON
// object into any, e.g. event.Event.Doc): the same rules, without decoding it again.
func (b *Bus) RouteDecoded(doc map[string]any) ([]string, error) {
	return b.names(b.m.MatchDecoded(doc))
}

// names turns the indexes of matching rules into their names.
func (b *Bus) names(idx []int, err error) ([]string, error) {
	if err != nil {
		return nil, err
	}
	names := make([]string, len(idx))
	for i, j := range idx {
		names[i] = b.rules[j].Name
	}
	return names, nil
}
