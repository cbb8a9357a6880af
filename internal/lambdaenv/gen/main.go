// Command gen writes the compact form of the repository's firebreak.yaml that the
// Lambdas embed (internal/lambdaenv/config.gen.json): the configuration parsed and
// validated here, at build time, so that no Lambda parses YAML at cold start. `go
// generate ./internal/lambdaenv` and `make build` run it.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/firebreak-ops/firebreak"
)

func main() { os.Exit(run()) }

func run() int {
	out := flag.String("o", "config.gen.json", "file to write")
	flag.Parse()
	cfg, err := firebreak.Config()
	if err == nil {
		var data []byte
		if data, err = cfg.Compact(); err == nil {
			err = os.WriteFile(*out, append(data, '\n'), 0o644)
		}
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "gen: %v\n", err)
		return 1
	}
	return 0
}
