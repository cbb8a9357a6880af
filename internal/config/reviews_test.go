package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/incident"
)

func TestReviewPolicyDefaultsAndErrors(t *testing.T) {
	base := valid
	c, err := parse("f.yaml", base)
	if err != nil {
		t.Fatal(err)
	}
	p := c.ReviewPolicy()
	if p.Severity != incident.Sev2 || p.DueWithin != 5*24*time.Hour || p.RemindBefore != 24*time.Hour || p.OverdueEvery != 7*24*time.Hour {
		t.Errorf("ReviewPolicy() without a reviews section = %+v; want sev2, 120h, 24h, 168h", p)
	}
	if !p.Reviewed(incident.Sev1) || !p.Reviewed(incident.Sev2) || p.Reviewed(incident.Sev3) || p.Reviewed(incident.Info) {
		t.Errorf("Reviewed() at sev2: want sev1 and sev2 only")
	}
	tests := []struct{ yaml, want string }{
		{"reviews:\n  severity: info\n", `reviews.severity: "info" is not one of sev1, sev2, sev3, sev4`},
		{"reviews:\n  due_within: 0s\n", "reviews.due_within: must be more than 0s"},
		{"reviews:\n  due_within: 24h\n  remind_before: 48h\n", "reviews.remind_before: 48h is not shorter than due_within (24h)"},
		{"reviews:\n  sevrity: sev1\n", "sevrity"},
	}
	for _, tt := range tests {
		_, err := parse("f.yaml", base+tt.yaml)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Parse(%q) error = %v; want one mentioning %q", tt.yaml, err, tt.want)
		}
	}
	c, err = parse("f.yaml", base+"reviews:\n  severity: sev1\n  due_within: 72h\n")
	if err != nil {
		t.Fatal(err)
	}
	if p := c.ReviewPolicy(); p.Severity != incident.Sev1 || p.DueWithin != 72*time.Hour || p.RemindBefore != 24*time.Hour {
		t.Errorf("ReviewPolicy() = %+v; want sev1, 72h, default reminders", p)
	}
}
