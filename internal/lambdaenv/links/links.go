// Package links builds the signer of the Lambdas that put one-click links in notices and
// the rotation function's rotator: only they link the Secrets Manager client for it.
package links

import (
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/firebreak-ops/firebreak/internal/lambdaenv"
	"github.com/firebreak-ops/firebreak/internal/token"
)

// New signs one-click links with the keys in LINK_KEYS_SECRET for LINKS_BASE_URL; nil
// when either is unset (notices then carry the CLI commands only).
func New(env *lambdaenv.Env) *token.Links {
	base, secret := env.Var(lambdaenv.LinksBaseURL), env.Var(lambdaenv.LinkKeysSecret)
	if base == "" || secret == "" {
		return nil
	}
	return token.SecretLinks(secretsmanager.NewFromConfig(env.AWS), secret, base, env.Now, env.Log)
}

// Rotator rotates the link-keys secret Secrets Manager names in each event.
func Rotator(env *lambdaenv.Env) *token.Rotator {
	return &token.Rotator{Client: secretsmanager.NewFromConfig(env.AWS), Now: env.Now, Log: env.Log}
}
