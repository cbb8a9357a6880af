// Package firebreak holds the repository-level defaults the Lambdas, the CLI and the
// stack share: the operator's configuration file, built into every binary.
package firebreak

import (
	"embed"
	"errors"
	"io/fs"
	"os"

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

// LoadConfig reads and validates a configuration file (see ParseConfig).
func LoadConfig(path string) (*config.Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseConfig(path, data)
}

// ParseConfig validates configuration data from file. Runbook definitions are read from
// the repository holding file (config.Root); a path not found there is read from the
// runbooks built into this binary, so a copy of the configuration edited outside the
// repository (replay --diff old.yaml new.yaml) still loads.
func ParseConfig(file string, data []byte) (*config.Config, error) {
	return config.ParseFS(file, data, layered{os.DirFS(config.Root(file)), runbookFiles})
}

// layered opens a file from the first file system that has it.
type layered []fs.FS

func (l layered) Open(name string) (fs.File, error) {
	var first error
	for _, fsys := range l {
		f, err := fsys.Open(name)
		if err == nil || !errors.Is(err, fs.ErrNotExist) {
			return f, err
		}
		if first == nil {
			first = err
		}
	}
	return nil, first
}

// ConfigBytes returns the configuration built into this binary, as written.
func ConfigBytes() []byte { return append([]byte(nil), configYAML...) }
