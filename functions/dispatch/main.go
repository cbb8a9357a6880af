// Command dispatch is the dispatch Lambda: the table's stream in; runbooks started and
// responders told, once per change (see internal/dispatch).
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
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/firebreak-ops/firebreak"
	"github.com/firebreak-ops/firebreak/internal/dispatch"
	"github.com/firebreak-ops/firebreak/internal/notify"
	"github.com/firebreak-ops/firebreak/internal/runbook"
	"github.com/firebreak-ops/firebreak/internal/store"
	"github.com/firebreak-ops/firebreak/internal/token"
	"github.com/firebreak-ops/firebreak/runbooks"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	h, err := setup(context.Background(), log)
	if err != nil {
		log.Error("dispatch cannot start", "error", err)
		os.Exit(1)
	}
	lambda.Start(h.Handle)
}

// jsonEnv decodes a JSON object from an environment variable.
func jsonEnv(name string) (map[string]string, error) {
	v := os.Getenv(name)
	if v == "" {
		return nil, fmt.Errorf("%s is not set", name)
	}
	var m map[string]string
	if err := json.Unmarshal([]byte(v), &m); err != nil {
		return nil, fmt.Errorf("%s is not a JSON object of strings: %w", name, err)
	}
	return m, nil
}

func setup(ctx context.Context, log *slog.Logger) (*dispatch.StreamHandler, error) {
	table := os.Getenv("TABLE_NAME")
	if table == "" {
		return nil, fmt.Errorf("TABLE_NAME is not set")
	}
	topics, err := jsonEnv("TEAM_TOPICS")
	if err != nil {
		return nil, err
	}
	machines, err := jsonEnv("STATE_MACHINES")
	if err != nil {
		return nil, err
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
	sender := notify.New(sns.NewFromConfig(awsCfg), topics)
	lease := 2 * time.Minute // over the function's timeout
	dryRun := map[string]bool{}
	defs := map[string][]byte{}
	for name, rb := range cfg.Runbooks {
		if rb.DryRun {
			dryRun[name] = true
			def, err := runbooks.Definition(name)
			if err != nil {
				return nil, err
			}
			defs[name] = def
		}
	}
	local, err := runbook.CompileLocal(defs)
	if err != nil {
		return nil, err
	}
	fixtures, err := runbooks.DryRunFixtures()
	if err != nil {
		return nil, err
	}
	task := &runbook.Task{Store: st, Sender: sender, Config: cfg, Now: now, Lease: lease}
	starter := &runbook.Switch{DryRun: dryRun,
		Local:  &runbook.Runner{Machines: local, Fixtures: fixtures, Task: task, Now: now},
		Remote: &dispatch.StepFunctions{Client: sfn.NewFromConfig(awsCfg), StateMachines: machines}}
	d := &dispatch.Dispatcher{Store: st, Quiet: st, Sender: sender, Runbooks: starter, Config: cfg, Now: now, Log: log, Lease: lease}
	// One-click links in notices, signed with the API's link keys (optional).
	if base, secret := os.Getenv("LINKS_BASE_URL"), os.Getenv("LINK_KEYS_SECRET"); base != "" && secret != "" {
		links := token.SecretLinks(secretsmanager.NewFromConfig(awsCfg), secret, base, now, log)
		d.Links, task.Links = links, links
	}
	return &dispatch.StreamHandler{Dispatcher: d, Log: log}, nil
}
