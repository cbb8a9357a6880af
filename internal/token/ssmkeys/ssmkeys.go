// Package ssmkeys reads the one-click link keys from an SSM SecureString parameter. It is
// apart from package token so that only the functions that read keys from SSM (the api,
// when configured so) link the SSM client.
package ssmkeys

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/firebreak-ops/firebreak/internal/token"
)

// API is the part of SSM the key source uses.
type API interface {
	GetParameter(ctx context.Context, in *ssm.GetParameterInput, optFns ...func(*ssm.Options)) (*ssm.GetParameterOutput, error)
}

var _ API = (*ssm.Client)(nil)

// New reads the ring from the SecureString parameter name, holding the ring's JSON (see
// token.ParseRing), decrypted, cached for token.CacheFor.
func New(client API, name string, now func() time.Time) *token.Cached {
	return &token.Cached{Now: now, Fetch: func(ctx context.Context) (token.Ring, error) {
		out, err := client.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(name), WithDecryption: aws.Bool(true)})
		if err != nil {
			return token.Ring{}, fmt.Errorf("read link keys from parameter %s: %w", name, err)
		}
		if out.Parameter == nil || out.Parameter.Value == nil {
			return token.Ring{}, fmt.Errorf("read link keys from parameter %s: %w", name, errors.New("the parameter has no value"))
		}
		r, err := token.ParseRing([]byte(aws.ToString(out.Parameter.Value)))
		if err != nil {
			return token.Ring{}, fmt.Errorf("parameter %s: %w", name, err)
		}
		return r, nil
	}}
}
