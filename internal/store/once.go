package store

import (
	"context"
	"fmt"
	"time"
)

// Lease is how long a claimed action may take before another attempt may take it over:
// more than any Firebreak Lambda's timeout (infra checks it), so an attempt still
// running never sees its action repeated. It is the one claim lease: handlers, the
// local pipeline and the stack all use it.
const Lease = 2 * time.Minute

// Claims is what doing an action once needs of a store: a claim on the action's key
// that lasts a lease, given up when the action fails, and made permanent when it is done.
type Claims interface {
	Claim(ctx context.Context, id, key string, lease time.Duration) (bool, error)
	Done(ctx context.Context, id, key, result string) error
	Release(ctx context.Context, id, key string) error
}

var (
	_ Claims = (*Memory)(nil)
	_ Claims = (*Dynamo)(nil)
)

// Once does each action (an incident's id and the action's key) at most once, however
// often it is asked to: streams, queues and Step Functions deliver at least once, so
// every side effect that must not repeat (a page, a runbook start, a clock step, a
// person's action) goes through it.
type Once struct {
	Claims Claims
	Lease  time.Duration // zero: Lease
}

// Do runs act unless the action is claimed by a running attempt or done already; ran
// reports whether act ran. When act succeeds its result is recorded with the action
// (a message id, an execution ARN, …) and the action is never done again. When act
// fails its claim is given up, so a retry can do it at once, and its error is returned
// as is; if giving up fails too, the error is a *ReleaseError that wraps both.
func (o Once) Do(ctx context.Context, id, key string, act func(ctx context.Context) (result string, err error)) (ran bool, err error) {
	lease := o.Lease
	if lease <= 0 {
		lease = Lease
	}
	ok, err := o.Claims.Claim(ctx, id, key, lease)
	if err != nil {
		return false, fmt.Errorf("claim %s of %s: %w", key, id, err)
	}
	if !ok {
		return false, nil
	}
	result, err := act(ctx)
	if err != nil {
		if rerr := o.Claims.Release(ctx, id, key); rerr != nil {
			return true, &ReleaseError{Incident: id, Key: key, Err: err, Release: rerr}
		}
		return true, err
	}
	if err := o.Claims.Done(ctx, id, key, result); err != nil {
		return true, fmt.Errorf("record %s of %s done: %w", key, id, err)
	}
	return true, nil
}

// ReleaseError is an action that failed and whose claim could not be given up either:
// the action is retried once its lease runs out. errors.Is and errors.As see both
// errors; Err alone is what the action failed with (what a caller reports).
type ReleaseError struct {
	Incident, Key string
	Err           error // the action's failure
	Release       error // why its claim was not given up
}

func (e *ReleaseError) Error() string {
	return fmt.Sprintf("%v (and the claim %s of %s was not released, so it is retried after its lease: %v)", e.Err, e.Key, e.Incident, e.Release)
}

// Unwrap returns the action's failure and the release's.
func (e *ReleaseError) Unwrap() []error { return []error{e.Err, e.Release} }
