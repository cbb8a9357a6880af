// Command dispatch is the dispatch Lambda: the table's stream in; runbooks started and
// responders told, once per change (see internal/dispatch).
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/firebreak-ops/firebreak/internal/dispatch"
	"github.com/firebreak-ops/firebreak/internal/lambdaenv"
	"github.com/firebreak-ops/firebreak/internal/metrics"
	"github.com/firebreak-ops/firebreak/internal/runbook"
	"github.com/firebreak-ops/firebreak/runbooks"
)

func main() {
	h, err := setup(context.Background())
	if err != nil {
		lambdaenv.Fatal(nil, "dispatch", err)
	}
	lambda.Start(h.Handle)
}

func setup(ctx context.Context) (*dispatch.StreamHandler, error) {
	env, err := lambdaenv.Load(ctx)
	if err != nil {
		return nil, err
	}
	machines, err := lambdaenv.JSON("STATE_MACHINES")
	if err != nil {
		return nil, err
	}
	sender, err := env.Sender()
	if err != nil {
		return nil, err
	}
	// Runbooks marked dry_run run here, recording the calls they would make.
	dryRun := map[string]bool{}
	defs := map[string][]byte{}
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
	task := &runbook.Task{Store: env.Store, Sender: sender, Config: env.Config, Now: env.Now, Lease: lambdaenv.Lease}
	starter := &runbook.Switch{DryRun: dryRun,
		Local:  &runbook.Runner{Machines: local, Fixtures: fixtures, Task: task, Now: env.Now},
		Remote: &dispatch.StepFunctions{Client: sfn.NewFromConfig(env.AWS), StateMachines: machines}}
	d := &dispatch.Dispatcher{Store: env.Store, Quiet: env.Store, Sender: sender, Runbooks: starter, Config: env.Config,
		Now: env.Now, Log: env.Log, Lease: lambdaenv.Lease, Metrics: metrics.New(os.Stdout)}
	if links := env.Links(); links != nil { // one-click links in notices
		d.Links, task.Links = links, links
	}
	return &dispatch.StreamHandler{Dispatcher: d, Log: env.Log}, nil
}
