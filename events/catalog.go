// Package events is Firebreak's event catalog: the EventBridge rule patterns for every
// event class (catalog.yaml) and real-shaped sample events for each (samples/).
//
// The patterns here are the only copy: infra deploys them as EventBridge rules and the
// local bus (firebreak replay, tests) matches them with quamina.
package events

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"sync"

	"github.com/firebreak-ops/firebreak/internal/pattern"
	"github.com/firebreak-ops/firebreak/internal/strictyaml"
)

//go:embed catalog.yaml
var catalogYAML []byte

// SampleFS holds the sample events (samples/<source>/<name>.json) and their index.
//
//go:embed samples
var SampleFS embed.FS

// Buses a rule can be deployed on.
const (
	BusDefault     = "default"
	BusApplication = "application"
)

// Rule is one event class: the EventBridge rule that routes it to Firebreak.
type Rule struct {
	Name        string          `json:"name"`
	Description string          `json:"description"`
	Bus         string          `json:"bus"`
	Pattern     json.RawMessage `json:"pattern"` // canonical JSON, exactly what EventBridge gets
	// Scope is where EventBridge delivers the events it matches (scope.go), derived
	// from the pattern's sources.
	Scope Scope `json:"scope"`
}

type catalogFile struct {
	Rules []struct {
		Name        string `yaml:"name"`
		Description string `yaml:"description"`
		Bus         string `yaml:"bus"`
		Pattern     any    `yaml:"pattern"`
	} `yaml:"rules"`
}

// nameRe: at most 48 characters, checked apart (a {0,47} repetition costs every binary
// that links this package ~550 allocations at init).
var nameRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z][a-z0-9-]*$`) })

const maxRuleName = 48

// Rules returns the catalog's rules in file order.
func Rules() ([]Rule, error) { return ParseRules("events/catalog.yaml", catalogYAML) }

// ParseRules parses a catalog file; errors name the file, the line and the key.
func ParseRules(file string, data []byte) ([]Rule, error) {
	var f catalogFile
	doc, err := strictyaml.Decode(file, data, &f)
	if err != nil {
		return nil, err
	}
	if len(f.Rules) == 0 {
		return nil, doc.Errorf("rules", "no rules")
	}
	var errs strictyaml.Errors
	seen := map[string]bool{}
	out := make([]Rule, 0, len(f.Rules))
	for i, r := range f.Rules {
		key := fmt.Sprintf("rules[%d]", i)
		switch {
		case len(r.Name) > maxRuleName || !nameRe().MatchString(r.Name):
			errs = append(errs, doc.Errorf(key+".name", "%q must be lower-case letters, digits and dashes, at most 48", r.Name))
		case seen[r.Name]:
			errs = append(errs, doc.Errorf(key+".name", "duplicate rule %q", r.Name))
		}
		seen[r.Name] = true
		if r.Bus != BusDefault && r.Bus != BusApplication {
			errs = append(errs, doc.Errorf(key+".bus", "%q must be %q or %q", r.Bus, BusDefault, BusApplication))
		}
		if r.Description == "" {
			errs = append(errs, doc.Errorf(key+".description", "missing"))
		}
		p, err := pattern.Validate(r.Pattern)
		if err != nil {
			errs = append(errs, doc.Errorf(key+".pattern", "%v", err))
		}
		out = append(out, Rule{Name: r.Name, Description: r.Description, Bus: r.Bus, Pattern: p, Scope: scopeOf(p)})
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return out, nil
}

// Sample is one sample event of the catalog with where its shape comes from.
type Sample struct {
	File   string `yaml:"file"`   // path under samples/
	Shows  string `yaml:"shows"`  // what it is an example of
	Source string `yaml:"source"` // the documentation the shape was taken from
}

// Samples returns the sample index (samples/index.yaml), sorted by file.
func Samples() ([]Sample, error) {
	data, err := fs.ReadFile(SampleFS, "samples/index.yaml")
	if err != nil {
		return nil, fmt.Errorf("read sample index: %w", err)
	}
	var idx struct {
		Samples []Sample `yaml:"samples"`
	}
	doc, err := strictyaml.Decode("events/samples/index.yaml", data, &idx)
	if err != nil {
		return nil, err
	}
	for i, s := range idx.Samples {
		if _, err := fs.Stat(SampleFS, "samples/"+s.File); err != nil {
			return nil, doc.Errorf(fmt.Sprintf("samples[%d].file", i), "%s: no such sample", s.File)
		}
		if s.Source == "" {
			return nil, doc.Errorf(fmt.Sprintf("samples[%d].source", i), "missing: say where the shape comes from")
		}
	}
	sort.Slice(idx.Samples, func(i, j int) bool { return idx.Samples[i].File < idx.Samples[j].File })
	return idx.Samples, nil
}

// ReadSample returns the raw JSON of a sample by its index path.
func ReadSample(file string) ([]byte, error) { return fs.ReadFile(SampleFS, "samples/"+file) }
