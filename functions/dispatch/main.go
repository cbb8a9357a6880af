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
	"github.com/firebreak-ops/firebreak/internal/page"
	"github.com/firebreak-ops/firebreak/internal/review"
	"github.com/firebreak-ops/firebreak/internal/runbook"
	"github.com/firebreak-ops/firebreak/runbooks"
)

func main() { lambdaenv.Start("dispatch", setup) }

func setup(env *lambdaenv.Env) (any, error) {
	machines, err := env.JSON(lambdaenv.StateMachines)
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
	fixtures, err := runbooks.DryRunFixtures()
	if err != nil {
		return nil, err
	}
	// Runbooks marked dry_run run here, recording the calls they would make.
	task := &runbook.Task{Store: db, Sender: sender, Config: env.Config, Now: env.Now}
	starter, err := runbook.NewSwitch(env.Config.Runbooks, runbooks.Definition, fixtures, task,
		&runbook.StepFunctions{Client: sfn.NewFromConfig(env.AWS), StateMachines: machines})
	if err != nil {
		return nil, err
	}
	calls := dispatch.CallsAgain(db) // a failed read is made again where the change is
	d := &dispatch.Dispatcher{Store: calls, Quiet: calls, Sender: sender, Runbooks: starter, Config: env.Config, Now: env.Now,
		Log: env.Log, Metrics: metrics.New(os.Stdout), OnCall: &page.Resolver{Config: env.Config, Overrides: db}}
	d.Reviews = &review.Service{Store: db, Config: env.Config, Now: env.Now}     // post-incident reviews of resolved incidents
	d.Problems = dispatch.NewTracker(db, sender, env.Config, env.Log, d.Metrics) // problems of recurring fingerprints
	if l := links.New(env); l != nil {                                           // one-click links in notices
		d.Links, task.Links = l, l
	}
	return (&dispatch.StreamHandler{Dispatcher: d, Log: env.Log}).Handle, nil
}
