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

// commands is the command table: one line per command, in the order `firebreak help`
// lists them. Each is declared beside its run function (see command in help.go).
var commands []*command

func init() {
	commands = []*command{
		classifyCmd,
		policyCmd,
		replayCmd,
		heartbeatsCmd,
		serveCmd,
		incidentsCmd,
		statusLinkCmd,
		actionsCmd,
		problemsCmd,
		reportCmd,
		importCmd,
		oncallCmd,
		versionCmd,
		helpCmd,
		generateCmd,
	}
}

var helpCmd = &command{
	name: "help", args: "[COMMAND [SUBCOMMAND]]", summary: "say what a command does, its arguments and flags, with an example",
	arguments: [][2]string{{"COMMAND", "a command; without one, the list of commands"}, {"SUBCOMMAND", "a subcommand of it (incidents ack, oncall shifts)"}},
	example:   "firebreak help replay\nfirebreak help incidents ack",
	run:       runHelp,
}

// errUsage marks errors whose remedy is reading the usage.
var errUsage = errors.New("usage")

// usageError is a usage error of a subcommand ("incidents ack"): Run shows that
// command's usage.
type usageError struct {
	name string
	err  error // wraps errUsage
}

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// usageOf is a usage error of the command of that full name.
func usageOf(name, format string, args ...any) error {
	return &usageError{name: name, err: fmt.Errorf("%w: "+format, append([]any{errUsage}, args...)...)}
}

// Run runs the command line args (without the program name) and returns the exit code.
func Run(ctx context.Context, args []string, env Env) int {
	if env.Getenv == nil {
		env.Getenv = os.Getenv
	}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "-help" {
		usage(env.Stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	// `firebreak X help [Y]` is `firebreak X [Y] --help`.
	if len(args) > 1 && args[1] == "help" {
		args = append(append([]string{args[0]}, args[2:]...), "--help")
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
			u := c
			var ue *usageError
			if errors.As(err, &ue) && lookup(ue.name) != nil {
				u = lookup(ue.name)
			}
			fmt.Fprintf(env.Stderr, "firebreak %s: %v\nusage: %s\n(firebreak help %s says more)\n", c.name, err, u.usage(), u.name)
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
	var b strings.Builder
	b.WriteString("firebreak: event, incident and problem response for AWS, offline-first\n\nUsage:\n  firebreak COMMAND [ARG...] [flags]\n\nCommands:\n")
	var terms [][2]string
	for _, c := range visible(commands) {
		terms = append(terms, [2]string{c.name, c.summary})
	}
	writeTerms(&b, terms)
	b.WriteString("\n`firebreak help COMMAND` or `firebreak COMMAND --help` says what a command does, its arguments and flags.\n")
	b.WriteString("Without --config, ./firebreak.yaml is used when present, else the configuration built into this binary.\n")
	_, _ = io.WriteString(w, b.String())
}

// newFlags is the flag set of the command of that full name ("incidents ack"): --help
// prints the command's help with these flags on stdout. Parse errors are not printed
// here: they come back from parseFlags, and Run says them once.
func newFlags(name string, env Env) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		c := lookup(name)
		if c == nil { // a command without its table line: its flags at least
			c = &command{name: name, summary: "(no description)"}
		}
		writeHelp(env.Stdout, c, fs)
	}
	return fs
}

// parseFlags parses flags anywhere among the arguments (flag stops at the first
// positional argument; operators type `replay events/ --json`). With -h or --help it
// prints the help (fs.Usage) and returns flag.ErrHelp.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	if wantsHelp(args) {
		fs.Usage()
		return nil, flag.ErrHelp
	}
	help := fs.Usage
	fs.Usage = func() {} // flag calls it on errors too
	defer func() { fs.Usage = help }()
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, usageOf(fs.Name(), "%v", err)
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
