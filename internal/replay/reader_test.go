package replay_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/firebreak-ops/firebreak/internal/replay"
)

// TestReaderShapes checks that every input a file holds is read, and where from.
func TestReaderShapes(t *testing.T) {
	tests := []struct {
		name, file, body string
		want             []string // origin@line, with "!" when the reader marks a problem
	}{
		{"one pretty event", "a.json", "{\n  \"id\": \"a\"\n}\n", []string{"a.json@1"}},
		{"array", "a.json", "[{\"id\": \"b\"},\n {\"id\": \"c\"}]", []string{"a.json[0]@1", "a.json[1]@2"}},
		{"concatenated pretty documents (jq . a b)", "a.json", "{\n  \"id\": \"a\"\n}\n{\n  \"id\": \"b\"\n}\n",
			[]string{"a.json:1@1", "a.json:4@4"}},
		{"concatenated on one line", "a.json", `{"id":"a"}{"id":"b"}`, []string{"a.json:1@1", "a.json:1@1"}},
		{"JSON lines in a .json file", "a.json", "{\"id\": \"f\"}\n{\"id\": \"g\"}\n", []string{"a.json:1@1", "a.json:2@2"}},
		{"broken line in a .json file of lines", "a.json", "{\"id\": \"f\"}\n{broken\n{\"id\": \"g\"}\n",
			[]string{"a.json:1@1", "a.json:2@2", "a.json:3@3"}},
		{"JSON lines with blanks and a broken line", "a.jsonl", "{\"id\": \"d\"}\n\n{\"id\": \"e\"}\n{broken\n",
			[]string{"a.jsonl:1@1", "a.jsonl:3@3", "a.jsonl:4@4"}},
		{"truncated array: elements held, one for the rest", "a.json", "[{\"id\": \"b\"},\n {\"id\": \"c\"},\n {\"id\": \"d\", \"sou",
			[]string{"a.json[0]@1", "a.json[1]@2", "a.json[2]@3!"}},
		{"truncated array after a comma", "a.json", "[{\"id\": \"b\"},", []string{"a.json[0]@1", "a.json[1]@1!"}},
		{"truncated object", "a.json", "{\n  \"id\": \"h\",\n", []string{"a.json@1!"}},
		{"braces inside strings", "a.json", `{"id":"x","detail":{"s":"}{\"]"}}` + "\n", []string{"a.json@1"}},
		{"empty file", "a.json", "  \n", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, tc.file)
			if err := os.WriteFile(p, []byte(tc.body), 0o644); err != nil {
				t.Fatal(err)
			}
			r, err := replay.Open([]string{p}, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			var got []string
			for {
				in, err := r.Next()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatalf("Next() = %v", err)
				}
				s := strings.TrimPrefix(in.Origin, dir+"/") + "@" + strconv.Itoa(in.Line)
				if in.Problem != "" {
					s += "!"
				}
				if in.Problem == "" && len(in.Raw) == 0 {
					t.Errorf("input %s has no bytes and no problem", s)
				}
				got = append(got, s)
			}
			if strings.Join(got, " ") != strings.Join(tc.want, " ") {
				t.Errorf("Read(%q) = %v; want %v", tc.body, got, tc.want)
			}
			if read, size := r.Progress(); read != size || size != int64(len(tc.body)) {
				t.Errorf("Progress() = %d of %d; want %d of %d", read, size, len(tc.body), len(tc.body))
			}
		})
	}
}

func TestReaderFolderListsWhatItSkips(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{"a.json": `{"id":"a"}`, "sub/b.ndjson": `{"id":"b"}`, "notes.txt": "x", "sub/c.yaml": "y"} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r, err := replay.Open([]string{dir}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{filepath.Join(dir, "notes.txt"), filepath.Join(dir, "sub/c.yaml")}
	if got := r.Skipped(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("Skipped() = %v; want %v", got, want)
	}
	in, err := replay.Load([]string{dir}, nil)
	if err != nil || len(in) != 2 {
		t.Errorf("Load(%s) = %d inputs, %v; want 2", dir, len(in), err)
	}
	if _, err := replay.Open([]string{filepath.Join(dir, "missing.json")}, nil); err == nil || !strings.Contains(err.Error(), "missing.json") {
		t.Errorf("Open(missing) = %v; want an error naming the file", err)
	}
	stdin, err := replay.Load([]string{"-"}, strings.NewReader("{\n \"id\": \"s\"\n}"))
	if err != nil || len(stdin) != 1 || stdin[0].Origin != "stdin" {
		t.Errorf("Load(-) = %+v, %v; want one pretty-printed event from stdin", stdin, err)
	}
}
