// Command escalate runs the incident clocks on a schedule (see internal/escalate).
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/firebreak-ops/firebreak/internal/escalate"
	"github.com/firebreak-ops/firebreak/internal/lambdaenv"
	"github.com/firebreak-ops/firebreak/internal/metrics"
)

func main() {
	e, err := setup(context.Background())
	if err != nil {
		lambdaenv.Fatal(nil, "escalate", err)
	}
	lambda.Start(func(ctx context.Context, _ events.EventBridgeEvent) (escalate.Report, error) { return e.Tick(ctx) })
}

func setup(ctx context.Context) (*escalate.Escalator, error) {
	env, err := lambdaenv.Load(ctx)
	if err != nil {
		return nil, err
	}
	sender, err := env.Sender()
	if err != nil {
		return nil, err
	}
	e := &escalate.Escalator{Store: env.Store, Sender: sender, Config: env.Config, Metrics: metrics.New(os.Stdout),
		Now: env.Now, Log: env.Log, Lease: lambdaenv.Lease}
	if links := env.Links(); links != nil {
		e.Links = links
	}
	return e, nil
}
