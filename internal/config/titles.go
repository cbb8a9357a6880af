package config

import (
	"fmt"
	"text/template"
)

// Derive rebuilds the fields Parse derives that Go source cannot hold, for a configuration
// Parse validated and a generator wrote out as Go values (internal/lambdaenv/gen): the
// classes' title templates (TitleT) and the schedules' compiled layers.
func (c *Config) Derive() error {
	if err := c.parseTitles(); err != nil {
		return err
	}
	return c.CompileSchedules()
}

// CompileSchedules compiles the schedules' layers, Derive's second half, for a
// configuration Parse validated: a Lambda that resolves on-call runs it at cold start
// (it loads each layer's time zone), one that does not leaves it out.
func (c *Config) CompileSchedules() error {
	for _, name := range c.ScheduleNames() {
		if s := c.Schedules[name]; s != nil {
			if probs := s.Compile(func(id string) bool { return c.Contact(id) != nil }); len(probs) > 0 {
				return fmt.Errorf("%s: schedules.%s.%s: %s", c.File, name, probs[0].Path, probs[0].Msg)
			}
		}
	}
	return nil
}

// parseTitles parses the classes' title templates (TitleT) from their titles.
func (c *Config) parseTitles() error {
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

// ParseTitle parses the class's title template as Parse does (TitleT), for a class
// whose TitleT was not derived.
func (cl *Class) ParseTitle() (*template.Template, error) { return newTitle(cl) }

// newTitle parses a class's title template as Parse does.
func newTitle(cl *Class) (*template.Template, error) {
	return template.New(cl.Class).Option("missingkey=zero").Parse(cl.Title)
}
