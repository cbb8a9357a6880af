package replay_test

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/firebreak-ops/firebreak/internal/replay"
)

// FuzzReader: whatever the bytes, the reader ends, never fails on them, and every
// non-blank byte of the input lands in some input (nothing is silently dropped).
func FuzzReader(f *testing.F) {
	for _, s := range []string{
		`{"id":"a"}`, "[{\"id\":\"a\"},{\"id\":\"b\"}]", "{\n \"id\": \"a\"\n}\n{\n \"id\": \"b\"\n}",
		"{\"id\":\"a\"}\n{broken\n{\"id\":\"b\"}\n", "[{\"id\": \"b\"},", `{"s":"}{\"]"}`, "]]]", "\"str\" 12 null", "[[1,2],[3",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := replay.Open([]string{"-"}, bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		kept := 0
		for i := 0; ; i++ {
			in, err := r.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("Next() = %v on %q", err, b)
			}
			if i > len(b)+1 {
				t.Fatalf("more inputs than bytes in %q", b)
			}
			kept += len(bytes.Join(bytes.Fields(in.Raw), nil))
		}
		structural := 0 // array brackets and commas between elements are not kept
		for _, c := range b {
			if c == '[' || c == ']' || c == ',' {
				structural++
			}
		}
		if all := len(bytes.Join(bytes.Fields(b), nil)); kept+structural < all {
			t.Errorf("inputs hold %d non-blank bytes (+%d structural) of %d in %q", kept, structural, all, b)
		}
	})
}
