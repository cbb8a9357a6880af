// Package cli implements the firebreak command: classify and replay events offline.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/firebreak-ops/firebreak"
	"github.com/firebreak-ops/firebreak/events"
	"github.com/firebreak-ops/firebreak/internal/asl"
	"github.com/firebreak-ops/firebreak/internal/bus"
	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/runbook"
	"github.com/firebreak-ops/firebreak/runbooks"
)

// Env is the command's view of its process.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
}

type command struct {
	name, usage, summary string
	run                  func(ctx context.Context, env Env, args []string) error
}

var commands []command

func init() {
	commands = []command{
		{"classify", "classify [--config FILE] [FILE...]", "print what the taxonomy makes of each event (stdin when no FILE)", runClassify},
		{"policy", "policy [--config FILE]", "print the severity policy (channels, objectives, escalation) as a Markdown table", runPolicy},
		{"replay", "replay [--config FILE | --diff OLD.yaml NEW.yaml] [--json] [--batch N] [--until D] [--outbox DIR] [--status-page DIR] PATH...", "run events through the rules, intake and an in-memory store in event-time order; --diff: what a config change would have changed", runReplay},
		{"serve", serveUsage, "replay PATH on the local pipeline and serve the API on 127.0.0.1 for the CLI and signed links", runServe},
		{"incidents", incidentsUsage, "work incidents through the API: list, show, ack, resolve, note, silence … (incidents help)", runIncidents},
		{"status-link", statusLinkUsage, "print a read-only viewer link to the status page (signed, long-lived, revoked by key rotation)", runStatusLink},
		{"import", importUsage, "import contacts, rotations, overrides and escalation plans from Incident Manager or Opsgenie (import help)", runImport},
		{"oncall", oncallUsage, "who is on call per schedule, shifts and .ics feeds, from the configuration (oncall help)", runOncall},
		{"generate-events", generateUsage, "", runGenerate}, // hidden: benchmarks and load tests
	}
}

// errUsage marks errors whose remedy is reading the usage.
var errUsage = errors.New("usage")

// Run runs the command line args (without the program name) and returns the exit code.
func Run(ctx context.Context, args []string, env Env) int {
	if env.Getenv == nil {
		env.Getenv = os.Getenv
	}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(env.Stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, env, args[1:])
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		case errors.Is(err, errUsage):
			fmt.Fprintf(env.Stderr, "firebreak %s: %v\nusage: firebreak %s\n", c.name, err, c.usage)
			return 2
		default:
			fmt.Fprintf(env.Stderr, "firebreak %s: %v\n", c.name, err)
			return 1
		}
	}
	fmt.Fprintf(env.Stderr, "firebreak: unknown command %q\n", args[0])
	usage(env.Stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "firebreak — event, incident and problem response for AWS, offline-first")
	fmt.Fprintln(w, "\nusage:")
	for _, c := range commands {
		if c.summary == "" {
			continue
		}
		fmt.Fprintf(w, "  firebreak %-48s %s\n", c.usage, c.summary)
	}
	fmt.Fprintln(w, "\nWithout --config, ./firebreak.yaml is used when present, else the configuration built into this binary.")
}

func newFlags(name string, env Env) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	return fs
}

// parseFlags parses flags anywhere among the arguments (flag stops at the first
// positional argument; operators type `replay events/ --json`).
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, fmt.Errorf("%w: %v", errUsage, err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// loadConfig reads --config, else ./firebreak.yaml, else the built-in configuration.
func loadConfig(path string) (*config.Config, error) {
	if path != "" {
		return firebreak.LoadConfig(path)
	}
	if _, err := os.Stat(firebreak.ConfigFile); err == nil {
		return firebreak.LoadConfig(firebreak.ConfigFile)
	}
	return firebreak.Config()
}

func loadBus() (*bus.Bus, error) {
	rules, err := events.Rules()
	if err != nil {
		return nil, err
	}
	return bus.New(rules)
}

// loadRunbooks compiles the built-in runbooks for local dry-run with their fixtures.
func loadRunbooks() (map[string]*asl.Machine, map[string]runbook.Fixtures, error) {
	defs, err := runbooks.Definitions()
	if err != nil {
		return nil, nil, err
	}
	machines, err := runbook.CompileLocal(defs)
	if err != nil {
		return nil, nil, err
	}
	fixtures, err := runbooks.DryRunFixtures()
	if err != nil {
		return nil, nil, err
	}
	return machines, fixtures, nil
}

func clip(s string, n int) string {
	r := []rune(strings.Join(strings.Fields(s), " "))
	if len(r) <= n {
		return string(r)
	}
	return string(r[:n-1]) + "…"
}
