package runbook

import (
	"context"
	"encoding/json"

	"github.com/firebreak-ops/firebreak/internal/config"
)

// Starter starts runbook executions. Starting an execution name twice is a no-op that
// reports the first execution.
type Starter interface {
	Start(ctx context.Context, runbook, name string, input json.RawMessage) (Execution, error)
}

// Switch starts runbooks marked dry_run with the local runner (their AWS calls are
// recorded, not made) and the others with Step Functions.
type Switch struct {
	DryRun map[string]bool
	Local  Starter
	Remote Starter
}

var _ Starter = (*Switch)(nil)

// Start starts the runbook where its configuration says.
func (s *Switch) Start(ctx context.Context, runbook, name string, input json.RawMessage) (Execution, error) {
	if s.DryRun[runbook] {
		return s.Local.Start(ctx, runbook, name, input)
	}
	return s.Remote.Start(ctx, runbook, name, input)
}

// NewSwitch is a deployment's starter: the runbooks cfg marks dry_run run in-process
// with task (their definitions read with definition, their AWS calls answered from
// fixtures); the others start with remote (Step Functions).
func NewSwitch(cfg map[string]*config.Runbook, definition func(name string) ([]byte, error), fixtures map[string]Fixtures, task *Task, remote Starter) (*Switch, error) {
	dryRun, defs := map[string]bool{}, map[string][]byte{}
	for name, rb := range cfg {
		if !rb.DryRun {
			continue
		}
		def, err := definition(name)
		if err != nil {
			return nil, err
		}
		defs[name], dryRun[name] = def, true
	}
	local, err := CompileLocal(defs)
	if err != nil {
		return nil, err
	}
	return &Switch{DryRun: dryRun, Local: &Runner{Machines: local, Fixtures: fixtures, Task: task, Now: task.Now}, Remote: remote}, nil
}
