package store

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"time"
)

// Lease is how long a claimed action may take before another attempt may take it over:
// more than any Firebreak Lambda's timeout (infra checks it), so an attempt still
// running never sees its action repeated. It is the one claim lease: handlers, the
// local pipeline and the stack all use it.
const Lease = 2 * time.Minute

// Claims is what doing an action once needs of a store: a claim on the action's key,
// held by one owner (an attempt) for a lease, given up by that owner when the action
// fails, and made permanent when it is done. Claiming again as the same owner takes the
// claim again, so a claim whose write happened but whose answer was lost is not lost.
type Claims interface {
	Claim(ctx context.Context, id, key, owner string, lease time.Duration) (ClaimState, error)
	Done(ctx context.Context, id, key, result string) error
	Release(ctx context.Context, id, key, owner string) error
}

// ClaimState is what a claim found.
type ClaimState int

const (
	// Claimed: the caller holds the action for the lease.
	Claimed ClaimState = iota
	// Held: another attempt holds it and its lease has not run out; it may still fail.
	Held
	// Finished: the action is done; it is never done again.
	Finished
)

var (
	_ Claims = (*Memory)(nil)
	_ Claims = (*Dynamo)(nil)
)

// Once does each action (an incident's id and the action's key) at most once, however
// often it is asked to: streams, queues and Step Functions deliver at least once, so
// every side effect that must not repeat (a page, a runbook start, a clock step, a
// person's action) goes through it.
//
// Each Do is one owner of its claim. Its claim, done and release writes are each tried
// up to Attempts times: every one of them is idempotent for its owner, so a write that
// happened but whose answer was lost (a timeout, a dropped connection) is completed by
// the next try instead of leaving a claim nobody finishes.
type Once struct {
	Claims   Claims
	Lease    time.Duration // zero: Lease
	Attempts int           // tries of each claim write; zero: OnceAttempts
}

// OnceAttempts is how often Once tries each of its writes before it gives up.
const OnceAttempts = 6

// ErrHeld is the error (wrapped in a *HeldError) of an action that another attempt holds:
// the caller retries later, as a queue or stream redelivers; it is never a permanent
// failure and never a reason to count the action done.
var ErrHeld = errors.New("held by another attempt")

// HeldError is an action claimed by another attempt whose lease has not run out.
type HeldError struct{ Incident, Key string }

func (e *HeldError) Error() string {
	return fmt.Sprintf("action %s of %s is being done by another attempt: retry once it is done or its lease has run out", e.Key, e.Incident)
}

// Is makes errors.Is(err, ErrHeld) true.
func (e *HeldError) Is(target error) bool { return target == ErrHeld }

// Do runs act unless the action is done already; ran reports whether act ran. When act
// succeeds its result is recorded with the action (a message id, an execution ARN, …)
// and the action is never done again. When act fails its claim is given up, so a retry
// can do it at once, and its error is returned as is; if giving up fails too, the error
// is a *ReleaseError that wraps both. When another attempt holds the action, Do returns
// a *HeldError: the caller must retry, not count the action done.
func (o Once) Do(ctx context.Context, id, key string, act func(ctx context.Context) (result string, err error)) (ran bool, err error) {
	lease := o.Lease
	if lease <= 0 {
		lease = Lease
	}
	owner := rand.Text()
	var state ClaimState
	if err := o.try(ctx, func() (err error) { state, err = o.Claims.Claim(ctx, id, key, owner, lease); return err }); err != nil {
		return false, fmt.Errorf("claim %s of %s: %w", key, id, err)
	}
	switch state {
	case Finished:
		return false, nil
	case Held:
		return false, &HeldError{Incident: id, Key: key}
	}
	result, err := act(ctx)
	if err != nil {
		if rerr := o.try(ctx, func() error { return o.Claims.Release(ctx, id, key, owner) }); rerr != nil {
			return true, &ReleaseError{Incident: id, Key: key, Err: err, Release: rerr}
		}
		return true, err
	}
	if err := o.try(ctx, func() error { return o.Claims.Done(ctx, id, key, result) }); err != nil {
		return true, fmt.Errorf("record %s of %s done: %w", key, id, err)
	}
	return true, nil
}

// try runs write until it succeeds, Attempts times at most, waiting a little longer
// after each failure; it stops early when ctx ends.
func (o Once) try(ctx context.Context, write func() error) error {
	attempts := o.Attempts
	if attempts <= 0 {
		attempts = OnceAttempts
	}
	wait := 10 * time.Millisecond
	var err error
	for i := 0; i < attempts; i++ {
		if err = write(); err == nil || ctx.Err() != nil {
			return err
		}
		if i == attempts-1 {
			break
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
		wait = min(2*wait, time.Second)
	}
	return err
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

// Record retries an idempotent write that records a side effect already done (a
// timeline entry keyed by its action after the page went out): failing the action
// there would release its claim and repeat the effect. It tries write as Once tries its
// own writes and returns the last error.
func Record(ctx context.Context, write func() error) error { return Once{}.try(ctx, write) }
