package classify

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/template"
	"text/template/parse"
	"unicode"

	"github.com/firebreak-ops/firebreak/internal/config"
)

// titleData is what titles are rendered with (the names config checks titles against).
type titleData struct {
	Resource, Actor, Account, Region, Summary, Source, DetailType, Class string
	Attrs, Tags                                                          map[string]string
}

// titlePart is one piece of a compiled title: literal text, a field of titleData, or
// one key of Attrs or Tags.
type titlePart struct {
	kind partKind
	text string // the literal, or the Attrs/Tags key
}

type partKind uint8

const (
	partText partKind = iota
	partResource
	partActor
	partAccount
	partRegion
	partSummary
	partSource
	partDetailType
	partClass
	partAttr
	partTag
)

var fieldKinds = map[string]partKind{
	"Resource": partResource, "Actor": partActor, "Account": partAccount, "Region": partRegion,
	"Summary": partSummary, "Source": partSource, "DetailType": partDetailType, "Class": partClass,
}

// title renders a class's title. Titles made only of text, {{.Field}} and
// {{index .Attrs "key"}} / {{index .Tags "key"}} (every title of the default taxonomy)
// are compiled once into parts and rendered without a template engine; any other
// template runs through text/template, as configured.
type title struct {
	parts []titlePart // nil: use exec
	// exec is the template's Execute, set only by compileTitle: a program that never
	// compiles a template (NewPlain) links no template execution.
	exec func(io.Writer, any) error
}

// newTitle compiles a class's title (nil when it has none). A title of the simple form
// is compiled from its text (titleParts), so a Lambda's cold start parses no template;
// any other runs through its template, TitleT, parsed here when the configuration was
// not derived (the configuration compiled into a Lambda is not: internal/lambdaenv).
func newTitle(cl *config.Class) (*title, error) {
	if cl == nil || cl.Title == "" {
		return nil, nil
	}
	if parts, ok := titleParts(cl.Title); ok {
		return &title{parts: parts}, nil
	}
	t := cl.TitleT
	if t == nil {
		var err error
		if t, err = cl.ParseTitle(); err != nil {
			return nil, fmt.Errorf("class %s: title: %w", cl.Class, err)
		}
	}
	return compileTitle(t), nil
}

// plainTitle compiles a plain title (titleParts' form) from its text; any other is an
// error naming the class (nil when it has no title).
func plainTitle(cl *config.Class) (*title, error) {
	if cl == nil || cl.Title == "" {
		return nil, nil
	}
	parts, ok := titleParts(cl.Title)
	if !ok {
		return nil, fmt.Errorf("class %s: title %q is not plain (only text, {{.Field}} and {{index .Attrs \"key\"}}): it needs the template engine (classify.New)", cl.Class, cl.Title)
	}
	return &title{parts: parts}, nil
}

// titleParts compiles a title made only of text, {{.Field}} and {{index .Attrs "key"}}
// / {{index .Tags "key"}} (spaces allowed inside the braces; the key a double-quoted
// string without escapes) into the parts compileTitle makes of its parse tree. Anything
// else (trim markers, comments, other actions, escapes, an unclosed action) is not
// compiled here (ok false) and is left to the template parser.
func titleParts(s string) (parts []titlePart, ok bool) {
	parts = []titlePart{}
	for s != "" {
		i := strings.Index(s, "{{")
		if i < 0 {
			return append(parts, titlePart{kind: partText, text: s}), true
		}
		if i > 0 {
			parts = append(parts, titlePart{kind: partText, text: s[:i]})
		}
		action, rest, closed := strings.Cut(s[i+2:], "}}")
		if !closed {
			return nil, false
		}
		p, ok := actionPart(action)
		if !ok {
			return nil, false
		}
		parts, s = append(parts, p), rest
	}
	return parts, true
}

// actionPart compiles the inside of one {{ }} of titleParts' form.
func actionPart(a string) (titlePart, bool) {
	if strings.ContainsAny(a, "\t\r\n") {
		return titlePart{}, false
	}
	f := strings.Split(strings.Trim(a, " "), " ")
	f = slices.DeleteFunc(f, func(s string) bool { return s == "" })
	switch {
	case len(f) == 1 && strings.HasPrefix(f[0], "."):
		if k, ok := fieldKinds[f[0][1:]]; ok {
			return titlePart{kind: k}, true
		}
	case len(f) == 3 && f[0] == "index" && len(f[2]) >= 2 && f[2][0] == '"' && f[2][len(f[2])-1] == '"':
		if strings.ContainsAny(f[2][1:len(f[2])-1], "\"\\") {
			return titlePart{}, false
		}
		key, err := strconv.Unquote(f[2]) // as the template parser reads it (invalid UTF-8 included)
		if err != nil {
			return titlePart{}, false
		}
		switch f[1] {
		case ".Attrs":
			return titlePart{kind: partAttr, text: key}, true
		case ".Tags":
			return titlePart{kind: partTag, text: key}, true
		}
	}
	return titlePart{}, false
}

func compileTitle(t *template.Template) *title {
	if t == nil {
		return nil
	}
	out := &title{exec: t.Execute}
	if t.Tree == nil || t.Tree.Root == nil {
		return out
	}
	var parts []titlePart
	for _, n := range t.Tree.Root.Nodes {
		p, ok := compileNode(n)
		if !ok {
			return out
		}
		parts = append(parts, p)
	}
	if parts == nil {
		parts = []titlePart{} // an empty title renders empty, as the template would
	}
	out.parts = parts
	return out
}

func compileNode(n parse.Node) (titlePart, bool) {
	switch x := n.(type) {
	case *parse.TextNode:
		return titlePart{kind: partText, text: string(x.Text)}, true
	case *parse.ActionNode:
		if x.Pipe == nil || len(x.Pipe.Decl) > 0 || len(x.Pipe.Cmds) != 1 {
			return titlePart{}, false
		}
		args := x.Pipe.Cmds[0].Args
		switch {
		case len(args) == 1:
			if f, ok := args[0].(*parse.FieldNode); ok && len(f.Ident) == 1 {
				if k, ok := fieldKinds[f.Ident[0]]; ok {
					return titlePart{kind: k}, true
				}
			}
		case len(args) == 3:
			id, ok1 := args[0].(*parse.IdentifierNode)
			m, ok2 := args[1].(*parse.FieldNode)
			key, ok3 := args[2].(*parse.StringNode)
			if ok1 && ok2 && ok3 && id.Ident == "index" && len(m.Ident) == 1 {
				switch m.Ident[0] {
				case "Attrs":
					return titlePart{kind: partAttr, text: key.Text}, true
				case "Tags":
					return titlePart{kind: partTag, text: key.Text}, true
				}
			}
		}
	}
	return titlePart{}, false
}

// render returns the title with runs of white space made single spaces.
func (t *title) render(d *titleData) (string, error) {
	if t.parts == nil {
		var b strings.Builder
		dd := *d // only the copy escapes into the template engine
		if err := t.exec(&b, &dd); err != nil {
			return "", err
		}
		return squash(b.String()), nil
	}
	n := 0
	for i := range t.parts {
		n += len(t.value(i, d))
	}
	var b strings.Builder
	b.Grow(n)
	for i := range t.parts {
		b.WriteString(t.value(i, d))
	}
	return squash(b.String()), nil
}

func (t *title) value(i int, d *titleData) string {
	p := &t.parts[i]
	switch p.kind {
	case partText:
		return p.text
	case partResource:
		return d.Resource
	case partActor:
		return d.Actor
	case partAccount:
		return d.Account
	case partRegion:
		return d.Region
	case partSummary:
		return d.Summary
	case partSource:
		return d.Source
	case partDetailType:
		return d.DetailType
	case partClass:
		return d.Class
	case partAttr:
		return d.Attrs[p.text]
	case partTag:
		return d.Tags[p.text]
	}
	return ""
}

// squash trims s and makes every run of white space a single space, as
// strings.Join(strings.Fields(s), " ") does, without allocating when s is already so.
func squash(s string) string {
	prevSpace := true // a leading space needs squashing
	for _, r := range s {
		space := unicode.IsSpace(r)
		if space && (r != ' ' || prevSpace) {
			return strings.Join(strings.Fields(s), " ")
		}
		prevSpace = space
	}
	if prevSpace { // trailing space, or empty
		return strings.TrimSpace(s)
	}
	return s
}
