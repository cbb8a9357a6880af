// Command runbook is the Go task the runbook state machines invoke: it writes each phase
// to the incident's timeline, asks humans for approval and tells owners (see
// internal/runbook).
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/firebreak-ops/firebreak"
	"github.com/firebreak-ops/firebreak/internal/notify"
	"github.com/firebreak-ops/firebreak/internal/runbook"
	"github.com/firebreak-ops/firebreak/internal/store"
	"github.com/firebreak-ops/firebreak/internal/token"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	t, err := setup(context.Background(), log)
	if err != nil {
		log.Error("runbook task cannot start", "error", err)
		os.Exit(1)
	}
	lambda.Start(t.Handle)
}

func setup(ctx context.Context, log *slog.Logger) (*runbook.Task, error) {
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
	st := store.NewDynamo(dynamodb.NewFromConfig(awsCfg), table, now)
	t := &runbook.Task{Store: st, Sender: notify.New(sns.NewFromConfig(awsCfg), topics), Config: cfg, Now: now, Lease: 2 * time.Minute}
	// Approval requests carry one-click approve/reject links (optional).
	if base, secret := os.Getenv("LINKS_BASE_URL"), os.Getenv("LINK_KEYS_SECRET"); base != "" && secret != "" {
		t.Links = token.SecretLinks(secretsmanager.NewFromConfig(awsCfg), secret, base, now, log)
	}
	return t, nil
}
