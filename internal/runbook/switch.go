package runbook

import (
	"context"
	"encoding/json"

	"github.com/firebreak-ops/firebreak/internal/dispatch"
)

// Switch starts runbooks marked dry_run with the local runner (their AWS calls are
// recorded, not made) and the others with Step Functions.
type Switch struct {
	DryRun map[string]bool
	Local  dispatch.Starter
	Remote dispatch.Starter
}

var _ dispatch.Starter = (*Switch)(nil)

// Start starts the runbook where its configuration says.
func (s *Switch) Start(ctx context.Context, runbook, name string, input json.RawMessage) (dispatch.Execution, error) {
	if s.DryRun[runbook] {
		return s.Local.Start(ctx, runbook, name, input)
	}
	return s.Remote.Start(ctx, runbook, name, input)
}
