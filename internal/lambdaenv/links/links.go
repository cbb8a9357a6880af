// Package links builds the one-click link keys' clients: the signer of the Lambdas that
// put links in notices, the api's verifier and the rotation function's rotator. Only they
// link the Secrets Manager and SSM clients.
package links

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/firebreak-ops/firebreak/internal/lambdaenv"
	"github.com/firebreak-ops/firebreak/internal/token"
)

// New signs one-click links with the keys in LINK_KEYS_SECRET for LINKS_BASE_URL; nil
// when either is unset (notices then carry the CLI commands only).
func New(env *lambdaenv.Env) *token.Links {
	base, secret := env.Var("LINKS_BASE_URL"), env.Var("LINK_KEYS_SECRET")
	if base == "" || secret == "" {
		return nil
	}
	return token.SecretLinks(secretsmanager.NewFromConfig(env.AWS), secret, base, env.Now, env.Log)
}

// Keys is the api's key ring: exactly one of LINK_KEYS_SECRET (a Secrets Manager secret
// id or ARN) and LINK_KEYS_PARAMETER (an SSM SecureString parameter name), holding
// {"current": "<id>", "keys": {"<id>": "<base64 of 32 bytes>"}}.
func Keys(env *lambdaenv.Env) (token.Source, error) {
	secret, param := env.Var("LINK_KEYS_SECRET"), env.Var("LINK_KEYS_PARAMETER")
	switch {
	case (secret == "") == (param == ""):
		return nil, fmt.Errorf("set exactly one of LINK_KEYS_SECRET (Secrets Manager) and LINK_KEYS_PARAMETER (SSM)")
	case param != "":
		return &token.SSM{Client: ssm.NewFromConfig(env.AWS), Name: param, Now: env.Now}, nil
	}
	return &token.SecretsManager{Client: secretsmanager.NewFromConfig(env.AWS), SecretID: secret, Now: env.Now}, nil
}

// Rotator rotates the link-keys secret Secrets Manager names in each event.
func Rotator(env *lambdaenv.Env) *token.Rotator {
	return &token.Rotator{Client: secretsmanager.NewFromConfig(env.AWS), Now: env.Now, Log: env.Log}
}
