package pattern_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"

	"github.com/firebreak-ops/firebreak"
	catalog "github.com/firebreak-ops/firebreak/events"
	"github.com/firebreak-ops/firebreak/internal/pattern"
)

// agree checks that MatchDecoded on the decoded event (with the members) reports the same
// patterns as Match on the event's JSON with the members written in.
func agree(t *testing.T, m *pattern.Matcher, name string, doc map[string]any, more ...pattern.Member) {
	t.Helper()
	withMembers := map[string]any{}
	for k, v := range doc {
		withMembers[k] = v
	}
	for _, x := range more {
		withMembers[x.Name] = memberValue(x)
	}
	raw, err := json.Marshal(withMembers)
	if err != nil {
		t.Fatal(err)
	}
	want, err := m.Match(raw)
	if err != nil {
		t.Fatalf("Match(%s): %v", name, err)
	}
	got, err := m.MatchDecoded(doc, more...)
	if err != nil {
		t.Fatalf("MatchDecoded(%s): %v", name, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("MatchDecoded(%s) = %v; want %v, as Match on its JSON %s", name, got, want, raw)
	}
	first, err := m.FirstDecoded(doc, more...)
	if wantFirst := -1; err != nil || (len(want) == 0 && first != wantFirst) || (len(want) > 0 && first != want[0]) {
		t.Errorf("FirstDecoded(%s) = %d, %v; want the lowest of %v", name, first, err, want)
	}
}

func memberValue(x pattern.Member) any {
	if x.Strings == nil && x.Members == nil {
		return x.String
	}
	o := map[string]any{}
	for k, v := range x.Strings {
		o[k] = v
	}
	for _, m := range x.Members {
		o[m.Name] = memberValue(m)
	}
	return o
}

func compile(t *testing.T, ps ...string) *pattern.Matcher {
	t.Helper()
	raws := make([]json.RawMessage, len(ps))
	for i, p := range ps {
		raws[i] = json.RawMessage(p)
	}
	m, err := pattern.Compile(raws)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func decodeJSON(t *testing.T, s string) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestMatchDecodedAgrees covers the semantics a flattener must keep: nesting, arrays
// (fields of one element match together, never across elements), lists of scalars,
// literals, numbers, exists, anything-but, prefix, wildcard and equals-ignore-case.
func TestMatchDecodedAgrees(t *testing.T) {
	m := compile(t,
		`{"a":{"b":["1"],"c":["4"]}}`,
		`{"a":{"b":["3"],"c":["4"]}}`,
		`{"tags":["x"]}`,
		`{"flag":[true],"none":[null]}`,
		`{"n":[{"exists":true}],"missing":[{"exists":false}]}`,
		`{"s":[{"anything-but":["no"]}]}`,
		`{"s":[{"prefix":"pre"}]}`,
		`{"s":[{"wildcard":"*fix"}]}`,
		`{"s":[{"equals-ignore-case":"MIXED"}]}`,
		`{"deep":{"list":{"k":["v"]}}}`,
		`{"firebreak":{"attrs":{"exposure":["world"]},"signal":["trigger"]}}`,
		`{"esc":["quote\"d"]}`,
	)
	docs := []string{
		`{"a":[{"b":"1","c":"2"},{"b":"3","c":"4"}]}`,
		`{"a":{"b":"1","c":"4"}}`,
		`{"tags":["y","x"],"flag":true,"none":null}`,
		`{"n":5,"s":"prefix"}`,
		`{"n":0.5,"missing":1,"s":"no"}`,
		`{"s":"mixed"}`,
		`{"deep":{"list":[[{"k":"w"}],[{"k":"v"}]]}}`,
		`{"esc":"quote\"d","unused":{"x":[1,2,{"y":null}]}}`,
		`{"firebreak":{"signal":"info"}}`,
		`{}`,
	}
	for i, d := range docs {
		agree(t, m, fmt.Sprintf("doc %d", i), decodeJSON(t, d))
	}
	view := pattern.Member{Name: "firebreak", Members: []pattern.Member{
		{Name: "signal", String: "trigger"},
		{Name: "attrs", Strings: map[string]string{"exposure": "world", "ports": "tcp/22"}},
	}}
	agree(t, m, "member view", decodeJSON(t, `{"s":"x"}`), view)
	agree(t, m, "member view replaces the event's own", decodeJSON(t, `{"firebreak":{"signal":"info"}}`), view)
	agree(t, m, "maps of strings and lists of strings", map[string]any{"deep": map[string]any{"list": map[string]string{"k": "v"}}, "tags": []string{"a", "x"}})
}

// TestMatchDecodedAgreesOnCatalog matches every catalog sample against the catalog's rules
// and the default taxonomy both ways.
func TestMatchDecodedAgreesOnCatalog(t *testing.T) {
	rules, err := catalog.Rules()
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := firebreak.Config()
	if err != nil {
		t.Fatal(err)
	}
	var ps []string
	for _, r := range rules {
		ps = append(ps, string(r.Pattern))
	}
	for _, c := range cfg.Taxonomy {
		ps = append(ps, string(c.Pattern))
	}
	m := compile(t, ps...)
	samples, err := catalog.Samples()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range samples {
		raw, err := catalog.ReadSample(s.File)
		if err != nil {
			t.Fatal(err)
		}
		agree(t, m, s.File, decodeJSON(t, string(raw)))
	}
}
