package store_test

import (
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/store"
	"github.com/firebreak-ops/firebreak/internal/store/dynamotest"
	"github.com/firebreak-ops/firebreak/internal/store/storetest"
)

func TestMain(m *testing.M) { dynamotest.Main(m) }

func now() time.Time { return time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC) }

func TestMemoryContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return store.NewMemory(now) })
}

func TestDynamoContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		return dynamotest.Store(t, now)
	})
}
