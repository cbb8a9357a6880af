// Command api is the API Lambda behind two Function URLs: the function's own (AuthType
// AWS_IAM: the CLI and tools) and its "links" alias's (AuthType NONE: one-click signed
// links in notifications). See internal/api.
//
// Environment: TABLE_NAME; the link keys in LINK_KEYS_SECRET (a Secrets Manager secret
// id or ARN) or LINK_KEYS_PARAMETER (an SSM SecureString parameter name), holding
// {"current": "<id>", "keys": {"<id>": "<base64 of 32 bytes>"}}.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/firebreak-ops/firebreak/internal/api"
	"github.com/firebreak-ops/firebreak/internal/lambdaenv"
	"github.com/firebreak-ops/firebreak/internal/lifecycle"
	"github.com/firebreak-ops/firebreak/internal/token"
)

func main() {
	log := lambdacontext.NewLogger()
	h, err := setup(context.Background(), log)
	if err != nil {
		log.Error("api cannot start", "error", err)
		os.Exit(1)
	}
	lambda.Start(h.Handle)
}

func setup(ctx context.Context, log *slog.Logger) (*api.Handler, error) {
	secret, param := os.Getenv("LINK_KEYS_SECRET"), os.Getenv("LINK_KEYS_PARAMETER")
	if (secret == "") == (param == "") {
		return nil, fmt.Errorf("set exactly one of LINK_KEYS_SECRET (Secrets Manager) and LINK_KEYS_PARAMETER (SSM)")
	}
	env, err := lambdaenv.Load(ctx)
	if err != nil {
		return nil, err
	}
	var keys token.Source = &token.SecretsManager{Client: secretsmanager.NewFromConfig(env.AWS), SecretID: secret, Now: env.Now}
	if param != "" {
		keys = &token.SSM{Client: ssm.NewFromConfig(env.AWS), Name: param, Now: env.Now}
	}
	return &api.Handler{
		Store:     env.Store,
		Lifecycle: &lifecycle.Service{Store: env.Store, Config: env.Config, Now: env.Now},
		Approver:  api.StepFunctions{Client: sfn.NewFromConfig(env.AWS)},
		Tokens:    &token.Signer{Keys: keys, Now: env.Now},
		Now:       env.Now,
		Log:       log,
	}, nil
}
