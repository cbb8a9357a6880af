package classify

import (
	"strings"
	"testing"
	"text/template"

	"github.com/firebreak-ops/firebreak"
)

func mustTemplate(t *testing.T, s string) *template.Template {
	t.Helper()
	tm, err := template.New("t").Option("missingkey=zero").Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

// viaTemplate renders as Classify did before titles were compiled.
func viaTemplate(t *testing.T, tm *template.Template, d titleData) string {
	t.Helper()
	var b strings.Builder
	if err := tm.Execute(&b, d); err != nil {
		t.Fatal(err)
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

var probe = titleData{Resource: "sg-1", Actor: "arn:aws:iam::1:user/u", Account: "123456789012", Region: "eu-west-1",
	Summary: "  two  spaces\tand a tab ", Source: "aws.ec2", DetailType: "AWS API Call via CloudTrail", Class: "c",
	Attrs: map[string]string{"ports": "tcp/22", "cidrs": "0.0.0.0/0", "alarm_name": "prod-x", "state": "ALARM"},
	Tags:  map[string]string{"team": "payments"}}

// TestDefaultTitlesAreCompiled checks that every title of the default taxonomy renders
// without the template engine, and as the template would.
func TestDefaultTitlesAreCompiled(t *testing.T) {
	cfg, err := firebreak.Config()
	if err != nil {
		t.Fatal(err)
	}
	for _, cl := range append(cfg.Taxonomy, cfg.Fallback) {
		if cl.TitleT == nil {
			continue
		}
		c := compileTitle(cl.TitleT)
		if c.parts == nil {
			t.Errorf("title of %s %q is not compiled; want every default title rendered without a template engine", cl.Class, cl.Title)
			continue
		}
		got, err := c.render(&probe)
		if want := viaTemplate(t, cl.TitleT, probe); err != nil || got != want {
			t.Errorf("render(%s %q) = %q, %v; want %q", cl.Class, cl.Title, got, err, want)
		}
	}
}

func TestTitleRender(t *testing.T) {
	tests := []struct {
		tmpl     string
		compiled bool
	}{
		{`{{index .Attrs "ports"}} open to {{index .Attrs "cidrs"}} on {{.Resource}} by {{.Actor}}`, true},
		{`{{.Account}}/{{.Region}} {{.Source}} {{.DetailType}} {{.Class}}: {{.Summary}}`, true},
		{`owner {{index .Tags "team"}}, missing {{index .Attrs "nope"}}{{index .Tags "nope"}}.`, true},
		{`{{index .Attrs "alarm_name"}} → {{index .Attrs "state"}} ({{.Resource}})`, true},
		{`plain text`, true},
		{``, true},
		{`  {{.Resource}}  `, true},
		{`{{if .Resource}}on {{.Resource}}{{end}}`, false},
		{`{{printf "%s!" .Resource}}`, false},
		{`{{.Attrs.ports}}`, false},
		{`{{.Resource | printf "%q"}}`, false},
		{`{{/* comment */}}{{.Actor}}`, true}, // the parser drops comments
	}
	for _, tt := range tests {
		tm := mustTemplate(t, tt.tmpl)
		c := compileTitle(tm)
		if (c.parts != nil) != tt.compiled {
			t.Errorf("compileTitle(%q) compiled = %v; want %v", tt.tmpl, c.parts != nil, tt.compiled)
		}
		got, err := c.render(&probe)
		if want := viaTemplate(t, tm, probe); err != nil || got != want {
			t.Errorf("render(%q) = %q, %v; want %q", tt.tmpl, got, err, want)
		}
	}
}

func TestSquash(t *testing.T) {
	for _, s := range []string{"", " ", "a", "a b", " a", "a ", "a  b", "a\tb", "a\u00a0b", "é → ü", "a\n", "x\u2003y"} {
		if got, want := squash(s), strings.Join(strings.Fields(s), " "); got != want {
			t.Errorf("squash(%q) = %q; want %q", s, got, want)
		}
	}
}
