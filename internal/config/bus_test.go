package config_test

import (
	"strings"
	"testing"
)

func TestApplicationBusName(t *testing.T) {
	for _, tc := range []struct {
		bus string
		ok  bool
	}{
		{"firebreak-apps", true},
		{"a.b_c-9", true},
		{strings.Repeat("b", 256), true},
		{strings.Repeat("b", 257), false},
		{"apps/prod", false},
		{"apps bus", false},
	} {
		t.Run(tc.bus[:min(len(tc.bus), 20)], func(t *testing.T) {
			_, err := parse("firebreak.yaml", valid+"deploy:\n  application_bus: \""+tc.bus+"\"\n")
			if got := err == nil; got != tc.ok {
				t.Errorf("Parse(application_bus: %q) = %v; want ok %v", tc.bus, err, tc.ok)
			}
			if err != nil && !strings.Contains(err.Error(), "deploy.application_bus") {
				t.Errorf("Parse(application_bus: %q) = %v; want an error naming deploy.application_bus", tc.bus, err)
			}
		})
	}
}
