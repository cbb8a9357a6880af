// Command api is the API Lambda behind two Function URLs: the function's own (AuthType
// AWS_IAM: the CLI and tools) and its "links" alias's (AuthType NONE: one-click signed
// links in notifications). See internal/api.
//
// Environment: TABLE_NAME; the link keys in LINK_KEYS_SECRET (a Secrets Manager secret
// id or ARN), holding {"current": "<id>", "keys": {"<id>": "<base64 of 32 bytes>"}}.
package main

import (
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/firebreak-ops/firebreak/internal/action"
	"github.com/firebreak-ops/firebreak/internal/api"
	"github.com/firebreak-ops/firebreak/internal/lambdaenv"
	"github.com/firebreak-ops/firebreak/internal/lambdaenv/keyring"
	"github.com/firebreak-ops/firebreak/internal/lifecycle"
	"github.com/firebreak-ops/firebreak/internal/report"
	"github.com/firebreak-ops/firebreak/internal/review"
	"github.com/firebreak-ops/firebreak/internal/runbook"
	"github.com/firebreak-ops/firebreak/internal/token"
)

func main() { lambdaenv.Start("api", setup) }

func setup(env *lambdaenv.Env) (any, error) {
	keys, err := keyring.New(env)
	if err != nil {
		return nil, err
	}
	db, err := env.Store()
	if err != nil {
		return nil, err
	}
	h := &api.Handler{
		Store:     db,
		Lifecycle: &lifecycle.Service{Store: db, Config: env.Config, Now: env.Now},
		Approver:  runbook.StepFunctionsApprovals{Client: sfn.NewFromConfig(env.AWS)},
		Tokens:    &token.Signer{Keys: keys, Now: env.Now},
		Now:       env.Now,
		Log:       env.Log,
		Reviews:   &review.Service{Store: db, Config: env.Config, Now: env.Now},
		Actions: &action.Service{Store: db, Lister: db, Timeline: db, Schedule: review.Schedule(env.Config),
			Teams: env.Config.TeamNames, Now: env.Now},
		Problems:       db,
		ReportSections: []report.Contributor{review.Section{Store: db}},
	}
	return h.Handle, nil
}
