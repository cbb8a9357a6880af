package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/incident"
)

var policyCmd = &command{
	name: "policy", summary: "print the severity policy (channels, objectives, escalation) as a Markdown table",
	about: `The table is rendered from the configuration, the same policy the escalator and dispatch
enforce: per severity, the channels paged, who else is told, the acknowledge, update and
resolve objectives, and the escalation tiers while nobody acknowledges.`,
	example: "firebreak policy --config firebreak.yaml",
	run:     runPolicy,
}

func runPolicy(_ context.Context, env Env, args []string) error {
	fs := newFlags("policy", env)
	cfgPath := fs.String("config", "", "configuration `FILE` (default ./firebreak.yaml when present, else the built-in configuration)")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	return WritePolicy(env.Stdout, cfg)
}

// WritePolicy renders the severity policy as a Markdown table: the one the escalator and
// dispatch enforce, as docs/configuration.md shows it.
func WritePolicy(w io.Writer, cfg *config.Config) error {
	var b strings.Builder
	b.WriteString("| severity | channels | also told | acknowledge within | update every | resolve within | escalation while unacknowledged |\n")
	b.WriteString("|---|---|---|---|---|---|---|\n")
	dash := func(s string) string {
		if s == "" {
			return "—"
		}
		return s
	}
	for _, sev := range incident.Severities {
		p := cfg.Severities[string(sev)]
		if p == nil {
			continue
		}
		var tiers []string
		for _, t := range p.Escalation {
			tier := fmt.Sprintf("%s: %s", dur(t.After.Duration), strings.Join(t.Notify, ", "))
			if t.Repeat > 0 {
				tier += fmt.Sprintf(" (+%d every %s)", t.Repeat, dur(t.Every.Duration))
			}
			tiers = append(tiers, tier)
		}
		name := string(sev)
		if p.Name != "" {
			name += " (" + p.Name + ")"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s |\n", name, dash(strings.Join(p.Channels, ", ")), dash(strings.Join(p.AlsoNotify, ", ")),
			dash(dur(p.AcknowledgeWithin.Duration)), dash(dur(p.UpdateEvery.Duration)), dash(dur(p.ResolveWithin.Duration)), dash(strings.Join(tiers, "; ")))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func dur(d time.Duration) string {
	if d <= 0 {
		return ""
	}
	return config.Short(d)
}
