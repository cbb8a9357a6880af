package keyring_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/firebreak-ops/firebreak/internal/awstest"
	"github.com/firebreak-ops/firebreak/internal/lambdaenv"
	"github.com/firebreak-ops/firebreak/internal/lambdaenv/keyring"
)

func load(t *testing.T, vars map[string]string) *lambdaenv.Env {
	t.Helper()
	env := map[string]string{"AWS_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "ASIAEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret"}
	for k, v := range vars {
		env[k] = v
	}
	e, err := lambdaenv.Load(func(k string) string { return env[k] }, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("lambdaenv.Load = %v", err)
	}
	return e
}

// keyServer answers GetSecretValue with one key ring.
func keyServer(t *testing.T) *awstest.Server {
	ring, err := json.Marshal(map[string]any{"current": "k1", "keys": map[string]string{"k1": base64.StdEncoding.EncodeToString(make([]byte, 32))}})
	if err != nil {
		t.Fatal(err)
	}
	srv := awstest.New()
	t.Cleanup(srv.Close)
	srv.Answer = func(r awstest.Request) (awstest.Reply, bool) {
		switch r.Action {
		case "GetSecretValue":
			body, _ := json.Marshal(map[string]any{"ARN": "arn:aws:secretsmanager:eu-west-1:1:secret:keys", "SecretString": string(ring), "VersionId": "v1"})
			return awstest.Reply{Status: 200, Body: string(body)}, true
		}
		return awstest.Reply{}, false
	}
	return srv
}

// TestNew: the api reads its ring from the secret, and only from it.
func TestNew(t *testing.T) {
	srv := keyServer(t)
	for _, tc := range []struct {
		name   string
		vars   map[string]string
		action string // the call loading the ring makes
		err    string
	}{
		{"secret", map[string]string{"LINK_KEYS_SECRET": "keys"}, "GetSecretValue", ""},
		{"no secret", map[string]string{}, "", "LINK_KEYS_SECRET is not set"},
		{"an SSM parameter (not a key source)", map[string]string{"LINK_KEYS_PARAMETER": "/keys"}, "", "LINK_KEYS_SECRET is not set"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.vars["AWS_ENDPOINT_URL"] = srv.URL
			keys, err := keyring.New(load(t, tc.vars))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Errorf("New = %v; want an error containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("New = %v", err)
			}
			before := len(srv.Of(tc.action))
			ring, err := keys.Load(context.Background())
			if err != nil || ring.Current != "k1" {
				t.Errorf("Load = %+v, %v; want the ring with current key k1", ring, err)
			}
			if got := len(srv.Of(tc.action)); got != before+1 {
				t.Errorf("%s requests = %d; want %d", tc.action, got, before+1)
			}
		})
	}
}
