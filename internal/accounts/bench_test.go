package accounts_test

import (
	"strings"
	"testing"

	"github.com/firebreak-ops/firebreak/internal/accounts"
	"github.com/firebreak-ops/firebreak/internal/incident"
)

// BenchmarkApply is the directory's cost per event, per case, beside the no-directory
// baseline in the same run (`make bench`): a map lookup; a sentence only for an incident
// it shapes.
func BenchmarkApply(b *testing.B) {
	sev2 := accounts.Class{Severity: incident.Sev2, Team: "platform", Incident: true}
	info := accounts.Class{Severity: incident.Info, Team: "platform"}
	for _, bc := range []struct {
		name, yaml, account string
		class               accounts.Class
	}{
		{"no-directory", base[:strings.Index(base, "tiers:")], "111122223333", sev2},
		{"listed-info-event", base, "111122223333", info},
		{"unknown-info-event", base, "999999999999", info},
		{"listed-gold-incident", base, "111122223333", sev2},
		{"unknown-incident", base, "999999999999", sev2},
	} {
		b.Run(bc.name, func(b *testing.B) {
			d := load(b, bc.yaml)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := d.Apply(bc.account, bc.class); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
