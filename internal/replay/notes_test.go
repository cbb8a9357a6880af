package replay

import (
	"errors"
	"fmt"
	"reflect"
	"testing"
)

// TestNotesInAFile: notes kept in a file hold nothing in memory until read back, and
// read back they are what notes kept in memory hold: the last opening event of each
// incident, the teams told in order of first notice, each once; notes taken after are
// kept in memory. A file that does not read back is an error, not a partial answer.
func TestNotesInAFile(t *testing.T) {
	mem, err := newNotes(false, "")
	if err != nil {
		t.Fatal(err)
	}
	file, err := newNotes(true, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = file.close() })
	teams := []string{"payments", "platform", "", "sec-ops", "platform"}
	for i := range 5000 {
		id := fmt.Sprintf("FB-%d", i%701)
		for _, n := range []*notes{mem, file} {
			n.opened(id, fmt.Sprintf("event-%d", i))
			n.toldTeam(id, teams[i%len(teams)])
		}
	}
	if len(file.told) != 0 || len(file.openedBy) != 0 {
		t.Fatalf("notes in a file hold %d told and %d openings in memory before being read; want none", len(file.told), len(file.openedBy))
	}
	if err := file.load(); err != nil {
		t.Fatal(err)
	}
	for _, n := range []*notes{mem, file} {
		n.toldTeam("FB-late", "late")
	}
	if !reflect.DeepEqual(file.told, mem.told) || !reflect.DeepEqual(file.openedBy, mem.openedBy) {
		t.Errorf("notes read back = %d told, %d openings; want those kept in memory (%d, %d)", len(file.told), len(file.openedBy), len(mem.told), len(mem.openedBy))
	}
	if got := mem.told["FB-1"]; !reflect.DeepEqual(got, []string{"platform", "", "sec-ops", "payments"}) {
		t.Errorf("told FB-1 = %q; want platform, \"\", sec-ops, payments (first notice order, each once)", got)
	}

	bad, err := newNotes(true, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = bad.close() })
	bad.opened("FB-1", "event-1")
	_, _ = bad.w.Write([]byte{noteTold, 200}) // cut short
	if err := bad.load(); !errors.Is(err, errNotesCorrupt) {
		t.Errorf("load of a cut file = %v; want %v", err, errNotesCorrupt)
	}
}
