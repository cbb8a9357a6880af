package classify

import (
	"io"
	"reflect"
	"strings"
	"testing"
	"text/template"

	"github.com/firebreak-ops/firebreak"
	"github.com/firebreak-ops/firebreak/internal/config"
)

// titleTexts are titles of titleParts' form and just outside it.
var titleTexts = []struct {
	text string
	ok   bool // titleParts compiles it
}{
	{`{{index .Attrs "ports"}} open to {{index .Attrs "cidrs"}} on {{.Resource}} by {{.Actor}}`, true},
	{`{{.Account}}/{{.Region}} {{.Source}} {{.DetailType}} {{.Class}}: {{.Summary}}`, true},
	{`owner {{index .Tags "team"}}, missing {{index .Attrs "nope"}}{{index .Tags "nope"}}.`, true},
	{`{{ .Resource }} and {{  index  .Attrs  "k"  }}`, true},
	{`{{index .Attrs ""}} {{index .Tags "{{"}}`, true},
	{`plain text, even }} this`, true},
	{`  {{.Resource}}  `, true},
	{`{{.Resource}}{{.Actor}}`, true},
	{`{{- .Resource}}  x`, false},
	{`x  {{.Resource -}}`, false},
	{`{{/* comment */}}{{.Actor}}`, false},
	{`{{if .Resource}}on {{.Resource}}{{end}}`, false},
	{`{{printf "%s!" .Resource}}`, false},
	{`{{.Attrs.ports}}`, false},
	{`{{.Attrs}}`, false},
	{`{{.Nope}}`, false},
	{`{{. Resource}}`, false},
	{`{{index .Attrs "a b"}}`, false},
	{`{{index .Attrs "a\"b"}}`, false},
	{"{{index .Attrs `raw`}}", false},
	{`{{index .Other "k"}}`, false},
	{"{{\t.Resource}}", false},
	{`{{index .Attrs "a}}b"}}`, false},
	{`unclosed {{.Resource`, false},
}

// TestTitleParts: a title titleParts compiles gives the parts compileTitle makes of its
// parse tree; any other is left to the template.
func TestTitleParts(t *testing.T) {
	for _, tt := range titleTexts {
		t.Run(tt.text, func(t *testing.T) {
			got, ok := titleParts(tt.text)
			if ok != tt.ok {
				t.Fatalf("titleParts(%q) ok = %v; want %v", tt.text, ok, tt.ok)
			}
			if ok {
				if want := compileTitle(mustTemplate(t, tt.text)).parts; !reflect.DeepEqual(got, want) {
					t.Errorf("titleParts(%q) = %+v; want %+v, as compiled from the template", tt.text, got, want)
				}
			}
		})
	}
}

// FuzzTitleParts: whatever titleParts compiles, the template parser parses, into the
// same parts.
func FuzzTitleParts(f *testing.F) {
	for _, tt := range titleTexts {
		f.Add(tt.text)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := titleParts(s)
		if !ok {
			return
		}
		tm, err := template.New("t").Option("missingkey=zero").Parse(s)
		if err != nil {
			t.Fatalf("titleParts(%q) compiled it; the template parser says %v", s, err)
		}
		if want := compileTitle(tm).parts; !reflect.DeepEqual(got, want) {
			t.Fatalf("titleParts(%q) = %+v; want %+v, as compiled from the template", s, got, want)
		}
	})
}

// TestNewTitle: a class's title renders as its template would, whether or not the
// configuration parsed the template (TitleT): simple titles from their text, others
// through the template, parsed when missing.
func TestNewTitle(t *testing.T) {
	for _, tt := range titleTexts {
		if tm, err := template.New("t").Parse(tt.text); err != nil || tm.Execute(io.Discard, probe) != nil {
			continue // not a title config would accept
		}
		for _, parsed := range []bool{true, false} {
			cl := &config.Class{Class: "c", Title: tt.text}
			if parsed {
				cl.TitleT = mustTemplate(t, tt.text)
			}
			c, err := newTitle(cl)
			if err != nil {
				t.Fatalf("newTitle(%q, TitleT parsed %v) = %v", tt.text, parsed, err)
			}
			if tt.ok && c.exec != nil {
				t.Errorf("newTitle(%q) kept a template; want it compiled from the text alone", tt.text)
			}
			got, err := c.render(&probe)
			if want := viaTemplate(t, mustTemplate(t, tt.text), probe); err != nil || got != want {
				t.Errorf("newTitle(%q, TitleT parsed %v).render = %q, %v; want %q", tt.text, parsed, got, err, want)
			}
		}
	}
	if c, err := newTitle(&config.Class{Class: "c"}); c != nil || err != nil {
		t.Errorf("newTitle(no title) = %v, %v; want nil, nil", c, err)
	}
	if _, err := newTitle(&config.Class{Class: "ops.bad", Title: "{{.Resource"}); err == nil || !strings.Contains(err.Error(), "class ops.bad: title") {
		t.Errorf("newTitle(unclosed) = %v; want an error naming the class and its title", err)
	}
}

// TestDefaultTitlesFromText: every title of the default taxonomy compiles from its text,
// with no template parsed (what a Lambda's cold start does with the compiled
// configuration, whose TitleT are not derived).
func TestDefaultTitlesFromText(t *testing.T) {
	cfg, err := firebreak.Config()
	if err != nil {
		t.Fatal(err)
	}
	for _, cl := range append(cfg.Taxonomy, cfg.Fallback) {
		if cl.Title == "" {
			continue
		}
		got, ok := titleParts(cl.Title)
		if !ok {
			t.Errorf("title of %s %q is not of titleParts' form; want every default title compiled from its text", cl.Class, cl.Title)
			continue
		}
		if want := compileTitle(cl.TitleT).parts; !reflect.DeepEqual(got, want) {
			t.Errorf("titleParts(%q) = %+v; want %+v", cl.Title, got, want)
		}
	}
}
