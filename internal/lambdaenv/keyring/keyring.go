// Package keyring builds the api's one-click link key ring, read from Secrets Manager or
// SSM: only the api links them for it.
package keyring

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/firebreak-ops/firebreak/internal/lambdaenv"
	"github.com/firebreak-ops/firebreak/internal/token"
	"github.com/firebreak-ops/firebreak/internal/token/ssmkeys"
)

// New is the api's key ring: exactly one of LINK_KEYS_SECRET (a Secrets Manager secret
// id or ARN) and LINK_KEYS_PARAMETER (an SSM SecureString parameter name), holding
// {"current": "<id>", "keys": {"<id>": "<base64 of 32 bytes>"}}.
func New(env *lambdaenv.Env) (token.Source, error) {
	secret, param := env.Var(lambdaenv.LinkKeysSecret), env.Var(lambdaenv.LinkKeysParameter)
	switch {
	case (secret == "") == (param == ""):
		return nil, fmt.Errorf("set exactly one of %s (Secrets Manager) and %s (SSM)", lambdaenv.LinkKeysSecret, lambdaenv.LinkKeysParameter)
	case param != "":
		return ssmkeys.New(ssm.NewFromConfig(env.AWS), param, env.Now), nil
	}
	return &token.SecretsManager{Client: secretsmanager.NewFromConfig(env.AWS), SecretID: secret, Now: env.Now}, nil
}
