package config_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/firebreak-ops/firebreak"
	"github.com/firebreak-ops/firebreak/internal/config"
)

// rich exercises what the shipped file may not: one-off silences
// with offsets, a custom fallback with a title, escalation tiers.
const rich = valid + `fallback:
  class: misc.unclassified
  severity: info
  incident: false
  title: "{{.Source}} {{index .Attrs \"missing\"}}"
silences:
  - id: freeze
    comment: migration
    matchers: {team: platform, tags: {env: prod}}
    starts: 2026-03-01T22:00:00+02:00
    ends: 2026-03-02T06:00:00Z
inhibit:
  - {name: outage, source: {class: "ops.*"}, target: {class: "ops.*"}, equal: [account, "attr:az"]}
grouping: {window: 10m, by: [account, resource_prefix]}
`

// TestCompactRoundTrip: DecodeCompact(Compact(c)) is the configuration Parse returned,
// field by field, derived fields included; title templates render the same.
func TestCompactRoundTrip(t *testing.T) {
	shipped, err := firebreak.Config()
	if err != nil {
		t.Fatalf("firebreak.Config() = %v", err)
	}
	for _, tc := range []struct {
		name string
		want func() (*config.Config, error)
	}{
		{"firebreak.yaml", func() (*config.Config, error) { return shipped, nil }},
		{"rich", func() (*config.Config, error) { return config.Parse("rich.yaml", []byte(rich)) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want, err := tc.want()
			if err != nil {
				t.Fatalf("Parse = %v", err)
			}
			data, err := want.Compact()
			if err != nil {
				t.Fatalf("Compact() = %v", err)
			}
			got, err := config.DecodeCompact(data)
			if err != nil {
				t.Fatalf("DecodeCompact(Compact()) = %v", err)
			}
			for _, cl := range append(append([]*config.Class{}, got.Taxonomy...), got.Fallback) {
				if (cl.Title != "") != (cl.TitleT != nil) {
					t.Errorf("DecodeCompact: class %s: title %q, template %v; want a template exactly when there is a title", cl.Class, cl.Title, cl.TitleT)
				}
			}
			if reflect.DeepEqual(got, want) {
				return
			}
			g, w := reflect.ValueOf(*got), reflect.ValueOf(*want)
			for i := 0; i < g.NumField(); i++ {
				if f := g.Type().Field(i); f.IsExported() && !reflect.DeepEqual(g.Field(i).Interface(), w.Field(i).Interface()) {
					t.Errorf("DecodeCompact(Compact()).%s = %+v; want %+v", f.Name, g.Field(i).Interface(), w.Field(i).Interface())
				}
			}
			if !t.Failed() {
				t.Errorf("DecodeCompact(Compact()) differs from the parsed configuration in an unexported field: Compact cannot carry it")
			}
		})
	}
}

func TestDecodeCompactErrors(t *testing.T) {
	for _, tc := range []struct{ name, data, want string }{
		{"not JSON", `version: 1`, "decode compact configuration: invalid character"},
		{"unknown field", `{"Version":1,"Colour":"red"}`, `unknown field "Colour"`},
		{"empty class", `{"File":"f.yaml","Taxonomy":[null],"Fallback":{}}`, "of f.yaml: taxonomy[0] is empty"},
		{"no fallback", `{"File":"f.yaml","Taxonomy":[]}`, "of f.yaml: fallback is empty"},
		{"bad title", `{"File":"f.yaml","Taxonomy":[{"Class":"a.b","Title":"{{.X"}],"Fallback":{}}`, "of f.yaml: taxonomy[0].title: template: a.b:1:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := config.DecodeCompact([]byte(tc.data))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("DecodeCompact(%s) = %v; want an error containing %q", tc.data, err, tc.want)
			}
		})
	}
}
