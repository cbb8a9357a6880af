package store_test

import (
	"os"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/localdynamo"
	"github.com/firebreak-ops/firebreak/internal/store"
	"github.com/firebreak-ops/firebreak/internal/store/storetest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	localdynamo.StopShared()
	os.Exit(code)
}

func now() time.Time { return time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC) }

func TestMemoryContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return store.NewMemory(now) })
}

func TestDynamoContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		db, table := localdynamo.ForTest(t)
		return store.NewDynamo(db, table, now)
	})
}
