// Command rotate is the Secrets Manager rotation function of the link-keys secret: each
// rotation adds a new key that signs one-click links and keeps the two before it (see
// internal/token.Rotator).
package main

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/firebreak-ops/firebreak/internal/lambdaenv"
	"github.com/firebreak-ops/firebreak/internal/token"
)

func main() {
	log := lambdacontext.NewLogger()
	r, err := setup(context.Background())
	if err != nil {
		lambdaenv.Fatal(log, "rotate", err)
	}
	r.Log = log
	lambda.Start(r.Handle)
}

func setup(ctx context.Context) (*token.Rotator, error) {
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("load AWS configuration: %w", err)
	}
	return &token.Rotator{Client: secretsmanager.NewFromConfig(awsCfg), Now: func() time.Time { return time.Now().UTC() }}, nil
}
