package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/firebreak-ops/firebreak/internal/incident"
)

// TestCurrentAndDueBringIncidentsBack: in a spilling store, the incidents Current
// returns and the first of those Due returns (up to half of what memory keeps) are in
// memory afterwards, where intake and the escalator change them next, without being
// decoded again; the others Due returns stay where they are.
func TestCurrentAndDueBringIncidentsBack(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	m := NewMemory(func() time.Time { return t0 })
	if err := m.SpillIncidents(t.TempDir(), 4); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Close() })
	for i := range 12 {
		inc := incident.Incident{ID: fmt.Sprint("FB-", i), Fingerprint: fmt.Sprint("fp", i), Seq: 1, Status: incident.Open, Severity: incident.Sev2,
			OpenedAt: t0.Add(time.Duration(i) * time.Minute)}
		if _, _, err := m.Open(ctx, inc, incident.Entry{Incident: inc.ID, At: inc.OpenedAt, Kind: incident.KindOpened, Key: "opened"}); err != nil {
			t.Fatal(err)
		}
	}
	inMemory := func(id string) bool {
		m.mu.Lock()
		defer m.mu.Unlock()
		_, ok := m.incidents[id]
		return ok
	}
	if inMemory("FB-0") {
		t.Fatalf("FB-0 in memory after 11 more incidents opened; want it spilled (the test needs it)")
	}
	if _, err := m.Current(ctx, []string{"fp0"}); err != nil {
		t.Fatal(err)
	}
	if !inMemory("FB-0") {
		t.Errorf("FB-0 spilled after Current returned it; want it in memory")
	}
	before := map[string]bool{}
	for i := range 12 {
		before[fmt.Sprint("FB-", i)] = inMemory(fmt.Sprint("FB-", i))
	}
	due, err := m.Due(ctx, t0.Add(time.Hour), 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(due) != 12 {
		t.Fatalf("Due = %d incidents; want 12", len(due))
	}
	for i, inc := range due {
		got := inMemory(inc.ID)
		switch {
		case i < 2 && !got:
			t.Errorf("%s (Due's #%d) spilled after Due; want it in memory (the first half of the 4 kept come back)", inc.ID, i)
		case i >= 2 && got && !before[inc.ID]:
			t.Errorf("%s (Due's #%d) brought back by Due; want it left where it was (only the first 2 come back)", inc.ID, i)
		}
	}
}
