// Command escalate runs the incident clocks on a schedule (see internal/escalate).
package main

import (
	"context"
	"errors"
	"os"

	"github.com/aws/aws-lambda-go/events"

	"github.com/firebreak-ops/firebreak/internal/dispatch"
	"github.com/firebreak-ops/firebreak/internal/escalate"
	"github.com/firebreak-ops/firebreak/internal/lambdaenv"
	"github.com/firebreak-ops/firebreak/internal/lambdaenv/links"
	"github.com/firebreak-ops/firebreak/internal/lambdaenv/teams"
	"github.com/firebreak-ops/firebreak/internal/metrics"
	"github.com/firebreak-ops/firebreak/internal/page"
)

func main() { lambdaenv.Start("escalate", setup) }

func setup(env *lambdaenv.Env) (any, error) {
	db, err := env.Store()
	if err != nil {
		return nil, err
	}
	sender, err := teams.Sender(env)
	if err != nil {
		return nil, err
	}
	e := &escalate.Escalator{Store: db, Sender: sender, Config: env.Config, Metrics: metrics.New(os.Stdout),
		Now: env.Now, Log: env.Log, OnCall: &page.Resolver{Config: env.Config, Overrides: db}, Problems: db,
		Workers: escalate.DueWorkers}
	e.Recurrences = dispatch.NewTracker(db, sender, env.Config, env.Log, e.Metrics) // held pages tell recurring problems
	if l := links.New(env); l != nil {
		e.Links = l
	}
	// The follow-up clocks: reminders of post-incident reviews and tracked actions.
	f := &escalate.Followups{Store: db, Sender: sender, Config: env.Config, Metrics: e.Metrics, Now: env.Now, Log: env.Log}
	// The heartbeat clock: silence past a heartbeat's interval + grace is an incident.
	hb := &escalate.Heartbeats{Store: db, Config: env.Config, Metrics: e.Metrics, Now: env.Now, Log: env.Log}
	return func(ctx context.Context, _ events.EventBridgeEvent) (tick, error) {
		rep, err := e.Tick(ctx)
		frep, ferr := f.Tick(ctx)
		hrep, herr := hb.Tick(ctx)
		return tick{rep, frep, hrep}, errors.Join(err, ferr, herr)
	}, nil
}

// tick is what one run of the clocks did.
type tick struct {
	escalate.Report
	Followups  escalate.FollowupReport  `json:"followups"`
	Heartbeats escalate.HeartbeatReport `json:"heartbeats"`
}
