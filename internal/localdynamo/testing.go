package localdynamo

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

var (
	shared    *Server
	sharedErr error
	once      sync.Once
	tables    atomic.Int64
)

// InCI reports whether tests run under CI (CI=true), where nothing may skip.
func InCI() bool { return os.Getenv("CI") == "true" }

// ForTest returns a client for a fresh table on a dynalite shared by the test binary
// (started on first use; stop it from TestMain with StopShared). Without dynalite the
// test fails under CI=true and is skipped elsewhere, with a message naming what is missing.
func ForTest(t testing.TB) (*dynamodb.Client, string) {
	t.Helper()
	db := SharedForTest(t).Client()
	return db, NewTable(t, db)
}

// StopShared stops the dynalite ForTest started, if any.
func StopShared() {
	if shared != nil {
		shared.Close()
	}
}

// SharedForTest returns the test binary's shared dynalite (see ForTest), failing or
// skipping as ForTest does when it cannot run.
func SharedForTest(t testing.TB) *Server {
	t.Helper()
	once.Do(func() { shared, sharedErr = Start(context.Background()) })
	if sharedErr != nil {
		if InCI() || !errors.Is(sharedErr, ErrUnavailable) {
			t.Fatalf("DynamoDB tests need dynalite: %v", sharedErr)
		}
		t.Skipf("skipping outside CI (CI=true makes this a failure): %v", sharedErr)
	}
	return shared
}

// NewTable creates a fresh table on s for a test and returns its name.
func NewTable(t testing.TB, db *dynamodb.Client) string {
	t.Helper()
	name := fmt.Sprintf("firebreak-test-%d", tables.Add(1))
	if err := CreateTable(context.Background(), db, name); err != nil {
		t.Fatalf("%v", err)
	}
	return name
}
