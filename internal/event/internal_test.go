package event

import (
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

// TestTypedParsersAreLenient checks the adapter for struct-decoding parsers: a wrong
// type leaves a field zero, and an error becomes the generic event.
func TestTypedParsersAreLenient(t *testing.T) {
	type detail struct {
		Name  string `json:"name"`
		Count int    `json:"count"`
	}
	p := typed(func(env events.EventBridgeEvent, e Event) ([]Event, error) {
		var d detail
		if err := decodeDetail(env, &d); err != nil {
			return nil, err
		}
		if d.Name == "" {
			return nil, missing(env, "detail.name")
		}
		if d.Count < 0 {
			return nil, invalid(env, "detail.count", "negative")
		}
		e.Resource, e.Subject = d.Name, d.Name
		return one(e), nil
	})
	env := events.EventBridgeEvent{ID: "e", Source: "aws.x", DetailType: "X"}
	tests := []struct {
		name    string
		d       obj
		subject string
	}{
		{"typed fields", obj{"name": "n", "count": 1.0}, "n"},
		{"wrong type left zero", obj{"name": "n", "count": "many"}, "n"},
		{"missing field: generic", obj{"count": 1.0}, "X/aws.x"},
		{"invalid field: generic", obj{"name": "n", "count": -1.0}, "X/aws.x"},
		{"no detail: generic", nil, "X/aws.x"},
	}
	for _, tt := range tests {
		evs := p(env, tt.d, Event{ID: "e"})
		if len(evs) != 1 || evs[0].Subject != tt.subject {
			t.Errorf("typed parser on %s = %+v; want one event with subject %q", tt.name, evs, tt.subject)
		}
	}
}

func TestClip(t *testing.T) {
	long := strings.Repeat("é", 300)
	tests := []struct{ in, want string }{
		{"", ""},
		{"a b", "a b"},
		{"  a \t b\n", "a b"},
		{"é → ü", "é → ü"},
		{"a\u00a0\u00a0b", "a b"},
		{long, strings.Repeat("é", 239) + "…"},
	}
	for _, tt := range tests {
		if got := clip(tt.in, 240); got != tt.want {
			t.Errorf("clip(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}
