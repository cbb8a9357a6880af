// Command firebreak classifies and replays events offline, and works incidents.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/firebreak-ops/firebreak/internal/cli"
)

func main() { os.Exit(run()) }

func run() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return cli.Run(ctx, os.Args[1:], cli.Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv})
}
