// Package keyring builds the api's one-click link key ring, read from Secrets Manager:
// only the api links the Secrets Manager client for it.
package keyring

import (
	"errors"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/firebreak-ops/firebreak/internal/lambdaenv"
	"github.com/firebreak-ops/firebreak/internal/token"
)

// New is the api's key ring, read from the Secrets Manager secret LINK_KEYS_SECRET (id or
// ARN; infra/links.go creates and rotates it), holding
// {"current": "<id>", "keys": {"<id>": "<base64 of 32 bytes>"}}.
func New(env *lambdaenv.Env) (token.Source, error) {
	secret := env.Var("LINK_KEYS_SECRET")
	if secret == "" {
		return nil, errors.New("LINK_KEYS_SECRET is not set: the Secrets Manager secret holding the link keys")
	}
	return &token.SecretsManager{Client: secretsmanager.NewFromConfig(env.AWS), SecretID: secret, Now: env.Now}, nil
}
