// Package importer turns the on-call data of AWS Systems Manager Incident Manager and
// Opsgenie, as their APIs print it, into Firebreak configuration: contacts, schedules,
// overrides and escalation plans, and merges them into an existing firebreak.yaml
// without touching its text. What cannot be carried over is listed with the reason,
// never dropped silently; a merged configuration that does not load is never returned.
package importer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/oncall"
)

// Result is what an import found.
type Result struct {
	Source      string // e.g. "AWS Incident Manager"
	Contacts    []*oncall.Contact
	Schedules   map[string]*oncall.Schedule
	Overrides   []oncall.Override
	Escalations map[string]*Escalation
	// NotCarried lists what could not be carried over, and why.
	NotCarried []string
}

// Escalation is an imported escalation plan in the configuration's form.
type Escalation struct {
	Description string `yaml:"description,omitempty"`
	Tiers       []Tier `yaml:"tiers"`
}

// Tier is one step of an imported plan: after is since the page went out.
type Tier struct {
	After  string   `yaml:"after"`
	Notify []string `yaml:"notify,flow"`
}

func newResult(source string) *Result {
	return &Result{Source: source, Schedules: map[string]*oncall.Schedule{}, Escalations: map[string]*Escalation{}}
}

func (r *Result) notCarried(format string, args ...any) {
	r.NotCarried = append(r.NotCarried, fmt.Sprintf(format, args...))
}

// File is one input file.
type File struct {
	Name string
	Data []byte
}

// ReadDir reads the JSON files of dir (any name ending .json), sorted by name.
func ReadDir(dir string) ([]File, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", dir, err)
	}
	var files []File
	for _, e := range entries {
		if e.IsDir() || !strings.EqualFold(filepath.Ext(e.Name()), ".json") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", e.Name(), err)
		}
		files = append(files, File{Name: e.Name(), Data: data})
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%s holds no .json files", dir)
	}
	return files, nil
}

// decodeObject decodes a file as a JSON object, naming the file when it is not one.
func decodeObject(f File) (map[string]json.RawMessage, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(f.Data, &m); err != nil {
		return nil, fmt.Errorf("%s: not a JSON object as the API prints it: %w", f.Name, err)
	}
	return m, nil
}

var nonSlug = regexp.MustCompile(`[^a-z0-9]+`)

// slug makes a configuration id (lower-case letters, digits, dashes, at most 32) of a
// name; taken ids get -2, -3 ….
func slug(name string, taken func(string) bool) string {
	s := strings.Trim(nonSlug.ReplaceAllString(strings.ToLower(name), "-"), "-")
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		s = "x-" + s
	}
	if len(s) > 32 {
		s = strings.TrimRight(s[:32], "-")
	}
	base := s
	for i := 2; taken != nil && taken(s); i++ {
		suffix := fmt.Sprintf("-%d", i)
		s = strings.TrimRight(base[:min(len(base), 32-len(suffix))], "-") + suffix
	}
	return s
}

var weekdayNames = map[string]string{"MON": "mon", "TUE": "tue", "WED": "wed", "THU": "thu", "FRI": "fri", "SAT": "sat", "SUN": "sun",
	"MONDAY": "mon", "TUESDAY": "tue", "WEDNESDAY": "wed", "THURSDAY": "thu", "FRIDAY": "fri", "SATURDAY": "sat", "SUNDAY": "sun"}

var dayOrder = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

// restrictions groups per-day windows with the same times into restrictions.
func restrictions(byDay map[string][][2]int) []oncall.Restriction {
	type key [2]int
	days := map[key][]string{}
	var order []key
	for _, d := range dayOrder {
		for _, w := range byDay[d] {
			k := key(w)
			if _, ok := days[k]; !ok {
				order = append(order, k)
			}
			days[k] = append(days[k], d)
		}
	}
	sort.SliceStable(order, func(i, j int) bool { return order[i][0] < order[j][0] })
	var out []oncall.Restriction
	for _, k := range order {
		out = append(out, oncall.Restriction{Days: days[k], From: oncall.Clock(k[0]), To: oncall.Clock(k[1])})
	}
	return out
}

// localStart writes an instant as a layer's start in its time zone.
func localStart(t time.Time, loc *time.Location) string {
	lt := t.In(loc)
	if lt.Second() != 0 {
		return lt.Format("2006-01-02T15:04:05")
	}
	return lt.Format("2006-01-02T15:04")
}

// Merge adds the result to the configuration base (named file): contacts, schedules,
// overrides and escalation plans are appended to their sections (created at the end
// when missing), every other byte of base is kept. Imported contacts that match one of
// base's (same id or a shared e-mail address) become that contact. It returns the
// merged text, what was added (after those renames) and what was left out, or an error
// when base or the merged text does not load with parse (config.Parse, or one that
// knows where else runbook definitions are).
func Merge(file string, base []byte, r *Result, parse func(file string, data []byte) (*config.Config, error)) ([]byte, *Result, []string, error) {
	cfg, err := parse(file, base)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("%s does not load before the import: %w", file, err)
	}
	var notes []string
	// Contacts: reuse base's where they are the same person.
	rename := map[string]string{}
	var contacts []*oncall.Contact
	for _, c := range r.Contacts {
		if ex := sameContact(cfg, c); ex != nil {
			rename[c.ID] = ex.ID
			notes = append(notes, fmt.Sprintf("contact %s: %s already has it as %s; kept that one", c.ID, file, ex.ID))
			continue
		}
		contacts = append(contacts, c)
	}
	ren := func(id string) string {
		if n, ok := rename[id]; ok {
			return n
		}
		return id
	}
	schedRename := map[string]string{}
	schedules := map[string]*oncall.Schedule{}
	for _, name := range sortedKeys(r.Schedules) {
		s := r.Schedules[name]
		for _, l := range s.Layers {
			for i, m := range l.Members {
				l.Members[i] = ren(m)
			}
		}
		n := name
		if cfg.Schedules[name] != nil {
			n = slug(name+"-imported", func(x string) bool { return cfg.Schedules[x] != nil || r.Schedules[x] != nil })
			notes = append(notes, fmt.Sprintf("schedule %s: %s already has one of that name; imported as %s", name, file, n))
			schedRename[name] = n
		}
		schedules[n] = s
	}
	renSched := func(n string) string {
		if x, ok := schedRename[n]; ok {
			return x
		}
		return n
	}
	var overrides []oncall.Override
	for _, o := range r.Overrides {
		o.Contact, o.Schedule = ren(o.Contact), renSched(o.Schedule)
		overrides = append(overrides, o)
	}
	escalations := map[string]*Escalation{}
	for _, name := range sortedKeys(r.Escalations) {
		e := r.Escalations[name]
		for ti := range e.Tiers {
			for j, who := range e.Tiers[ti].Notify {
				switch {
				case strings.HasPrefix(who, config.ContactPrefix):
					e.Tiers[ti].Notify[j] = config.ContactPrefix + ren(strings.TrimPrefix(who, config.ContactPrefix))
				case strings.HasPrefix(who, config.SchedulePrefix):
					e.Tiers[ti].Notify[j] = config.SchedulePrefix + renSched(strings.TrimPrefix(who, config.SchedulePrefix))
				}
			}
		}
		n := name
		if cfg.Escalations[name] != nil {
			n = slug(name+"-imported", func(x string) bool { return cfg.Escalations[x] != nil || r.Escalations[x] != nil })
			notes = append(notes, fmt.Sprintf("escalation %s: %s already has one of that name; imported as %s", name, file, n))
		}
		escalations[n] = e
	}

	var root yaml.Node
	if err := yaml.Unmarshal(base, &root); err != nil || len(root.Content) == 0 {
		return nil, nil, nil, fmt.Errorf("%s: not a YAML document", file)
	}
	text := string(base)
	header := fmt.Sprintf("# Imported from %s by `firebreak import` (docs/oncall.md).", r.Source)
	// Later sections first, so earlier insertions keep the line numbers of later ones valid.
	type section struct {
		key   string
		value any
		empty bool
	}
	sections := []section{
		{"contacts", contacts, len(contacts) == 0},
		{"schedules", schedules, len(schedules) == 0},
		{"overrides", overrides, len(overrides) == 0},
		{"escalations", escalations, len(escalations) == 0},
	}
	type edit struct {
		line int // insert before this 0-based line; -1: append
		text string
		drop bool // replace the line (a flow-style empty section) instead of inserting
	}
	var edits []edit
	for _, sec := range sections {
		if sec.empty {
			continue
		}
		key, val := topLevel(root.Content[0], sec.key)
		switch {
		case key == nil:
			body, err := render(sec.value, 2)
			if err != nil {
				return nil, nil, nil, err
			}
			edits = append(edits, edit{line: -1, text: header + "\n" + sec.key + ":\n" + body})
		case val.Kind != yaml.ScalarNode && len(val.Content) > 0 && val.Style&yaml.FlowStyle == 0:
			indent := val.Content[0].Column - 1
			if val.Kind == yaml.SequenceNode {
				indent -= 2
			}
			body, err := render(sec.value, indent)
			if err != nil {
				return nil, nil, nil, err
			}
			edits = append(edits, edit{line: endLine(text, lastLine(val)), text: body})
		case val.Line == key.Line && lastLine(val) == key.Line:
			// `overrides: []` or `overrides:` with nothing: rewrite as a block.
			body, err := render(sec.value, 2)
			if err != nil {
				return nil, nil, nil, err
			}
			comment := ""
			if key.LineComment != "" {
				comment = "  " + key.LineComment
			} else if val.LineComment != "" {
				comment = "  " + val.LineComment
			}
			edits = append(edits, edit{line: key.Line - 1, text: sec.key + ":" + comment + "\n" + body, drop: true})
		default:
			return nil, nil, nil, fmt.Errorf("%s:%d: %s: a flow-style section spanning lines; write it as a block list or mapping, then import again", file, key.Line, sec.key)
		}
	}
	lines := strings.SplitAfter(text, "\n")
	if n := len(lines); n > 0 && lines[n-1] == "" {
		lines = lines[:n-1]
	}
	slices.SortStableFunc(edits, func(a, b edit) int { return b.line - a.line })
	var tail []string
	for _, e := range edits {
		if e.line < 0 {
			tail = append(tail, e.text)
			continue
		}
		repl := []string{e.text}
		if e.drop {
			lines = slices.Replace(lines, e.line, e.line+1, repl...)
		} else {
			lines = slices.Insert(lines, e.line, repl...)
		}
	}
	out := strings.Join(lines, "")
	if len(tail) > 0 {
		if !strings.HasSuffix(out, "\n") {
			out += "\n"
		}
		out += "\n" + strings.Join(tail, "\n")
	}
	if _, err := parse(file, []byte(out)); err != nil {
		return nil, nil, nil, fmt.Errorf("the merged configuration would not load; nothing written:\n%w", err)
	}
	added := &Result{Source: r.Source, Contacts: contacts, Schedules: schedules, Overrides: overrides, Escalations: escalations, NotCarried: r.NotCarried}
	return []byte(out), added, notes, nil
}

// Fragment renders the result's sections alone, as they would be appended to a
// configuration without them.
func Fragment(r *Result) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# Imported from %s by `firebreak import` (docs/oncall.md).\n", r.Source)
	for _, sec := range []struct {
		key   string
		value any
		n     int
	}{{"contacts", r.Contacts, len(r.Contacts)}, {"schedules", r.Schedules, len(r.Schedules)},
		{"overrides", r.Overrides, len(r.Overrides)}, {"escalations", r.Escalations, len(r.Escalations)}} {
		if sec.n == 0 {
			continue
		}
		body, err := render(sec.value, 2)
		if err != nil {
			return nil, err
		}
		b.WriteString(sec.key + ":\n" + body)
	}
	return b.Bytes(), nil
}

func sameContact(cfg *config.Config, c *oncall.Contact) *oncall.Contact {
	if ex := cfg.Contact(c.ID); ex != nil {
		return ex
	}
	for _, ex := range cfg.Contacts {
		for _, m := range c.Email {
			if ex != nil && slices.ContainsFunc(ex.Email, func(e string) bool { return strings.EqualFold(e, m) }) {
				return ex
			}
		}
	}
	return nil
}

// render writes v as YAML lines indented by indent spaces.
func render(v any, indent int) (string, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return "", fmt.Errorf("render: %w", err)
	}
	pad := strings.Repeat(" ", max(indent, 0))
	var out strings.Builder
	for _, l := range strings.SplitAfter(b.String(), "\n") {
		if strings.TrimSpace(l) == "" {
			continue
		}
		out.WriteString(pad + l)
	}
	return out.String(), nil
}

func topLevel(m *yaml.Node, key string) (*yaml.Node, *yaml.Node) {
	if m.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i], m.Content[i+1]
		}
	}
	return nil, nil
}

// lastLine is the last line (1-based) any node under n starts on.
func lastLine(n *yaml.Node) int {
	l := n.Line
	for _, c := range n.Content {
		l = max(l, lastLine(c))
	}
	return l
}

// endLine returns the 0-based line after the section ending on 1-based line last,
// past continuation lines (indented, e.g. of block scalars or folded flow values).
func endLine(text string, last int) int {
	lines := strings.Split(text, "\n")
	i := last // 0-based index of the line after `last`
	for i < len(lines) && len(lines[i]) > 0 && (lines[i][0] == ' ' || lines[i][0] == '\t') && !strings.HasPrefix(strings.TrimSpace(lines[i]), "#") {
		i++
	}
	return i
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// minutes writes a number of minutes as a configuration duration.
func minutes(n int) string { return config.Short(time.Duration(n) * time.Minute) }
