package dynamotest

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/firebreak-ops/firebreak/internal/store"
)

// ErrInjected is the error FailNthWrite answers the write it fails with.
var ErrInjected = errors.New("injected: connection reset by peer")

// FailNthWrite wraps a client and fails the Nth write (PutItem, UpdateItem,
// DeleteItem) it sees, and no other: before the write reaches the table, or, with
// After, once it landed (the client sees an error either way, as when a connection
// drops). Failed names the operation it failed ("": the history made fewer than N
// writes); Writes counts the writes it saw (N 0: none fails). The failed-write tests
// run a history once per N and compare the outcome with the run without failures.
type FailNthWrite struct {
	store.DynamoDB
	N     int
	After bool

	mu     sync.Mutex
	seen   int
	failed string
}

// Failed is the operation of the write it failed ("": none yet).
func (f *FailNthWrite) Failed() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.failed
}

// Writes is the number of writes it saw.
func (f *FailNthWrite) Writes() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.seen
}

func (f *FailNthWrite) write(op string, do func() error) error {
	f.mu.Lock()
	f.seen++
	hit := f.seen == f.N
	if hit {
		f.failed = op
	}
	f.mu.Unlock()
	if !hit {
		return do()
	}
	if f.After {
		if err := do(); err != nil {
			return err
		}
	}
	return ErrInjected
}

// PutItem forwards in, or fails it if it is the Nth write.
func (f *FailNthWrite) PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (out *dynamodb.PutItemOutput, err error) {
	err = f.write("PutItem", func() error { out, err = f.DynamoDB.PutItem(ctx, in, opts...); return err })
	return out, err
}

// UpdateItem forwards in, or fails it if it is the Nth write.
func (f *FailNthWrite) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (out *dynamodb.UpdateItemOutput, err error) {
	err = f.write("UpdateItem", func() error { out, err = f.DynamoDB.UpdateItem(ctx, in, opts...); return err })
	return out, err
}

// DeleteItem forwards in, or fails it if it is the Nth write.
func (f *FailNthWrite) DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, opts ...func(*dynamodb.Options)) (out *dynamodb.DeleteItemOutput, err error) {
	err = f.write("DeleteItem", func() error { out, err = f.DynamoDB.DeleteItem(ctx, in, opts...); return err })
	return out, err
}

// EachWriteFailed runs run once per write of its history, failing that write (N = 1,
// 2, ...) before it lands and then, in a second pass, after it landed, until the
// history makes fewer than N writes; a run whose outcome is not want is an error. A
// history of fewer than minWrites writes is a failure of the test itself.
func EachWriteFailed(t *testing.T, want string, minWrites int, run func(*testing.T, *FailNthWrite) string) {
	t.Helper()
	EachWriteFailedAgainst(t, minWrites, func(t *testing.T, f *FailNthWrite) (string, string) { return run(t, f), want })
}

// EachWriteFailedAgainst is EachWriteFailed for a run that says what it should have
// ended with (the fault-free run at the step where it stopped).
func EachWriteFailedAgainst(t *testing.T, minWrites int, run func(*testing.T, *FailNthWrite) (got, want string)) {
	t.Helper()
	for _, after := range []bool{false, true} {
		for n := 1; ; n++ {
			fail := &FailNthWrite{N: n, After: after}
			got, want := run(t, fail)
			if fail.Failed() == "" { // the history made fewer than n writes
				if n-1 < minWrites {
					t.Fatalf("the history made only %d writes; want at least %d", n-1, minWrites)
				}
				t.Logf("%d writes failed in turn (after they landed: %v)", n-1, after)
				break
			}
			if got != want {
				t.Errorf("write %d (%s) failed (after it landed: %v):\n%s\nwant\n%s", n, fail.Failed(), after, got, want)
			}
		}
	}
}
