package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"text/template"
)

// Compact encodes a configuration Parse has validated, derived fields included (canonical
// patterns, parsed severities, team names, defaults filled in), as JSON that
// DecodeCompact turns back into the same Config without YAML, the event catalog or
// validation. The Lambdas embed this form (internal/lambdaenv), generated from
// firebreak.yaml at build time, so that their cold start only decodes it.
func (c *Config) Compact() ([]byte, error) {
	cp := *c
	cp.Taxonomy = make([]*Class, len(c.Taxonomy))
	for i, cl := range c.Taxonomy {
		cp.Taxonomy[i] = withoutTemplate(cl)
	}
	cp.Fallback = withoutTemplate(c.Fallback)
	data, err := json.Marshal(&cp)
	if err != nil {
		return nil, fmt.Errorf("compact %s: %w", c.File, err)
	}
	return data, nil
}

// withoutTemplate copies a class without its parsed title template, which JSON cannot
// carry: DecodeCompact parses Title again.
func withoutTemplate(cl *Class) *Class {
	if cl == nil {
		return nil
	}
	cp := *cl
	cp.TitleT = nil
	return &cp
}

// DecodeCompact decodes what Compact wrote. Unknown fields are errors: a compact form
// written by an older Config is regenerated, never half read. Only the title templates
// are parsed again; nothing else is validated a second time.
func DecodeCompact(data []byte) (*Config, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var c Config
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("decode compact configuration: %w", err)
	}
	title := func(key string, cl *Class) error {
		if cl == nil {
			return fmt.Errorf("decode compact configuration of %s: %s is empty", c.File, key)
		}
		if cl.Title == "" {
			return nil
		}
		t, err := template.New(cl.Class).Option("missingkey=zero").Parse(cl.Title)
		if err != nil {
			return fmt.Errorf("decode compact configuration of %s: %s.title: %w", c.File, key, err)
		}
		cl.TitleT = t
		return nil
	}
	for i, cl := range c.Taxonomy {
		if err := title(fmt.Sprintf("taxonomy[%d]", i), cl); err != nil {
			return nil, err
		}
	}
	if err := title("fallback", c.Fallback); err != nil {
		return nil, err
	}
	return &c, nil
}
