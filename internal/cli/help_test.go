package cli

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/help from the help the commands print")

// runCLI runs the command line and returns its exit code, stdout and stderr.
func runCLI(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := Run(context.Background(), args, Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }})
	return code, out.String(), errb.String()
}

// everyCommand lists the commands and their subcommands, depth first.
func everyCommand(cs []*command) []*command {
	var out []*command
	for _, c := range cs {
		out = append(out, c)
		out = append(out, everyCommand(c.subs)...)
	}
	return out
}

// TestHelp: every command answers --help, `help NAME` and `NAME help` alike, with what it
// does, its usage, its flags described, and an example, in 120 columns; the text is the
// golden file's (go test ./internal/cli -run TestHelp -update rewrites them).
func TestHelp(t *testing.T) {
	for _, c := range everyCommand(commands) {
		t.Run(c.name, func(t *testing.T) {
			words := strings.Fields(c.name)
			code, out, errs := runCLI(append(words, "--help")...)
			if code != 0 || errs != "" {
				t.Fatalf("firebreak %s --help = exit %d, stderr %q; want 0 and nothing on stderr", c.name, code, errs)
			}
			for _, alt := range [][]string{append([]string{"help"}, words...), append(append([]string(nil), words...), "-h")} {
				if code, alt2, _ := runCLI(alt...); code != 0 || alt2 != out {
					t.Errorf("firebreak %s = exit %d:\n%s\nwant exit 0 and the same as --help:\n%s", strings.Join(alt, " "), code, alt2, out)
				}
			}
			checkHelp(t, c, out)
			golden(t, filepath.Join("testdata", "help", strings.ReplaceAll(c.name, " ", "-")+".txt"), out)
		})
	}
	t.Run("firebreak", func(t *testing.T) {
		code, out, _ := runCLI("help")
		if code != 0 {
			t.Fatalf("firebreak help = exit %d; want 0", code)
		}
		for _, c := range visible(commands) {
			if !strings.Contains(out, "\n  "+c.name+" ") {
				t.Errorf("firebreak help lacks the command %s:\n%s", c.name, out)
			}
		}
		golden(t, filepath.Join("testdata", "help", "firebreak.txt"), out)
	})
}

func checkHelp(t *testing.T, c *command, out string) {
	t.Helper()
	for _, want := range []string{"firebreak " + c.name + ": " + c.summary, "Usage:\n  firebreak " + c.name, "Example:\n  "} {
		if !strings.Contains(out, want) {
			t.Errorf("help of %s lacks %q:\n%s", c.name, want, out)
		}
	}
	if c.summary == "" {
		t.Errorf("command %s has no summary", c.name)
	}
	for i, line := range strings.Split(out, "\n") {
		if n := len([]rune(line)); n > width {
			t.Errorf("help of %s, line %d, is %d columns; want at most %d: %q", c.name, i+1, n, width, line)
		}
	}
	// Each flag is listed with a description.
	if _, flags, ok := strings.Cut(out, "\nFlags:\n"); ok {
		flags, _, _ = strings.Cut(flags, "\n\n")
		for _, line := range strings.Split(flags, "\n") {
			if strings.HasPrefix(line, "  --") && len(strings.Fields(line)) < 3 {
				t.Errorf("help of %s: flag line %q has no description", c.name, line)
			}
		}
	}
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden file: %v (go test ./internal/cli -run TestHelp -update writes it)", err)
	}
	if got != string(want) {
		t.Errorf("help differs from %s (go test ./internal/cli -run TestHelp -update rewrites it after a deliberate change):\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

// TestHelpErrors: help of what does not exist is a usage error.
func TestHelpErrors(t *testing.T) {
	for _, args := range [][]string{{"help", "frobnicate"}, {"help", "incidents", "frobnicate"}} {
		if code, _, errs := runCLI(args...); code != 2 || !strings.Contains(errs, "unknown command") {
			t.Errorf("firebreak %s = exit %d, %q; want 2, unknown command", strings.Join(args, " "), code, errs)
		}
	}
	// A subcommand's usage error shows that subcommand's usage.
	code, _, errs := runCLI("incidents", "--api", "http://127.0.0.1:1", "ack")
	if code != 2 || !strings.Contains(errs, "usage: firebreak incidents ack ID [flags]\n(firebreak help incidents ack says more)") {
		t.Errorf("firebreak incidents ack (no ID) = exit %d, %q; want 2 and the usage of incidents ack", code, errs)
	}
}
