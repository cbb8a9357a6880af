package dynamotest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/firebreak-ops/firebreak/internal/store"
)

// One dynalite per test binary, started on first use, stopped by Main.
var (
	shared    *Server
	sharedErr error
	once      sync.Once
	tables    atomic.Int64
)

// InCI reports whether tests run under CI (CI=true), where nothing may skip.
func InCI() bool { return os.Getenv("CI") == "true" }

// Main runs a package's tests and then stops the dynalite they shared, if any: the
// TestMain of every package whose tests use this harness is
//
//	func TestMain(m *testing.M) { dynamotest.Main(m) }
func Main(m *testing.M) {
	code := m.Run()
	StopShared()
	os.Exit(code)
}

// Store returns a DynamoDB store on a fresh table of the shared dynalite, its clock now.
func Store(t testing.TB, now func() time.Time) *store.Dynamo {
	t.Helper()
	db, table := ForTest(t)
	return store.NewDynamo(db, table, now)
}

// ForTest returns a client for a fresh table on the shared dynalite. Without dynalite
// the test fails under CI=true and is skipped elsewhere, with a message naming what is
// missing.
func ForTest(t testing.TB) (*dynamodb.Client, string) {
	t.Helper()
	db := SharedForTest(t).Client()
	return db, NewTable(t, db)
}

// StopShared stops the shared dynalite, if it was started (Main calls it).
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

// NewTable creates a fresh table of Firebreak's schema through db and returns its name.
func NewTable(t testing.TB, db *dynamodb.Client) string {
	t.Helper()
	name := fmt.Sprintf("firebreak-test-%d", tables.Add(1))
	if err := CreateTable(context.Background(), db, name); err != nil {
		t.Fatalf("%v", err)
	}
	return name
}
