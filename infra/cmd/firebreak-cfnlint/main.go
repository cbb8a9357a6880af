// Command firebreak-cfnlint runs cfn-lint on every template of a CDK assembly and fails on
// any error or warning that the suppression file does not accept. `make synth` runs it:
//
//	go run ./infra/cmd/firebreak-cfnlint [-suppressions infra/cfn-lint.yaml] [cdk.out]
//
// Without cfn-lint it says how to install it and succeeds, except under CI=true, where
// the check is required.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/firebreak-ops/firebreak/infra/cfnlint"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr, os.Getenv("CI") == "true")) }

func run(args []string, stdout, stderr io.Writer, ci bool) int {
	fs := flag.NewFlagSet("firebreak-cfnlint", flag.ContinueOnError)
	fs.SetOutput(stderr)
	supFile := fs.String("suppressions", "infra/cfn-lint.yaml", "the findings accepted, each with a reason")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	dir := "cdk.out"
	if fs.NArg() > 1 {
		fmt.Fprintln(stderr, "firebreak-cfnlint: one assembly directory at most")
		return 2
	} else if fs.NArg() == 1 {
		dir = fs.Arg(0)
	}
	bin, err := cfnlint.Find()
	if errors.Is(err, cfnlint.ErrNotInstalled) && !ci {
		fmt.Fprintf(stderr, "firebreak-cfnlint: skipped: %v\n", err)
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "firebreak-cfnlint: %v\n", err)
		return 1
	}
	sups, err := cfnlint.LoadSuppressions(*supFile)
	if err != nil {
		fmt.Fprintf(stderr, "firebreak-cfnlint: %v\n", err)
		return 1
	}
	templates, err := cfnlint.Templates(dir)
	if err != nil {
		fmt.Fprintf(stderr, "firebreak-cfnlint: %v\n", err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	res, err := cfnlint.Check(ctx, bin, templates, sups)
	if err != nil {
		fmt.Fprintf(stderr, "firebreak-cfnlint: %v\n", err)
		return 1
	}
	for _, s := range res.Unused {
		fmt.Fprintf(stderr, "firebreak-cfnlint: warning: suppression of %s on %q matched nothing (%s): remove it if it is stale\n", s.Rule, s.Resource, *supFile)
	}
	for _, f := range res.Failures {
		fmt.Fprintf(stderr, "%s/%s\n", dir, f)
	}
	if n := len(res.Failures); n > 0 {
		fmt.Fprintf(stderr, "firebreak-cfnlint: %d finding(s) in %d template(s) not accepted by %s\n", n, len(templates), *supFile)
		return 1
	}
	fmt.Fprintf(stdout, "cfn-lint: %d template(s) in %s valid (%d finding(s) suppressed by %s)\n", len(templates), dir, len(res.Suppressed), *supFile)
	return 0
}
