// Command rotate is the Secrets Manager rotation function of the link-keys secret: each
// rotation adds a new key that signs one-click links and keeps the two before it (see
// internal/token.Rotator).
package main

import (
	"github.com/firebreak-ops/firebreak/internal/lambdaenv"
	"github.com/firebreak-ops/firebreak/internal/lambdaenv/links"
)

func main() {
	lambdaenv.Start("rotate", func(env *lambdaenv.Env) (any, error) { return links.Rotator(env).Handle, nil }, lambdaenv.WithoutSchedules())
}
