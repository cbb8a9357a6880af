package runbooks

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/firebreak-ops/firebreak/internal/runbook"
)

//go:embed dryrun/*.json
var dryRunFS embed.FS

// DryRunFixtures are the answers dry-run gives each runbook's AWS calls: what AWS would
// answer when the runbook's remediation is needed (dryrun/<runbook>.json). Where an
// answer names resources it is rendered from the call's parameters.
func DryRunFixtures() (map[string]runbook.Fixtures, error) {
	files, err := fs.Glob(dryRunFS, "dryrun/*.json")
	if err != nil {
		return nil, err
	}
	out := map[string]runbook.Fixtures{}
	for _, f := range files {
		data, err := fs.ReadFile(dryRunFS, f)
		if err != nil {
			return nil, err
		}
		name := strings.TrimSuffix(path.Base(f), ".json")
		fx, err := runbook.ParseFixtures(name, data)
		if err != nil {
			return nil, fmt.Errorf("runbooks/%s: %w", f, err)
		}
		out[name] = fx
	}
	return out, nil
}
