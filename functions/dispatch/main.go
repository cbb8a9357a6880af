// Command dispatch is the dispatch Lambda: the table's stream in; runbooks started and
// responders told, once per change (see internal/dispatch).
package main

import (
	"os"

	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/firebreak-ops/firebreak/internal/dispatch"
	"github.com/firebreak-ops/firebreak/internal/lambdaenv"
	"github.com/firebreak-ops/firebreak/internal/lambdaenv/links"
	"github.com/firebreak-ops/firebreak/internal/lambdaenv/teams"
	"github.com/firebreak-ops/firebreak/internal/metrics"
	"github.com/firebreak-ops/firebreak/internal/review"
	"github.com/firebreak-ops/firebreak/internal/runbook"
	"github.com/firebreak-ops/firebreak/runbooks"
)

func main() { lambdaenv.Start("dispatch", setup) }

func setup(env *lambdaenv.Env) (any, error) {
	machines, err := env.JSON("STATE_MACHINES")
	if err != nil {
		return nil, err
	}
	db, err := env.Store()
	if err != nil {
		return nil, err
	}
	sender, err := teams.Sender(env)
	if err != nil {
		return nil, err
	}
	// Runbooks marked dry_run run here, recording the calls they would make.
	dryRun, defs := map[string]bool{}, map[string][]byte{}
	for name, rb := range env.Config.Runbooks {
		if rb.DryRun {
			if defs[name], err = runbooks.Definition(name); err != nil {
				return nil, err
			}
			dryRun[name] = true
		}
	}
	local, err := runbook.CompileLocal(defs)
	if err != nil {
		return nil, err
	}
	fixtures, err := runbooks.DryRunFixtures()
	if err != nil {
		return nil, err
	}
	task := &runbook.Task{Store: db, Sender: sender, Config: env.Config, Now: env.Now, Lease: lambdaenv.Lease}
	starter := &runbook.Switch{DryRun: dryRun,
		Local:  &runbook.Runner{Machines: local, Fixtures: fixtures, Task: task, Now: env.Now},
		Remote: &dispatch.StepFunctions{Client: sfn.NewFromConfig(env.AWS), StateMachines: machines}}
	d := &dispatch.Dispatcher{Store: db, Quiet: db, Sender: sender, Runbooks: starter, Config: env.Config,
		Now: env.Now, Log: env.Log, Lease: lambdaenv.Lease, Metrics: metrics.New(os.Stdout)}
	d.Reviews = &review.Service{Store: db, Config: env.Config, Now: env.Now} // post-incident reviews of resolved incidents
	if l := links.New(env); l != nil {                                       // one-click links in notices
		d.Links, task.Links = l, l
	}
	return (&dispatch.StreamHandler{Dispatcher: d, Log: env.Log}).Handle, nil
}
