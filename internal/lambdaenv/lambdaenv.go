// Package lambdaenv builds what every Firebreak Lambda shares from its environment, once,
// at cold start: the configuration built into the binary, the AWS SDK configuration, the
// DynamoDB store, the team topics and the one-click links. Only the functions' main
// packages use it; logic never reads the environment.
package lambdaenv

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/firebreak-ops/firebreak"
	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/notify"
	"github.com/firebreak-ops/firebreak/internal/store"
	"github.com/firebreak-ops/firebreak/internal/token"
)

// Lease is how long a claimed action may take before another attempt retries it: more
// than any Firebreak Lambda's timeout.
const Lease = 2 * time.Minute

// Env is a Lambda's shared setup.
type Env struct {
	Config *config.Config
	AWS    aws.Config
	Log    *slog.Logger
	Now    func() time.Time
	Store  *store.Dynamo
}

// Load reads TABLE_NAME and the built-in configuration and makes the clients.
func Load(ctx context.Context) (*Env, error) {
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	table := os.Getenv("TABLE_NAME")
	if table == "" {
		return nil, fmt.Errorf("TABLE_NAME is not set")
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
	return &Env{Config: cfg, AWS: awsCfg, Log: log, Now: now, Store: store.NewDynamo(dynamodb.NewFromConfig(awsCfg), table, now)}, nil
}

// JSON decodes a JSON object of strings from an environment variable.
func JSON(name string) (map[string]string, error) {
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

// Sender publishes to the team topics named in TEAM_TOPICS.
func (e *Env) Sender() (*notify.Notifier, error) {
	topics, err := JSON("TEAM_TOPICS")
	if err != nil {
		return nil, err
	}
	return notify.New(sns.NewFromConfig(e.AWS), topics), nil
}

// Links signs one-click links with the keys in LINK_KEYS_SECRET for LINKS_BASE_URL; nil
// when either is unset (notices then carry the CLI commands only).
func (e *Env) Links() *token.Links {
	base, secret := os.Getenv("LINKS_BASE_URL"), os.Getenv("LINK_KEYS_SECRET")
	if base == "" || secret == "" {
		return nil
	}
	return token.SecretLinks(secretsmanager.NewFromConfig(e.AWS), secret, base, e.Now, e.Log)
}

// Fatal logs why the Lambda cannot start and exits: it is only for main.
func Fatal(log *slog.Logger, what string, err error) {
	if log == nil {
		log = slog.New(slog.NewJSONHandler(os.Stdout, nil))
	}
	log.Error(what+" cannot start", "error", err)
	os.Exit(1)
}
