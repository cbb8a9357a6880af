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
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/firebreak-ops/firebreak"
	"github.com/firebreak-ops/firebreak/internal/api"
	"github.com/firebreak-ops/firebreak/internal/lifecycle"
	"github.com/firebreak-ops/firebreak/internal/store"
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
	table := os.Getenv("TABLE_NAME")
	if table == "" {
		return nil, fmt.Errorf("TABLE_NAME is not set")
	}
	secret, param := os.Getenv("LINK_KEYS_SECRET"), os.Getenv("LINK_KEYS_PARAMETER")
	if (secret == "") == (param == "") {
		return nil, fmt.Errorf("set exactly one of LINK_KEYS_SECRET (Secrets Manager) and LINK_KEYS_PARAMETER (SSM)")
	}
	cfg, err := firebreak.Config()
	if err != nil {
		return nil, err
	}
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("load AWS configuration: %w", err)
	}
	now := func() time.Time { return time.Now().UTC() }
	var keys token.Source = &token.SecretsManager{Client: secretsmanager.NewFromConfig(awsCfg), SecretID: secret, Now: now}
	if param != "" {
		keys = &token.SSM{Client: ssm.NewFromConfig(awsCfg), Name: param, Now: now}
	}
	st := store.NewDynamo(dynamodb.NewFromConfig(awsCfg), table, now)
	return &api.Handler{
		Store:     st,
		Lifecycle: &lifecycle.Service{Store: st, Config: cfg, Now: now},
		Approver:  api.StepFunctions{Client: sfn.NewFromConfig(awsCfg)},
		Tokens:    &token.Signer{Keys: keys, Now: now},
		Now:       now,
		Log:       log,
	}, nil
}
