package config

import (
	"fmt"
	"text/template"
)

// ParseTitles parses the classes' title templates (TitleT) again from their titles: the
// one derived field Go source cannot hold, for a configuration Parse validated and a
// generator wrote out as Go values (internal/lambdaenv/gen).
func (c *Config) ParseTitles() error {
	title := func(key string, cl *Class) error {
		if cl == nil || cl.Title == "" {
			return nil
		}
		t, err := newTitle(cl)
		if err != nil {
			return fmt.Errorf("%s: %s.title: %w", c.File, key, err)
		}
		cl.TitleT = t
		return nil
	}
	for i, cl := range c.Taxonomy {
		if err := title(fmt.Sprintf("taxonomy[%d]", i), cl); err != nil {
			return err
		}
	}
	return title("fallback", c.Fallback)
}

// newTitle parses a class's title template as Parse does.
func newTitle(cl *Class) (*template.Template, error) {
	return template.New(cl.Class).Option("missingkey=zero").Parse(cl.Title)
}
