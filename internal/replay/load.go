// Package replay runs recorded events through the local bus, intake and the in-memory
// store in event-time order, offline, and summarises what Firebreak would have done:
// the answer to "what would this rule or taxonomy change have paged last week?".
package replay

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Input is one raw event and where it came from ("file", "file:line" or "file[i]").
type Input struct {
	Origin string
	Raw    []byte
}

// Load reads events from files, folders (recursively: *.json, *.jsonl, *.ndjson) and
// "-" (standard input). A .json file holds one event or an array of events; .jsonl and
// .ndjson files, and .json files whose first line is a whole object, hold one event per
// line. Unparseable events are returned as inputs too: intake quarantines them.
func Load(paths []string, stdin io.Reader) ([]Input, error) {
	var out []Input
	for _, p := range paths {
		if p == "-" {
			b, err := io.ReadAll(stdin)
			if err != nil {
				return nil, fmt.Errorf("read standard input: %w", err)
			}
			out = append(out, split("stdin", b, false)...)
			continue
		}
		info, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("read events: %w", err)
		}
		if !info.IsDir() {
			in, err := loadFile(p)
			if err != nil {
				return nil, err
			}
			out = append(out, in...)
			continue
		}
		var files []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && isEventFile(path) {
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("read events from %s: %w", p, err)
		}
		sort.Strings(files)
		for _, f := range files {
			in, err := loadFile(f)
			if err != nil {
				return nil, err
			}
			out = append(out, in...)
		}
	}
	return out, nil
}

func isEventFile(p string) bool {
	switch strings.ToLower(filepath.Ext(p)) {
	case ".json", ".jsonl", ".ndjson":
		return true
	}
	return false
}

func loadFile(p string) ([]Input, error) {
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("read events: %w", err)
	}
	ext := strings.ToLower(filepath.Ext(p))
	return split(p, b, ext == ".jsonl" || ext == ".ndjson"), nil
}

// split interprets one file's bytes as one event, an array of events or JSON lines.
func split(origin string, b []byte, lines bool) []Input {
	t := bytes.TrimSpace(b)
	if !lines && json.Valid(t) {
		if len(t) > 0 && t[0] == '[' {
			var arr []json.RawMessage
			if json.Unmarshal(t, &arr) == nil {
				out := make([]Input, len(arr))
				for i, r := range arr {
					out[i] = Input{Origin: fmt.Sprintf("%s[%d]", origin, i), Raw: r}
				}
				return out
			}
		}
		return []Input{{Origin: origin, Raw: t}}
	}
	if !lines {
		// Not one JSON value: JSON lines if its first line is a whole object.
		first, _, _ := bytes.Cut(t, []byte("\n"))
		first = bytes.TrimSpace(first)
		lines = len(first) > 0 && first[0] == '{' && json.Valid(first) && len(first) < len(t)
	}
	if !lines {
		return []Input{{Origin: origin, Raw: b}}
	}
	var out []Input
	for n, line := range bytes.Split(b, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) > 0 {
			out = append(out, Input{Origin: fmt.Sprintf("%s:%d", origin, n+1), Raw: line})
		}
	}
	return out
}
