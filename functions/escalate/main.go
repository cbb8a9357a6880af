// Command escalate runs the incident clocks on a schedule (see internal/escalate).
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/firebreak-ops/firebreak"
	"github.com/firebreak-ops/firebreak/internal/escalate"
	"github.com/firebreak-ops/firebreak/internal/metrics"
	"github.com/firebreak-ops/firebreak/internal/notify"
	"github.com/firebreak-ops/firebreak/internal/store"
	"github.com/firebreak-ops/firebreak/internal/token"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	e, err := setup(context.Background(), log)
	if err != nil {
		log.Error("escalate cannot start", "error", err)
		os.Exit(1)
	}
	lambda.Start(func(ctx context.Context, _ events.EventBridgeEvent) (escalate.Report, error) { return e.Tick(ctx) })
}

func setup(ctx context.Context, log *slog.Logger) (*escalate.Escalator, error) {
	table := os.Getenv("TABLE_NAME")
	if table == "" {
		return nil, fmt.Errorf("TABLE_NAME is not set")
	}
	var topics map[string]string
	if err := json.Unmarshal([]byte(os.Getenv("TEAM_TOPICS")), &topics); err != nil {
		return nil, fmt.Errorf("TEAM_TOPICS is not a JSON object of strings: %w", err)
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
	e := &escalate.Escalator{Store: store.NewDynamo(dynamodb.NewFromConfig(awsCfg), table, now),
		Sender: notify.New(sns.NewFromConfig(awsCfg), topics), Config: cfg, Metrics: metrics.New(os.Stdout),
		Now: now, Log: log, Lease: 2 * time.Minute}
	// One-click links in notices, signed with the API's link keys (optional).
	if base, secret := os.Getenv("LINKS_BASE_URL"), os.Getenv("LINK_KEYS_SECRET"); base != "" && secret != "" {
		e.Links = token.SecretLinks(secretsmanager.NewFromConfig(awsCfg), secret, base, now, log)
	}
	return e, nil
}
