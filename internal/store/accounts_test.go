package store_test

import (
	"testing"

	"github.com/firebreak-ops/firebreak/internal/store"
	"github.com/firebreak-ops/firebreak/internal/store/dynamotest"
	"github.com/firebreak-ops/firebreak/internal/store/storetest"
)

func TestMemoryAccounts(t *testing.T) {
	storetest.RunAccounts(t, func(t *testing.T) store.Store { return store.NewMemory(now) })
}

func TestDynamoAccounts(t *testing.T) {
	storetest.RunAccounts(t, func(t *testing.T) store.Store {
		db, table := dynamotest.ForTest(t)
		return store.NewDynamo(db, table, now)
	})
}
