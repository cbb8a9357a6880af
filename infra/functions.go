package infra

import (
	"time"
)

// functionSpecs is every Lambda the stack knows how to deploy, by its directory under
// functions/. A directory missing here fails synthesis with a message naming this file.
//
// Adding a Lambda is one entry: its size, its timeout and a wire function that grants
// what it calls (s.Store.Grant, a topic's GrantPublish, ...) and attaches its event
// sources. The shared construct (newFunction) does the rest.
var functionSpecs = map[string]functionSpec{
	"intake": {
		Description: "Firebreak intake: SQS batches of EventBridge events → classified, correlated incidents",
		MemoryMB:    256,
		Timeout:     60 * time.Second,
		// Concurrency is bounded by the event source mapping's maximum concurrency
		// (deploy.intake.max_concurrency), not by reserving account capacity.
		wire: wireIntake,
	},
}

// intakeTableActions are the DynamoDB calls of the intake (internal/store.Dynamo via
// internal/intake): reads of current incidents, conditional puts and updates, queries
// of ledger pages and the list index.
var intakeTableActions = []string{
	"dynamodb:BatchGetItem",
	"dynamodb:GetItem",
	"dynamodb:PutItem",
	"dynamodb:Query",
	"dynamodb:UpdateItem",
}

func wireIntake(s *Stack, f *Function) error {
	f.SetEnv("TABLE_NAME", s.Store.Table.TableName())
	s.Store.Grant(s, f, intakeTableActions...)
	s.Intake.consume(s, f)
	return nil
}
