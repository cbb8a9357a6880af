package links_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/awstest"
	"github.com/firebreak-ops/firebreak/internal/lambdaenv"
	"github.com/firebreak-ops/firebreak/internal/lambdaenv/links"
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

// TestNew: links are signed with the ring of LINK_KEYS_SECRET, read from Secrets Manager,
// for LINKS_BASE_URL; without either there are no links.
func TestNew(t *testing.T) {
	srv := keyServer(t)
	for _, tc := range []struct {
		name      string
		vars      map[string]string
		wantLinks bool
	}{
		{"both", map[string]string{"LINKS_BASE_URL": "https://links.example.com/", "LINK_KEYS_SECRET": "keys"}, true},
		{"no base", map[string]string{"LINK_KEYS_SECRET": "keys"}, false},
		{"no secret", map[string]string{"LINKS_BASE_URL": "https://links.example.com/"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.vars["AWS_ENDPOINT_URL"] = srv.URL
			l := links.New(load(t, tc.vars))
			if (l != nil) != tc.wantLinks {
				t.Fatalf("New = %v; want links %v", l, tc.wantLinks)
			}
			if l == nil {
				return
			}
			u, err := l.URL(context.Background(), "FB-TEST", "ack", time.Hour)
			if err != nil || !strings.HasPrefix(u, "https://links.example.com/") {
				t.Errorf("URL = %q, %v; want a link under the base URL", u, err)
			}
			if got := srv.Of("GetSecretValue"); len(got) == 0 || !strings.Contains(string(got[0].JSON), `"keys"`) || !got[0].Signed {
				t.Errorf("GetSecretValue requests = %+v; want a signed one for the secret keys", got)
			}
		})
	}
}

func TestRotator(t *testing.T) {
	env := load(t, nil)
	r := links.Rotator(env)
	if r.Client == nil || r.Now == nil || r.Log != env.Log {
		t.Errorf("Rotator = %+v; want a Secrets Manager client, the clock and the logger", r)
	}
}
