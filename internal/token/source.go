package token

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// Static is a fixed ring: `firebreak serve` (a random key per run) and tests.
type Static struct{ Ring Ring }

// Load returns the ring.
func (s Static) Load(context.Context) (Ring, error) {
	if err := s.Ring.Validate(); err != nil {
		return Ring{}, fmt.Errorf("key ring: %w", err)
	}
	return s.Ring, nil
}

// CacheFor is how long a ring read from Secrets Manager is used before it is read again.
const CacheFor = 5 * time.Minute

// MaxStale is how long a cached ring keeps being used while its source cannot be read.
const MaxStale = time.Hour

// minReload bounds how often an unknown key id makes a source read its ring again.
const minReload = 30 * time.Second

// cache keeps the last ring read and when.
type cache struct {
	mu   sync.Mutex
	ring Ring
	at   time.Time
	ok   bool
}

func (c *cache) get(ctx context.Context, now time.Time, ttl time.Duration, force bool, fetch func(context.Context) (Ring, error)) (Ring, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if ttl <= 0 {
		ttl = CacheFor
	}
	age := now.Sub(c.at)
	if c.ok && (age < ttl && !force || force && age < minReload) {
		return c.ring, nil
	}
	r, err := fetch(ctx)
	if err != nil {
		if c.ok && age < MaxStale {
			return c.ring, nil
		}
		return Ring{}, err
	}
	c.ring, c.at, c.ok = r, now, true
	return r, nil
}

// SecretsManagerAPI is the part of Secrets Manager the key source uses.
type SecretsManagerAPI interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

var _ SecretsManagerAPI = (*secretsmanager.Client)(nil)

// SecretsManager reads the ring from a secret whose string is the ring's JSON (see
// ParseRing), cached for TTL (default CacheFor).
type SecretsManager struct {
	Client   SecretsManagerAPI
	SecretID string
	TTL      time.Duration
	Now      func() time.Time
	cache    cache
}

// Load returns the ring, from the cache while it is fresh.
func (s *SecretsManager) Load(ctx context.Context) (Ring, error) {
	return s.cache.get(ctx, nowOf(s.Now), s.TTL, false, s.fetch)
}

// Reload reads the ring again unless it was read in the last 30 seconds.
func (s *SecretsManager) Reload(ctx context.Context) (Ring, error) {
	return s.cache.get(ctx, nowOf(s.Now), s.TTL, true, s.fetch)
}

func (s *SecretsManager) fetch(ctx context.Context) (Ring, error) {
	out, err := s.Client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(s.SecretID)})
	if err != nil {
		return Ring{}, fmt.Errorf("read link keys from secret %s: %w", s.SecretID, err)
	}
	if out.SecretString == nil {
		return Ring{}, fmt.Errorf("read link keys from secret %s: %w", s.SecretID, errors.New("the secret has no string value"))
	}
	r, err := ParseRing([]byte(aws.ToString(out.SecretString)))
	if err != nil {
		return Ring{}, fmt.Errorf("secret %s: %w", s.SecretID, err)
	}
	return r, nil
}

func nowOf(now func() time.Time) time.Time {
	if now == nil {
		return time.Now().UTC()
	}
	return now().UTC()
}

var (
	_ Source   = Static{}
	_ Source   = (*SecretsManager)(nil)
	_ reloader = (*SecretsManager)(nil)
)
