package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// SecretReader is the Secrets Manager API the webhook Lambda uses.
type SecretReader interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

var _ SecretReader = (*secretsmanager.Client)(nil)

// Endpoint is a webhook's secret: where to POST and the key that signs.
type Endpoint struct {
	URL string `json:"url"`
	Key string `json:"key"`
}

// CacheFor is how long a secret read is kept: a rotated URL or key is used within it.
const CacheFor = 5 * time.Minute

// Secrets reads webhook endpoints from Secrets Manager and keeps each for CacheFor.
type Secrets struct {
	Client SecretReader
	Now    func() time.Time

	mu    sync.Mutex
	cache map[string]cached
}

type cached struct {
	ep Endpoint
	at time.Time
}

// ErrBadSecret: the secret holds no usable endpoint; reading it again will not help until
// it is fixed.
var ErrBadSecret = errors.New("webhook secret is not {\"url\": \"https://…\", \"key\": \"…\"}")

// Endpoint returns the endpoint in the named secret. Errors name the secret, never its value.
func (s *Secrets) Endpoint(ctx context.Context, name string) (Endpoint, error) {
	now := s.Now()
	s.mu.Lock()
	c, ok := s.cache[name]
	s.mu.Unlock()
	if ok && now.Sub(c.at) < CacheFor {
		return c.ep, nil
	}
	out, err := s.Client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(name)})
	if err != nil {
		return Endpoint{}, fmt.Errorf("read webhook secret %s: %w", name, err)
	}
	var ep Endpoint
	if err := json.Unmarshal([]byte(aws.ToString(out.SecretString)), &ep); err != nil {
		// The JSON error could quote the value: not wrapped.
		return Endpoint{}, fmt.Errorf("webhook secret %s: %w (not JSON)", name, ErrBadSecret)
	}
	u, err := url.Parse(ep.URL)
	switch {
	case err != nil || u.Host == "":
		return Endpoint{}, fmt.Errorf("webhook secret %s: %w (url is not an absolute URL)", name, ErrBadSecret)
	case u.Scheme != "https":
		return Endpoint{}, fmt.Errorf("webhook secret %s: %w (url must be https)", name, ErrBadSecret)
	case len(ep.Key) < 16:
		return Endpoint{}, fmt.Errorf("webhook secret %s: %w (key must be at least 16 characters)", name, ErrBadSecret)
	}
	s.mu.Lock()
	if s.cache == nil {
		s.cache = map[string]cached{}
	}
	s.cache[name] = cached{ep, now}
	s.mu.Unlock()
	return ep, nil
}
