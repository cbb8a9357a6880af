// Command intake is the intake Lambda: SQS batches of EventBridge events in, classified
// and correlated incidents out (see internal/intake).
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/firebreak-ops/firebreak/internal/classify"
	"github.com/firebreak-ops/firebreak/internal/intake"
	"github.com/firebreak-ops/firebreak/internal/lambdaenv"
	"github.com/firebreak-ops/firebreak/internal/metrics"
)

func main() {
	h, err := setup(context.Background())
	if err != nil {
		lambdaenv.Fatal(nil, "intake", err)
	}
	lambda.Start(h.Handle)
}

func setup(ctx context.Context) (*intake.Handler, error) {
	env, err := lambdaenv.Load(ctx)
	if err != nil {
		return nil, err
	}
	c, err := classify.New(env.Config)
	if err != nil {
		return nil, err
	}
	p := intake.New(env.Store, c, env.Now, env.Log)
	p.ReopenWithin = env.Config.Defaults.ReopenWithin.Duration
	return &intake.Handler{Processor: p, Now: env.Now, Log: env.Log, Metrics: metrics.New(os.Stdout)}, nil
}
