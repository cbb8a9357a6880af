package store

import (
	"bytes"
	"fmt"
	"os"
	"testing"
)

// TestSpillPendingReadsBack: records gathered in pending and records already written to
// the file read back as written, across several flushes and records of every size up
// to more than pending holds; a flush that fails keeps every record readable.
func TestSpillPendingReadsBack(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "spill")
	if err != nil {
		t.Fatal(err)
	}
	s := &spill{f: f}
	var refs []spillRef
	var recs [][]byte
	for i := range 400 {
		rec := bytes.Repeat([]byte{byte(i)}, 1+(i*7919)%(spillPending/8))
		if i == 200 {
			rec = bytes.Repeat([]byte("big"), spillPending) // more than pending holds
		}
		ref, err := s.write(rec)
		if err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
		refs, recs = append(refs, ref), append(recs, rec)
	}
	if s.size-int64(len(s.pending)) == 0 {
		t.Fatalf("nothing reached the file: the test does not cover reads from it")
	}
	check := func(when string) {
		t.Helper()
		for i, ref := range refs {
			got, err := s.read(ref)
			if err != nil {
				t.Fatalf("%s: read %d: %v", when, i, err)
			}
			if !bytes.Equal(got, recs[i]) {
				t.Fatalf("%s: read %d = %d bytes (first %x); want %d bytes of %x", when, i, len(got), got[:min(4, len(got))], len(recs[i]), recs[i][:1])
			}
		}
	}
	check("written")
	pending := len(s.pending)
	if err := f.Close(); err != nil { // every later write to the file fails
		t.Fatal(err)
	}
	for i := 0; ; i++ {
		rec := []byte(fmt.Sprint("after close ", i))
		ref, err := s.write(bytes.Repeat(rec, 1000))
		if err != nil {
			break
		}
		refs, recs = append(refs, ref), append(recs, bytes.Repeat(rec, 1000))
	}
	if len(s.pending) < pending {
		t.Fatalf("pending after a failed flush = %d bytes; want at least the %d it held", len(s.pending), pending)
	}
	for i, ref := range refs { // those in pending still read; the file's are gone with it
		if ref.off >= s.size-int64(len(s.pending)) {
			got, err := s.read(ref)
			if err != nil || !bytes.Equal(got, recs[i]) {
				t.Fatalf("after a failed flush: read %d = %d bytes, %v; want the %d bytes written", i, len(got), err, len(recs[i]))
			}
		}
	}
}
