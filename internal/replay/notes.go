package replay

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
)

// notes keep what a replay's response per incident needs beyond the incident itself:
// the event that opened each incident (Compare matches incidents by it) and who each
// was told. Only the response table and --diff read them, at the end; the summary and
// --json need counts only. With a file (Options.Timelines: a replay that spills its
// incidents) they are appended to an unlinked temporary file as they come and read back
// whole when first asked for, so that a replay's memory does not grow with them while
// it runs (about 110 bytes an incident: 19 MB of a million-event replay); without one,
// they are kept in memory.
type notes struct {
	f    *os.File      // nil: in memory
	name string        // the file's name while it could not be removed at once (close removes it)
	w    *bufio.Writer // appends to f
	buf  []byte

	// What was noted, once read back (or all along without a file).
	loaded   bool
	openedBy map[string]string   // incident -> the id of the event that opened it
	told     map[string][]string // incident -> teams told, in order of first notice
}

// Kinds of note in the file.
const (
	noteOpened byte = 'o'
	noteTold   byte = 't'
)

// newNotes keeps notes in a temporary file in dir ("" for the system's) when file is
// true, else in memory.
func newNotes(file bool, dir string) (*notes, error) {
	n := &notes{openedBy: map[string]string{}, told: map[string][]string{}}
	if !file {
		n.loaded = true
		return n, nil
	}
	f, err := os.CreateTemp(dir, "firebreak-replay-notes-*")
	if err != nil {
		return nil, fmt.Errorf("replay: notes: %w", err)
	}
	if os.Remove(f.Name()) != nil { // where an open file cannot be removed, close does
		n.name = f.Name()
	}
	n.f, n.w = f, bufio.NewWriterSize(f, 64<<10)
	return n, nil
}

// opened notes that event opened incident id.
func (n *notes) opened(id, event string) { n.note(noteOpened, id, event) }

// toldTeam notes that incident id told team.
func (n *notes) toldTeam(id, team string) { n.note(noteTold, id, team) }

func (n *notes) note(kind byte, id, v string) {
	if n.f == nil || n.loaded {
		n.apply(kind, id, v)
		return
	}
	n.buf = append(n.buf[:0], kind)
	n.buf = binary.AppendUvarint(n.buf, uint64(len(id)))
	n.buf = append(n.buf, id...)
	n.buf = binary.AppendUvarint(n.buf, uint64(len(v)))
	n.buf = append(n.buf, v...)
	_, _ = n.w.Write(n.buf) // a failure sticks to the writer: load returns it
}

func (n *notes) apply(kind byte, id, v string) {
	switch kind {
	case noteOpened:
		n.openedBy[id] = v
	case noteTold:
		if !slices.Contains(n.told[id], v) {
			n.told[id] = append(n.told[id], v)
		}
	}
}

var errNotesCorrupt = errors.New("the replay's notes file is corrupt")

// load reads the notes back from the file, once; later notes go to memory.
func (n *notes) load() error {
	if n.loaded {
		return nil
	}
	if err := n.w.Flush(); err != nil {
		return fmt.Errorf("replay: notes: %w", err)
	}
	if _, err := n.f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("replay: notes: %w", err)
	}
	r := bufio.NewReaderSize(n.f, 64<<10)
	str := func() (string, error) {
		l, err := binary.ReadUvarint(r)
		if err != nil {
			return "", err
		}
		if l > 1<<20 {
			return "", errNotesCorrupt
		}
		b := make([]byte, l)
		_, err = io.ReadFull(r, b)
		return string(b), err
	}
	for {
		kind, err := r.ReadByte()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("replay: notes: %w", err)
		}
		id, err := str()
		if err != nil {
			return fmt.Errorf("replay: notes: %w", errors.Join(errNotesCorrupt, err))
		}
		v, err := str()
		if err != nil {
			return fmt.Errorf("replay: notes: %w", errors.Join(errNotesCorrupt, err))
		}
		n.apply(kind, id, v)
	}
	n.loaded = true
	return nil
}

// close releases the file, if any.
func (n *notes) close() error {
	if n == nil || n.f == nil {
		return nil
	}
	err := n.f.Close()
	if n.name != "" {
		if rerr := os.Remove(n.name); err == nil {
			err = rerr
		}
	}
	n.f = nil
	return err
}
