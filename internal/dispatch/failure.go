package dispatch

import (
	"context"
	"errors"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/retry"

	"github.com/firebreak-ops/firebreak/internal/notify"
	"github.com/firebreak-ops/firebreak/internal/runbook"
)

// ErrPermanent marks a failure no retry can fix as things are configured: a team with no
// topic, a runbook with no state machine (runbook.ErrCannotStart), a request AWS refuses
// as invalid. Dispatch
// records such a failure on the incident's timeline, counts it (the DispatchFailures
// metric) and goes on; it never holds the stream shard back for it.
var ErrPermanent = errors.New("permanent failure")

type permanent struct{ err error }

func (p permanent) Error() string   { return p.err.Error() }
func (p permanent) Unwrap() []error { return []error{p.err, ErrPermanent} }

// Permanent marks err as a failure retrying cannot fix.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanent{err}
}

// IsPermanent reports whether err is a failure retrying cannot fix: one marked so, a
// team with no topic, a runbook that cannot be started, a notice that cannot be rendered, or an AWS API error of the
// caller's making (a 4xx answer other than throttling and limits: validation, a state
// machine or topic that does not exist, access denied, a disabled KMS key). Throttling,
// 5xx answers, timeouts, cancellations, network and store errors are retryable.
func IsPermanent(err error) bool {
	switch {
	case err == nil, errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return false
	case errors.Is(err, ErrPermanent), errors.Is(err, notify.ErrNoTopic), errors.Is(err, notify.ErrRender), errors.Is(err, runbook.ErrCannotStart):
		return true
	}
	var api interface{ ErrorCode() string }
	if !errors.As(err, &api) {
		return false
	}
	code := api.ErrorCode()
	if _, ok := retry.DefaultThrottleErrorCodes[code]; ok { // the SDK's own list: ProvisionedThroughputExceededException, …
		return false
	}
	if _, ok := retry.DefaultRetryableErrorCodes[code]; ok {
		return false
	}
	for _, s := range []string{"Throttl", "TooManyRequests", "LimitExceeded", "RequestTimeout", "ServiceUnavailable", "InternalError", "InternalFailure"} {
		if strings.Contains(code, s) {
			return false
		}
	}
	var resp interface{ HTTPStatusCode() int }
	if !errors.As(err, &resp) {
		return false
	}
	s := resp.HTTPStatusCode()
	return s >= 400 && s < 500 && s != 429
}
