package lambdaenv

import (
	"context"
	"errors"
	"log/slog"
	"reflect"
	"strings"
	"testing"

	"github.com/firebreak-ops/firebreak"
	"github.com/firebreak-ops/firebreak/internal/store"
	"github.com/firebreak-ops/firebreak/internal/store/dynamotest"
)

func TestMain(m *testing.M) { dynamotest.Main(m) }

// TestCompiledConfigIsCurrent: config_gen.go holds what parsing firebreak.yaml gives
// now, field by field, derived fields and title templates included once derived.
func TestCompiledConfigIsCurrent(t *testing.T) {
	want, err := firebreak.Config()
	if err != nil {
		t.Fatalf("firebreak.yaml: %v", err)
	}
	got := compiledConfig()
	if err := got.Derive(); err != nil {
		t.Fatalf("compiledConfig().Derive() = %v", err)
	}
	if reflect.DeepEqual(got, want) {
		return
	}
	g, w := reflect.ValueOf(*got), reflect.ValueOf(*want)
	for i := 0; i < g.NumField(); i++ {
		if f := g.Type().Field(i); f.IsExported() && !reflect.DeepEqual(g.Field(i).Interface(), w.Field(i).Interface()) {
			t.Errorf("compiledConfig().%s differs from parsing firebreak.yaml", f.Name)
		}
	}
	t.Errorf("internal/lambdaenv/config_gen.go is not firebreak.yaml as it is now: run `go generate ./internal/lambdaenv` (make build does)")
}

// vars is a Lambda environment with overrides ("" removes a variable).
func vars(over map[string]string) func(string) string {
	env := map[string]string{"AWS_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "ASIAEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret",
		"AWS_SESSION_TOKEN": "token", "TABLE_NAME": "firebreak"}
	for k, v := range over {
		env[k] = v
	}
	return func(k string) string { return env[k] }
}

func TestAWSConfig(t *testing.T) {
	for _, tc := range []struct {
		name     string
		over     map[string]string
		endpoint string
		err      string
	}{
		{name: "lambda", over: nil},
		{name: "no session token", over: map[string]string{"AWS_SESSION_TOKEN": ""}},
		{name: "endpoint", over: map[string]string{"AWS_ENDPOINT_URL": "http://127.0.0.1:8000"}, endpoint: "http://127.0.0.1:8000"},
		{name: "no region", over: map[string]string{"AWS_REGION": ""}, err: "AWS_REGION not set"},
		{name: "no credentials", over: map[string]string{"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""}, err: "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY not set"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			get := vars(tc.over)
			cfg, err := AWSConfig(get)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("AWSConfig = %v; want an error containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("AWSConfig = %v", err)
			}
			if cfg.Region != "eu-west-1" {
				t.Errorf("Region = %q; want eu-west-1", cfg.Region)
			}
			creds, err := cfg.Credentials.Retrieve(context.Background())
			if err != nil {
				t.Fatalf("Credentials.Retrieve = %v", err)
			}
			if creds.AccessKeyID != get("AWS_ACCESS_KEY_ID") || creds.SecretAccessKey != get("AWS_SECRET_ACCESS_KEY") || creds.SessionToken != get("AWS_SESSION_TOKEN") {
				t.Errorf("credentials = %s/%s/%s; want the environment's", creds.AccessKeyID, creds.SecretAccessKey, creds.SessionToken)
			}
			got := ""
			if cfg.BaseEndpoint != nil {
				got = *cfg.BaseEndpoint
			}
			if got != tc.endpoint {
				t.Errorf("BaseEndpoint = %q; want %q", got, tc.endpoint)
			}
		})
	}
}

func TestEnvVariables(t *testing.T) {
	env, err := Load(vars(map[string]string{"TABLE_NAME": "", "TOPICS": `{"platform": "arn:aws:sns:eu-west-1:1:p"}`, "BAD": `["x"]`}), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("Load = %v", err)
	}
	if _, err := env.Store(); err == nil || err.Error() != "TABLE_NAME is not set" {
		t.Errorf("Store() without TABLE_NAME = %v; want TABLE_NAME is not set", err)
	}
	if m, err := env.JSON("TOPICS"); err != nil || m["platform"] != "arn:aws:sns:eu-west-1:1:p" {
		t.Errorf("JSON(TOPICS) = %v, %v; want the platform topic", m, err)
	}
	if _, err := env.JSON("BAD"); err == nil || !strings.Contains(err.Error(), "BAD is not a JSON object of strings") {
		t.Errorf("JSON(BAD) = %v; want an error naming BAD", err)
	}
	if _, err := env.JSON("MISSING"); err == nil || err.Error() != "MISSING is not set" {
		t.Errorf("JSON(MISSING) = %v; want MISSING is not set", err)
	}
	if v := env.Var("MISSING"); v != "" {
		t.Errorf("Var(MISSING) = %q; want empty", v)
	}
}

// TestStore: the store Load and Store build from a Lambda's environment signs and sends
// real DynamoDB requests (to dynalite through AWS_ENDPOINT_URL).
func TestStore(t *testing.T) {
	srv := dynamotest.SharedForTest(t)
	table := dynamotest.NewTable(t, srv.Client())
	env, err := Load(vars(map[string]string{"AWS_ENDPOINT_URL": srv.Endpoint, "TABLE_NAME": table}), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("Load = %v", err)
	}
	db, err := env.Store()
	if err != nil {
		t.Fatalf("Store() = %v", err)
	}
	if _, err := db.Get(context.Background(), "inc-none"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Get(inc-none) = %v; want store.ErrNotFound from dynalite", err)
	}
}
