package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
)

// command is one firebreak command, or a subcommand of one (subs), with what its --help
// says. Its help is made from these fields and from the flags its run defines with
// newFlags, so the flags listed are the flags parsed; `firebreak help NAME...` and
// `firebreak NAME... --help` print the same.
//
// A new command is one new file declaring `var fooCmd = &command{...}` beside its run
// function, and one line in the commands table (cli.go); a new subcommand is one line in
// its parent's subs. Its help text is then checked by a golden file in testdata/help,
// written by `go test ./internal/cli -run TestHelp -update`.
type command struct {
	name      string      // the full name: "incidents ack"
	args      string      // the positional arguments of the synopsis: "ID TEXT..."
	summary   string      // what it does, one line (lists of commands show it)
	about     string      // more, when there is more to say: paragraphs
	arguments [][2]string // each positional argument and what it is
	example   string      // command lines, one a line
	hidden    bool        // left out of lists (tools for benchmarks)
	run       func(ctx context.Context, env Env, args []string) error
	subs      []*command
}

// usage is the synopsis: "firebreak incidents ack ID [flags]".
func (c *command) usage() string {
	s := "firebreak " + c.name
	if c.args != "" {
		s += " " + c.args
	}
	return s + " [flags]"
}

// leaf is the last word of the name: what selects a subcommand.
func (c *command) leaf() string { return c.name[strings.LastIndex(c.name, " ")+1:] }

// lookup finds the command of a full name ("incidents ack"), or nil.
func lookup(name string) *command {
	list := commands
	var found *command
	for _, w := range strings.Fields(name) {
		found = nil
		for _, c := range list {
			if c.leaf() == w {
				found = c
				break
			}
		}
		if found == nil {
			return nil
		}
		list = found.subs
	}
	return found
}

// width is what human output fits in (see table).
const width = 120

// writeHelp prints the help of c, with the flags of fs (nil: none).
func writeHelp(w io.Writer, c *command, fs *flag.FlagSet) {
	var b strings.Builder
	fmt.Fprintf(&b, "firebreak %s: %s\n\nUsage:\n  %s\n", c.name, c.summary, c.usage())
	for _, para := range strings.Split(strings.TrimSpace(c.about), "\n\n") {
		if para != "" {
			b.WriteString("\n" + wrap(para, width, "") + "\n")
		}
	}
	if len(c.arguments) > 0 {
		b.WriteString("\nArguments:\n")
		writeTerms(&b, c.arguments)
	}
	if subs := visible(c.subs); len(subs) > 0 {
		b.WriteString("\nCommands:\n")
		var terms [][2]string
		for _, s := range subs {
			for _, l := range leaves(s) { // incidents lists silence add, list and end
				terms = append(terms, [2]string{strings.TrimSpace(strings.TrimPrefix(l.name, c.name+" ") + " " + l.args), l.summary})
			}
		}
		writeTerms(&b, terms)
		fmt.Fprintf(&b, "\n`firebreak help %s COMMAND` says more about each.\n", c.name)
	}
	if terms := flagTerms(fs); len(terms) > 0 {
		b.WriteString("\nFlags:\n")
		writeTerms(&b, terms)
	}
	if c.example != "" {
		b.WriteString("\nExample:\n")
		for _, l := range strings.Split(strings.TrimSpace(c.example), "\n") {
			b.WriteString("  " + strings.TrimSpace(l) + "\n")
		}
	}
	_, _ = io.WriteString(w, b.String())
}

// flagTerms lists the flags of fs as "--name VALUE" and their descriptions, with
// their defaults when not zero. A backquoted word in a usage string names the value
// (flag.UnquoteUsage): "configuration `FILE`"; without one a text flag's value is
// named after the flag (--note NOTE), a number N, a duration DURATION.
func flagTerms(fs *flag.FlagSet) [][2]string {
	if fs == nil {
		return nil
	}
	var terms [][2]string
	fs.VisitAll(func(f *flag.Flag) {
		name, usage := flag.UnquoteUsage(f)
		term := "--" + f.Name
		switch name {
		case "":
		case "value", "string": // no `WORD` in the usage: the flag's name names its value
			term += " " + strings.ToUpper(f.Name)
		case "int", "uint", "uint64":
			term += " N"
		case "duration":
			term += " DURATION"
		default:
			term += " " + name
		}
		if d := f.DefValue; d != "" && d != "0" && d != "false" && d != "0s" && d != "[]" {
			usage += " (default " + d + ")"
		}
		terms = append(terms, [2]string{term, usage})
	})
	return terms
}

// writeTerms prints terms and their descriptions in two columns, the descriptions
// wrapped to width.
func writeTerms(b *strings.Builder, terms [][2]string) {
	const maxCol = 32 // a longer term gets a line of its own
	col := 0
	for _, t := range terms {
		if n := len([]rune(t[0])); n <= maxCol {
			col = max(col, n)
		}
	}
	indent := strings.Repeat(" ", 2+col+2)
	for _, t := range terms {
		term := t[0]
		if n := len([]rune(term)); n > col {
			b.WriteString("  " + term + "\n" + indent)
		} else {
			b.WriteString("  " + term + strings.Repeat(" ", col-n+2))
		}
		b.WriteString(strings.TrimPrefix(wrap(t[1], width, indent), indent) + "\n")
	}
}

// wrap breaks text into lines of at most width runes, each starting with indent; a word
// longer than a line is cut with "…".
func wrap(text string, width int, indent string) string {
	var lines []string
	line := indent
	for _, w := range strings.Fields(text) {
		w = elide(w, width-runes(indent))
		if line != indent && len([]rune(line))+1+len([]rune(w)) > width {
			lines = append(lines, line)
			line = indent
		}
		if line != indent {
			line += " "
		}
		line += w
	}
	return strings.Join(append(lines, line), "\n")
}

// leaves are c itself or, when it is only a group of subcommands, those.
func leaves(c *command) []*command {
	if len(c.subs) == 0 || c.run != nil {
		return []*command{c}
	}
	var out []*command
	for _, s := range visible(c.subs) {
		out = append(out, leaves(s)...)
	}
	return out
}

func visible(cs []*command) []*command {
	var out []*command
	for _, c := range cs {
		if !c.hidden {
			out = append(out, c)
		}
	}
	return out
}

// wantsHelp reports whether args ask for help: -h, -help or --help before any "--".
func wantsHelp(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-h", "-help", "--help":
			return true
		}
	}
	return false
}

// runHelp is `firebreak help [COMMAND...]`.
func runHelp(ctx context.Context, env Env, args []string) error {
	if wantsHelp(args) {
		writeHelp(env.Stdout, lookup("help"), nil)
		return flag.ErrHelp
	}
	if len(args) == 0 {
		usage(env.Stdout)
		return nil
	}
	c := lookup(args[0])
	if c == nil {
		return fmt.Errorf("%w: unknown command %q", errUsage, args[0])
	}
	if lookup(strings.Join(args, " ")) == nil {
		return fmt.Errorf("%w: unknown command %q", errUsage, strings.Join(args, " "))
	}
	return c.run(ctx, env, append(append([]string(nil), args[1:]...), "--help"))
}
