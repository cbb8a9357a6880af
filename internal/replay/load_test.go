package replay_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/firebreak-ops/firebreak/internal/replay"
)

func TestLoadShapes(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("one.json", "{\n  \"id\": \"a\"\n}\n")
	write("array.json", `[{"id": "b"}, {"id": "c"}]`)
	write("lines.jsonl", "{\"id\": \"d\"}\n\n{\"id\": \"e\"}\n{broken\n")
	write("lines-named-json.json", "{\"id\": \"f\"}\n{\"id\": \"g\"}\n")
	write("broken.json", "{\n  \"id\": \"h\",\n")
	write("notes.txt", "ignored")
	in, err := replay.Load([]string{dir}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, i := range in {
		got = append(got, strings.TrimPrefix(i.Origin, dir+"/"))
	}
	want := "array.json[0] array.json[1] broken.json lines-named-json.json:1 lines-named-json.json:2 lines.jsonl:1 lines.jsonl:3 lines.jsonl:4 one.json"
	if strings.Join(got, " ") != want {
		t.Errorf("Load() origins = %v; want %s", got, want)
	}
	if _, err := replay.Load([]string{filepath.Join(dir, "missing.json")}, nil); err == nil || !strings.Contains(err.Error(), "missing.json") {
		t.Errorf("Load(missing) = %v; want an error naming the file", err)
	}
	stdin, err := replay.Load([]string{"-"}, strings.NewReader("{\n \"id\": \"s\"\n}"))
	if err != nil || len(stdin) != 1 || stdin[0].Origin != "stdin" {
		t.Errorf("Load(-) = %+v, %v; want one pretty-printed event from stdin", stdin, err)
	}
}
