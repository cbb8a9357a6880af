package store_test

import (
	"testing"

	"github.com/firebreak-ops/firebreak/internal/store"
	"github.com/firebreak-ops/firebreak/internal/store/dynamotest"
	"github.com/firebreak-ops/firebreak/internal/store/storetest"
)

func TestMemoryHolds(t *testing.T) {
	storetest.RunHolds(t, func(t *testing.T) store.Store { return store.NewMemory(now) })
}

func TestDynamoHolds(t *testing.T) {
	storetest.RunHolds(t, func(t *testing.T) store.Store {
		db, table := dynamotest.ForTest(t)
		return store.NewDynamo(db, table, now)
	})
}
