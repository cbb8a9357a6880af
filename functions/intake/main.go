// Command intake is the intake Lambda: SQS batches of EventBridge events in, classified
// and correlated incidents out (see internal/intake). It links the DynamoDB client only.
package main

import (
	"os"

	"github.com/firebreak-ops/firebreak/internal/classify"
	"github.com/firebreak-ops/firebreak/internal/intake"
	"github.com/firebreak-ops/firebreak/internal/lambdaenv"
	"github.com/firebreak-ops/firebreak/internal/metrics"
)

func main() { lambdaenv.Start("intake", setup, options...) }

// options: intake resolves no on-call schedule.
var options = []lambdaenv.Option{lambdaenv.WithoutSchedules()}

func setup(env *lambdaenv.Env) (any, error) {
	db, err := env.Store()
	if err != nil {
		return nil, err
	}
	newClassifier := classify.NewPlain // no template engine linked while every title is plain
	if !lambdaenv.PlainTitles {
		newClassifier = classify.New
	}
	c, err := newClassifier(env.Config)
	if err != nil {
		return nil, err
	}
	p := intake.New(intake.CallsAgain(db), c, env.Now, env.Log)
	p.ReopenWithin = env.Config.Defaults.ReopenWithin.Duration
	if p.Beats, err = intake.NewBeats(db, env.Config); err != nil {
		return nil, err
	}
	h := &intake.Handler{Processor: p, Now: env.Now, Log: env.Log, Metrics: metrics.New(os.Stdout)}
	return h.Handle, nil
}
