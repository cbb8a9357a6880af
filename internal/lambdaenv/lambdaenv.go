// Package lambdaenv builds what the Firebreak Lambdas share, once, at cold start, from
// what the Lambda environment already answers: the configuration compiled into the
// binary, the AWS SDK configuration from the runtime's variables, the Lambda logger
// (lambdacontext: JSON as the stack configures it, with each request's id) and the clock. Only the functions' main packages use it; logic never reads the environment.
//
// A function links only the clients its handler uses: this package builds the DynamoDB
// store (every function with a handler over the table needs it); the SNS sender is in
// lambdaenv/teams, the link signer and the key rotator (Secrets Manager) in
// lambdaenv/links and the api's key ring (Secrets Manager) in lambdaenv/keyring;
// a main makes any other client (Step Functions) from Env.AWS itself.
//
// The configuration is compiled into Go values: config_gen.go is the repository's
// firebreak.yaml as internal/config parsed and validated it, written by `go generate
// ./internal/lambdaenv` (make build runs it first) and checked by this package's tests
// to equal what parsing firebreak.yaml gives: it is never edited by hand. At cold start a
// Lambda only builds those values and compiles the on-call schedules (unless it resolves
// none: WithoutSchedules), instead of parsing and validating YAML and the event catalog.
// The classes' title templates (config.Class.TitleT) are not parsed: internal/classify,
// their one user, compiles titles from their text.
package lambdaenv

//go:generate go run ./gen -o config_gen.go

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/firebreak-ops/firebreak/internal/config"
	"github.com/firebreak-ops/firebreak/internal/store"
)

// Env is a Lambda's shared setup.
type Env struct {
	Config *config.Config
	AWS    aws.Config
	Log    *slog.Logger
	Now    func() time.Time

	getenv func(string) string
}

// Option changes what Load builds at cold start.
type Option func(*options)

type options struct {
	noSchedules bool
}

// WithoutSchedules is for a function that evaluates no on-call schedule (intake, rotate,
// webhook; internal/coldstart's TestWithoutSchedulesWhereNoneIsEvaluated holds the list
// to what the linker keeps): Load leaves the configuration's schedules uncompiled, which
// spares loading every layer's time zone at cold start. A schedule asked anyway is
// answered the same, compiled on each ask.
func WithoutSchedules() Option { return func(o *options) { o.noSchedules = true } }

// Start is every Firebreak Lambda's main: it loads the environment, builds the handler
// with setup and serves it with lambda.Start. When anything fails it logs why the function
// cannot start and exits 1: the one fatal path.
func Start(name string, setup func(*Env) (handler any, err error), opts ...Option) {
	log := lambdacontext.NewLogger()
	env, err := Load(os.Getenv, log, opts...)
	if err == nil {
		var h any
		if h, err = setup(env); err == nil {
			lambda.Start(h)
			return
		}
	}
	log.Error(name+" cannot start", "error", err)
	os.Exit(1)
}

// Load reads the compiled configuration and the AWS configuration from getenv; log is
// the function's logger (nil: discard).
func Load(getenv func(string) string, log *slog.Logger, opts ...Option) (*Env, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	cfg := compiledConfig()
	if !o.noSchedules {
		if err := cfg.CompileSchedules(); err != nil {
			return nil, fmt.Errorf("the configuration built into this binary (internal/lambdaenv/config_gen.go): %w", err)
		}
	}
	awsCfg, err := AWSConfig(getenv)
	if err != nil {
		return nil, err
	}
	return &Env{Config: cfg, AWS: awsCfg, Log: log, Now: func() time.Time { return time.Now().UTC() }, getenv: getenv}, nil
}

// AWSConfig is the SDK configuration the Lambda runtime's variables answer: the region
// (AWS_REGION) and the execution role's credentials (AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), which is what config.LoadDefaultConfig
// resolves there too. Unlike it, AWSConfig reads no shared config or credentials file and
// links no STS, SSO or instance-metadata client. AWS_ENDPOINT_URL, when set, is every
// client's endpoint (local runs).
func AWSConfig(getenv func(string) string) (aws.Config, error) {
	region, id, secret := getenv("AWS_REGION"), getenv("AWS_ACCESS_KEY_ID"), getenv("AWS_SECRET_ACCESS_KEY")
	var missing []string
	for _, v := range []struct{ name, value string }{{"AWS_REGION", region}, {"AWS_ACCESS_KEY_ID", id}, {"AWS_SECRET_ACCESS_KEY", secret}} {
		if v.value == "" {
			missing = append(missing, v.name)
		}
	}
	if len(missing) > 0 {
		return aws.Config{}, fmt.Errorf("AWS configuration: %s not set (the Lambda runtime sets them from the function's region and role)", strings.Join(missing, ", "))
	}
	cfg := aws.Config{
		Region:      region,
		Credentials: aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(id, secret, getenv("AWS_SESSION_TOKEN"))),
	}
	if ep := getenv("AWS_ENDPOINT_URL"); ep != "" {
		cfg.BaseEndpoint = aws.String(ep)
	}
	return cfg, nil
}

// Var returns an environment variable of the function; "" when unset.
func (e *Env) Var(name string) string { return e.getenv(name) }

// Require returns an environment variable the function cannot run without.
func (e *Env) Require(name string) (string, error) {
	v := e.getenv(name)
	if v == "" {
		return "", fmt.Errorf("%s is not set", name)
	}
	return v, nil
}

// JSON decodes a required environment variable holding a JSON object of strings.
func (e *Env) JSON(name string) (map[string]string, error) {
	v, err := e.Require(name)
	if err != nil {
		return nil, err
	}
	var m map[string]string
	if err := json.Unmarshal([]byte(v), &m); err != nil {
		return nil, fmt.Errorf("%s is not a JSON object of strings: %w", name, err)
	}
	return m, nil
}

// Store is the DynamoDB store of the table named in TableName.
func (e *Env) Store() (*store.Dynamo, error) {
	table, err := e.Require(TableName)
	if err != nil {
		return nil, err
	}
	return store.NewDynamo(dynamodb.NewFromConfig(e.AWS), table, e.Now).IndexSources(e.Config.InhibitSource), nil
}
