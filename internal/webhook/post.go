package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Doer is the HTTP client a Poster sends with.
type Doer interface {
	Do(*http.Request) (*http.Response, error)
}

// Poster POSTs signed bodies to webhook endpoints, retrying what may pass on a retry.
type Poster struct {
	HTTP    Doer
	Secrets interface {
		Endpoint(ctx context.Context, name string) (Endpoint, error)
	}
	Now func() time.Time
	// Sleep waits between attempts (nil: a timer that ends early with ctx).
	Sleep func(ctx context.Context, d time.Duration) error
	// Attempts within one call (default 3); the first retry waits Backoff (default
	// 500ms), each next one twice as long.
	Attempts int
	Backoff  time.Duration
}

// StatusError is an endpoint's answer other than 2xx.
type StatusError struct {
	Status int
}

func (e *StatusError) Error() string { return fmt.Sprintf("answered HTTP %d", e.Status) }

// Retryable reports whether the same POST may pass later: a network failure, a timeout,
// 408, 425, 429 or a 5xx. Other 4xx answers would repeat (the queue still redelivers
// them, then dead-letters them: nothing is dropped).
func Retryable(err error) bool {
	var se *StatusError
	if errors.As(err, &se) {
		return se.Status == http.StatusRequestTimeout || se.Status == http.StatusTooEarly ||
			se.Status == http.StatusTooManyRequests || se.Status >= 500
	}
	return !errors.Is(err, ErrBadSecret)
}

// Post sends body to the webhook whose endpoint is in the named secret. The error names
// the webhook, never its URL or key.
func (p *Poster) Post(ctx context.Context, webhook, secret string, body []byte, delivery string) error {
	ep, err := p.Secrets.Endpoint(ctx, secret)
	if err != nil {
		return fmt.Errorf("webhook %s: %w", webhook, err)
	}
	attempts, wait := p.Attempts, p.Backoff
	if attempts <= 0 {
		attempts = 3
	}
	if wait <= 0 {
		wait = 500 * time.Millisecond
	}
	for i := 1; ; i++ {
		err = p.once(ctx, ep, body, delivery)
		if err == nil {
			return nil
		}
		err = redact(err, ep)
		if i >= attempts || !Retryable(err) || ctx.Err() != nil {
			return fmt.Errorf("webhook %s: POST failed after %d attempt(s): %w", webhook, i, err)
		}
		if serr := p.sleep(ctx, wait); serr != nil {
			return fmt.Errorf("webhook %s: POST failed after %d attempt(s): %w", webhook, i, err)
		}
		wait *= 2
	}
}

func (p *Poster) once(ctx context.Context, ep Endpoint, body []byte, delivery string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep.URL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	ts, sig := Sign([]byte(ep.Key), p.Now(), body)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Firebreak-Webhook/1")
	req.Header.Set(HeaderTimestamp, ts)
	req.Header.Set(HeaderSignature, sig)
	if delivery != "" {
		req.Header.Set(HeaderDelivery, delivery)
	}
	resp, err := p.HTTP.Do(req)
	if err != nil {
		return err
	}
	// Drain a little so the connection is reused; the answer's text is not kept (it
	// could echo the request).
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return &StatusError{Status: resp.StatusCode}
	}
	return nil
}

func (p *Poster) sleep(ctx context.Context, d time.Duration) error {
	if p.Sleep != nil {
		return p.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// redacted is an error whose text had the endpoint's URL, host and key taken out; it
// keeps the original's type for errors.As (StatusError) and timeouts.
type redacted struct {
	msg    string
	status *StatusError
}

func (r *redacted) Error() string { return r.msg }

func (r *redacted) Unwrap() error {
	if r.status != nil {
		return r.status
	}
	return nil
}

// redact returns err without the URL (net/http quotes it in every transport error), its
// host, its path (a Slack or Teams webhook's secret is its path) or the key.
func redact(err error, ep Endpoint) error {
	msg := err.Error()
	secrets := []string{ep.URL, ep.Key}
	if u, perr := url.Parse(ep.URL); perr == nil {
		secrets = append(secrets, u.Host, u.Hostname(), u.EscapedPath(), u.RawQuery)
	}
	for _, s := range secrets {
		if len(s) > 1 {
			msg = strings.ReplaceAll(msg, s, "[redacted]")
		}
	}
	var se *StatusError
	errors.As(err, &se)
	return &redacted{msg: msg, status: se}
}

// AttemptTimeout bounds one POST: connecting, sending and reading the answer's headers.
const AttemptTimeout = 10 * time.Second

// HTTPClient is the client the webhook Lambda posts with: AttemptTimeout per attempt,
// and redirects not followed (a 3xx is a failure): the body goes to the URL the secret
// names and nowhere else.
func HTTPClient() *http.Client {
	return &http.Client{
		Timeout:       AttemptTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}
