package event_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"testing"

	catalog "github.com/firebreak-ops/firebreak/events"
	"github.com/firebreak-ops/firebreak/internal/event"
)

// mutation changes one field of a decoded event in place.
type mutation struct {
	name  string
	apply func(parent any, key any)
}

// mutations are what real events do to a field: leave it out, null it, empty it, or
// write a number where a string belongs and the reverse (or an object where a string
// belongs).
var mutations = []mutation{
	{"drop", func(p, k any) { del(p, k) }},
	{"null", func(p, k any) { set(p, k, nil) }},
	{"empty string", func(p, k any) { set(p, k, "") }},
	{"swap type", func(p, k any) {
		switch v := get(p, k).(type) {
		case string:
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				set(p, k, f)
			} else {
				set(p, k, 12345.0)
			}
		case float64:
			set(p, k, strconv.FormatFloat(v, 'f', -1, 64))
		case bool:
			set(p, k, strconv.FormatBool(v))
		case map[string]any:
			set(p, k, "object")
		case []any:
			set(p, k, map[string]any{"x": 1.0})
		default:
			set(p, k, map[string]any{})
		}
	}},
	{"object", func(p, k any) { set(p, k, map[string]any{"unexpected": []any{1.0}}) }},
}

func get(p, k any) any {
	switch c := p.(type) {
	case map[string]any:
		return c[k.(string)]
	case []any:
		return c[k.(int)]
	}
	return nil
}

func set(p, k, v any) {
	switch c := p.(type) {
	case map[string]any:
		c[k.(string)] = v
	case []any:
		c[k.(int)] = v
	}
}

func del(p, k any) {
	switch c := p.(type) {
	case map[string]any:
		delete(c, k.(string))
	case []any:
		c[k.(int)] = nil // a hole in a list reads as null
	}
}

// paths lists every field under v (object members and list elements, depth first, keys
// sorted), as steps from the root.
func paths(v any, prefix []any, out *[][]any) {
	switch c := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(c))
		for k := range c {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			p := append(append([]any{}, prefix...), k)
			*out = append(*out, p)
			paths(c[k], p, out)
		}
	case []any:
		for i, x := range c {
			p := append(append([]any{}, prefix...), i)
			*out = append(*out, p)
			paths(x, p, out)
		}
	}
}

func decodeSample(t *testing.T, file string) map[string]any {
	t.Helper()
	raw, err := catalog.ReadSample(file)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return doc
}

// mutate returns the sample with mutation m applied at path (under the root).
func mutate(t *testing.T, file string, path []any, m mutation) []byte {
	t.Helper()
	doc := decodeSample(t, file)
	var parent any = doc
	for _, step := range path[:len(path)-1] {
		parent = get(parent, step)
	}
	m.apply(parent, path[len(path)-1])
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func pathString(p []any) string {
	s := ""
	for _, step := range p {
		switch k := step.(type) {
		case string:
			if s != "" {
				s += "."
			}
			s += k
		case int:
			s += fmt.Sprintf("[%d]", k)
		}
	}
	return s
}

// TestEveryDetailFieldIsBestEffort drops, nulls, empties and retypes every field of
// every sample's detail (and the envelope's optional fields) in turn: each variant must
// still parse into events with an id, a source, a subject and a resource.
func TestEveryDetailFieldIsBestEffort(t *testing.T) {
	for _, s := range samples(t) {
		t.Run(s.File, func(t *testing.T) {
			doc := decodeSample(t, s.File)
			var all [][]any
			paths(doc["detail"], []any{"detail"}, &all)
			all = append(all, []any{"detail"}, []any{"region"}, []any{"version"}, []any{"resources"})
			if rs, ok := doc["resources"].([]any); ok && len(rs) > 0 {
				all = append(all, []any{"resources", 0})
			}
			for _, p := range all {
				for _, m := range mutations {
					raw := mutate(t, s.File, p, m)
					evs, err := event.Parse(raw)
					if err != nil {
						t.Errorf("Parse(%s with %s %s) error: %v; want the event accepted", s.File, pathString(p), m.name, err)
						continue
					}
					if len(evs) == 0 {
						t.Errorf("Parse(%s with %s %s) = no events; want at least one", s.File, pathString(p), m.name)
					}
					for _, e := range evs {
						if e.ID == "" || e.Source == "" || e.Subject == "" || e.Resource == "" || e.Summary == "" || e.Region == "" {
							t.Errorf("Parse(%s with %s %s) = id %q source %q subject %q resource %q region %q summary %q; want all set",
								s.File, pathString(p), m.name, e.ID, e.Source, e.Subject, e.Resource, e.Region, e.Summary)
						}
					}
				}
			}
		})
	}
}

// TestEnvelopeEssentialsAreRequired removes, nulls, empties and retypes each essential
// field of every sample: each variant is a ParseError naming the field.
func TestEnvelopeEssentialsAreRequired(t *testing.T) {
	broken := []mutation{mutations[0], mutations[1], mutations[2], mutations[4]}
	for _, s := range samples(t) {
		t.Run(s.File, func(t *testing.T) {
			for _, f := range event.Essentials {
				for _, m := range broken {
					raw := mutate(t, s.File, []any{f}, m)
					evs, err := event.Parse(raw)
					var pe *event.ParseError
					if !errors.As(err, &pe) || pe.Field != f {
						t.Errorf("Parse(%s with %s %s) = %d events, %v; want a ParseError naming %s", s.File, f, m.name, len(evs), err, f)
					}
				}
			}
		})
	}
}

func TestMissingRegionIsUnknown(t *testing.T) {
	raw := []byte(`{"id":"e1","source":"aws.ec2","detail-type":"EC2 Instance State-change Notification","account":123456789,"time":"2026-11-02T09:00:00.123+01:00","detail":{"instance-id":"i-1","state":"stopped"}}`)
	evs, err := event.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	e := evs[0]
	if e.Region != event.UnknownRegion || e.Account != "000123456789" || e.Time.Format("15:04:05.000Z07:00") != "08:00:00.123Z" {
		t.Errorf("Parse(no region, numeric account, offset time) = region %q account %q time %s; want %q, 000123456789, 08:00:00.123Z",
			e.Region, e.Account, e.Time, event.UnknownRegion)
	}
}

func TestParseTime(t *testing.T) {
	tests := []struct {
		in, want string // want "" means rejected
	}{
		{"2026-11-02T09:00:00Z", "2026-11-02T09:00:00Z"},
		{"2026-11-02T09:00:00.5Z", "2026-11-02T09:00:00.5Z"},
		{"2026-11-02T09:00:00.123456789Z", "2026-11-02T09:00:00.123456789Z"},
		{"2026-11-02T10:00:00+01:00", "2026-11-02T09:00:00Z"},
		{"2026-11-02T10:00:00.000+0100", "2026-11-02T09:00:00Z"},
		{"2026-11-02T04:00:00-05", "2026-11-02T09:00:00Z"},
		{"2026-11-02t09:00:00z", "2026-11-02T09:00:00Z"},
		{"2026-11-02 09:00:00Z", "2026-11-02T09:00:00Z"},
		{" 2026-11-02T09:00:00Z ", "2026-11-02T09:00:00Z"},
		{"2026-11-02", ""},
		{"2026-11-02T09:00:00", ""},
		{"1700000000", ""},
		{"", ""},
	}
	for _, tt := range tests {
		got, ok := event.ParseTime(tt.in)
		switch {
		case tt.want == "" && ok:
			t.Errorf("ParseTime(%q) = %s; want rejected", tt.in, got)
		case tt.want != "" && (!ok || got.Format("2006-01-02T15:04:05.999999999Z07:00") != tt.want):
			t.Errorf("ParseTime(%q) = %s, %v; want %s", tt.in, got, ok, tt.want)
		}
	}
}
