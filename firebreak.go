// Package firebreak holds the repository-level defaults the Lambdas, the CLI and the
// stack share: the operator's configuration file, built into every binary.
package firebreak

import (
	"embed"

	"github.com/firebreak-ops/firebreak/internal/config"
)

// ConfigFile is the configuration file's path in the repository.
const ConfigFile = "firebreak.yaml"

//go:embed firebreak.yaml
var configYAML []byte

// runbookFiles are the runbook definitions, at their paths in the repository, so the
// built-in configuration's runbooks are checked wherever the binary runs.
//
//go:embed runbooks/*.asl.json
var runbookFiles embed.FS

// Config parses the configuration built into this binary.
func Config() (*config.Config, error) {
	return config.ParseFS(ConfigFile, configYAML, runbookFiles)
}

// ConfigBytes returns the configuration built into this binary, as written.
func ConfigBytes() []byte { return append([]byte(nil), configYAML...) }
