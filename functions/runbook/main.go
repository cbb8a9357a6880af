// Command runbook is the Go task the runbook state machines invoke: it writes each phase
// to the incident's timeline, asks humans for approval and tells owners (see
// internal/runbook).
package main

import (
	"github.com/firebreak-ops/firebreak/internal/lambdaenv"
	"github.com/firebreak-ops/firebreak/internal/lambdaenv/links"
	"github.com/firebreak-ops/firebreak/internal/lambdaenv/teams"
	"github.com/firebreak-ops/firebreak/internal/runbook"
)

func main() { lambdaenv.Start("runbook task", setup) }

func setup(env *lambdaenv.Env) (any, error) {
	db, err := env.Store()
	if err != nil {
		return nil, err
	}
	sender, err := teams.Sender(env)
	if err != nil {
		return nil, err
	}
	t := &runbook.Task{Store: db, Sender: sender, Config: env.Config, Now: env.Now}
	if l := links.New(env); l != nil { // approval requests carry approve/reject links
		t.Links = l
	}
	return t.Handle, nil
}
