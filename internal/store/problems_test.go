package store_test

import (
	"testing"

	"github.com/firebreak-ops/firebreak/internal/store"
	"github.com/firebreak-ops/firebreak/internal/store/dynamotest"
	"github.com/firebreak-ops/firebreak/internal/store/storetest"
)

func TestMemoryProblems(t *testing.T) {
	storetest.RunProblems(t, func(t *testing.T) store.Store { return store.NewMemory(now) })
}

func TestDynamoProblems(t *testing.T) {
	storetest.RunProblems(t, func(t *testing.T) store.Store {
		db, table := dynamotest.ForTest(t)
		return store.NewDynamo(db, table, now)
	})
}

func TestMemoryMitigatedAt(t *testing.T) {
	storetest.RunMitigatedAt(t, func(t *testing.T) store.Store { return store.NewMemory(now) })
}

func TestDynamoMitigatedAt(t *testing.T) {
	storetest.RunMitigatedAt(t, func(t *testing.T) store.Store {
		db, table := dynamotest.ForTest(t)
		return store.NewDynamo(db, table, now)
	})
}
