// Command runbook is the Go task the runbook state machines invoke: it writes each phase
// to the incident's timeline, asks humans for approval and tells owners (see
// internal/runbook).
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/firebreak-ops/firebreak/internal/lambdaenv"
	"github.com/firebreak-ops/firebreak/internal/runbook"
)

func main() {
	t, err := setup(context.Background())
	if err != nil {
		lambdaenv.Fatal(nil, "runbook task", err)
	}
	lambda.Start(t.Handle)
}

func setup(ctx context.Context) (*runbook.Task, error) {
	env, err := lambdaenv.Load(ctx)
	if err != nil {
		return nil, err
	}
	sender, err := env.Sender()
	if err != nil {
		return nil, err
	}
	t := &runbook.Task{Store: env.Store, Sender: sender, Config: env.Config, Now: env.Now, Lease: lambdaenv.Lease}
	if links := env.Links(); links != nil { // approval requests carry approve/reject links
		t.Links = links
	}
	return t, nil
}
