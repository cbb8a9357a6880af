package store_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/incident"
	"github.com/firebreak-ops/firebreak/internal/store"
	"github.com/firebreak-ops/firebreak/internal/store/storetest"
)

// spilling is a memory store that keeps a single timeline in memory: every other is
// written out and read back when touched.
func spilling(t *testing.T) *store.Memory {
	t.Helper()
	m := store.NewMemory(now)
	if err := m.SpillIncidents(t.TempDir(), 1); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := m.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return m
}

// TestMemorySpillContract: a store that spills its timelines keeps the contract.
func TestMemorySpillContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return spilling(t) })
	storetest.RunProblems(t, func(t *testing.T) store.Store { return spilling(t) })
	storetest.RunMitigatedAt(t, func(t *testing.T) store.Store { return spilling(t) })
}

// TestMemorySpillRoundTrip: timelines written out and read back are the timelines kept
// in memory, entry for entry (times, nil and empty data, text of every kind), however
// they are interleaved.
func TestMemorySpillRoundTrip(t *testing.T) {
	ctx := context.Background()
	plain, spilled := store.NewMemory(now), spilling(t)
	t0 := time.Date(2026, 11, 2, 12, 0, 0, 123456789, time.UTC)
	data := []map[string]string{nil, {}, {"runbook": "ec2-restart", "parameters": `{"InstanceIds":["i-0"]}`, "": "é\x00\n"}}
	for _, st := range []*store.Memory{plain, spilled} {
		for i := range 5 {
			inc := incident.Incident{ID: fmt.Sprintf("FB-T-%d", i), Fingerprint: fmt.Sprintf("fp%d", i), Seq: 1, Status: incident.Open,
				Severity: incident.Sev2, OpenedAt: t0}
			opened := incident.Entry{Incident: inc.ID, At: t0, Kind: incident.KindOpened, Actor: "firebreak", Detail: "opened", Key: "opened"}
			if _, _, err := st.Open(ctx, inc, opened); err != nil {
				t.Fatal(err)
			}
		}
		for j := range 40 { // round robin: every entry touches a timeline that was spilled
			e := incident.Entry{Incident: fmt.Sprintf("FB-T-%d", j%5), At: t0.Add(time.Duration(j) * time.Second), Kind: incident.KindNote,
				Actor: "person", Detail: fmt.Sprintf("note %d", j), Key: fmt.Sprintf("note:%d", j), Data: data[j%len(data)]}
			if err := st.AddEntries(ctx, e, e); err != nil { // the second is skipped: its key is there
				t.Fatal(err)
			}
		}
	}
	for i := range 5 {
		id := fmt.Sprintf("FB-T-%d", i)
		want, err := plain.Timeline(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		got, err := spilled.Timeline(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Timeline(%s) spilled = %+v; want %+v", id, got, want)
		}
	}
}
