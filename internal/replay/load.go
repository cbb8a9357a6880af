// Package replay runs recorded events through the local bus, intake and the in-memory
// store in event-time order, offline, and summarises what Firebreak would have done:
// the answer to "what would this rule or taxonomy change have paged last week?".
package replay

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
)

// Input is one raw event and where it came from.
type Input struct {
	// Origin names it: "file" (the file's only value), "file:line" (a line, or one of
	// several values in the file) or "file[i]" (element i of an array).
	Origin string
	File   string // the file ("stdin" for standard input)
	Line   int    // the line it starts on, 1-based
	Raw    []byte
	// Problem says what the reader could not make of the input (a truncated array or
	// value); "" when it read a whole JSON value or line. Intake quarantines such inputs.
	Problem string
}

// Reader reads events from files, folders (recursively: *.json, *.jsonl, *.ndjson) and
// "-" (standard input), one at a time: a file is read as its events are consumed, never
// whole. Safe for use by one goroutine.
//
// A .json file (and standard input) holds JSON values one after another: one event, an
// array of events, pretty-printed events concatenated (`jq . a.json b.json`), or JSON
// lines. When its first value fits on its first line and more follows on later lines,
// it is read line by line, so a broken line costs that line only. .jsonl and .ndjson
// files are read line by line. A truncated array yields the elements it holds and one
// input for the rest, which intake quarantines.
type Reader struct {
	stdin   io.Reader
	files   []string // in reading order; "-" is standard input
	skipped []string
	size    int64 // total bytes of the files; -1 when standard input is among them
	done    int64 // bytes of the files finished
	next    int
	cur     *scanner
	read    atomic.Int64 // bytes read so far: Progress may be called from another goroutine than Next
}

// Open lists what paths name (a missing path is an error) without reading any event.
func Open(paths []string, stdin io.Reader) (*Reader, error) {
	r := &Reader{stdin: stdin}
	for _, p := range paths {
		if p == "-" {
			r.files = append(r.files, "-")
			r.size = -1
			continue
		}
		info, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("read events: %w", err)
		}
		if !info.IsDir() {
			r.files = append(r.files, p)
			r.addSize(info.Size())
			continue
		}
		var files []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				return nil
			}
			if !isEventFile(path) {
				r.skipped = append(r.skipped, path)
				return nil
			}
			files = append(files, path)
			if fi, err := d.Info(); err == nil {
				r.addSize(fi.Size())
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("read events from %s: %w", p, err)
		}
		sort.Strings(files)
		r.files = append(r.files, files...)
	}
	sort.Strings(r.skipped)
	return r, nil
}

func (r *Reader) addSize(n int64) {
	if r.size >= 0 {
		r.size += n
	}
}

// Skipped lists the files in the folders given that were not read (not *.json,
// *.jsonl or *.ndjson).
func (r *Reader) Skipped() []string { return r.skipped }

// Progress returns the bytes read so far and the total (-1 when unknown: stdin). Safe
// to call while another goroutine calls Next.
func (r *Reader) Progress() (read, size int64) {
	return r.read.Load(), r.size
}

// Next returns the next input, or io.EOF after the last.
func (r *Reader) Next() (Input, error) {
	in, err := r.next1()
	read := r.done
	if r.cur != nil {
		read += r.cur.read
	}
	r.read.Store(read)
	return in, err
}

func (r *Reader) next1() (Input, error) {
	for {
		if r.cur == nil {
			if r.next >= len(r.files) {
				return Input{}, io.EOF
			}
			p := r.files[r.next]
			r.next++
			sc, err := r.open(p)
			if err != nil {
				return Input{}, err
			}
			r.cur = sc
		}
		in, err := r.cur.next()
		if err == nil {
			return in, nil
		}
		r.done += r.cur.read
		if r.cur.c != nil {
			_ = r.cur.c.Close()
		}
		r.cur = nil
		if !errors.Is(err, io.EOF) {
			return Input{}, err
		}
	}
}

// Close closes the file being read, if any.
func (r *Reader) Close() error {
	if r.cur != nil && r.cur.c != nil {
		return r.cur.c.Close()
	}
	return nil
}

func (r *Reader) open(p string) (*scanner, error) {
	if p == "-" {
		if r.stdin == nil {
			return nil, fmt.Errorf("read standard input: none")
		}
		return &scanner{name: "stdin", r: bufio.NewReaderSize(r.stdin, 1<<16), line: 1}, nil
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("read events: %w", err)
	}
	ext := strings.ToLower(filepath.Ext(p))
	lines := ext == ".jsonl" || ext == ".ndjson"
	return &scanner{name: p, r: bufio.NewReaderSize(f, 1<<16), c: f, line: 1, lines: lines, decided: lines}, nil
}

// Load reads every input at once (for small inputs: classify, serve, tests).
func Load(paths []string, stdin io.Reader) ([]Input, error) {
	r, err := Open(paths, stdin)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var out []Input
	for {
		in, err := r.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		out = append(out, in)
	}
}

func isEventFile(p string) bool {
	switch strings.ToLower(filepath.Ext(p)) {
	case ".json", ".jsonl", ".ndjson":
		return true
	}
	return false
}

// scanner splits one file into inputs.
type scanner struct {
	name    string
	r       *bufio.Reader
	c       io.Closer
	read    int64
	line    int  // line of the next byte
	lines   bool // one input per line from here on
	decided bool // whether lines is settled (after the first value of a .json file)
	values  int  // values read outside arrays
	arr     bool // inside a top-level array
	idx     int  // array elements read
}

func (s *scanner) next() (Input, error) {
	if s.lines {
		return s.nextLine()
	}
	for {
		c, err := s.skipSpace()
		if s.arr {
			switch {
			case err != nil:
				s.arr = false
				if !errors.Is(err, io.EOF) {
					return Input{}, s.fail(err)
				}
				return Input{Origin: fmt.Sprintf("%s[%d]", s.name, s.idx), File: s.name, Line: s.line,
					Problem: fmt.Sprintf("truncated JSON array: it ends after %d elements without ']'", s.idx)}, nil
			case c == ']':
				s.arr = false
				s.skip()
				continue
			case c == ',':
				s.skip()
				continue
			}
			start := s.line
			raw, whole, err := s.value()
			if err != nil {
				return Input{}, s.fail(err)
			}
			in := Input{Origin: fmt.Sprintf("%s[%d]", s.name, s.idx), File: s.name, Line: start, Raw: raw}
			if !whole {
				in.Problem = fmt.Sprintf("truncated JSON array: the input ends inside element %d", s.idx)
				s.arr = false
			}
			s.idx++
			return in, nil
		}
		if err != nil {
			return Input{}, s.fail(err)
		}
		if c == '[' {
			s.skip()
			s.arr = true
			s.decided = true
			continue
		}
		start := s.line
		raw, whole, err := s.value()
		if err != nil {
			return Input{}, s.fail(err)
		}
		in := Input{Origin: fmt.Sprintf("%s:%d", s.name, start), File: s.name, Line: start, Raw: raw}
		if !whole {
			in.Problem = "not a JSON object: the input ends inside it (truncated)"
		}
		s.values++
		if s.values == 1 {
			end := s.line
			_, err := s.skipSpace()
			if errors.Is(err, io.EOF) {
				in.Origin = s.name // the file's only value
			} else if err != nil {
				return Input{}, s.fail(err)
			}
			if !s.decided {
				s.decided = true
				// A one-line value followed by more on later lines: JSON lines.
				s.lines = whole && end == start && s.line > end
			}
		}
		return in, nil
	}
}

func (s *scanner) fail(err error) error {
	if errors.Is(err, io.EOF) {
		return io.EOF
	}
	return fmt.Errorf("read events from %s: %w", s.name, err)
}

// nextLine returns the next non-blank line.
func (s *scanner) nextLine() (Input, error) {
	for {
		line, err := s.r.ReadSlice('\n')
		var long []byte
		for errors.Is(err, bufio.ErrBufferFull) {
			long = append(long, line...)
			line, err = s.r.ReadSlice('\n')
		}
		if long != nil {
			line = append(long, line...)
		}
		s.read += int64(len(line))
		n := s.line
		if len(line) > 0 && line[len(line)-1] == '\n' {
			s.line++
		}
		if t := bytes.TrimSpace(line); len(t) > 0 {
			return Input{Origin: fmt.Sprintf("%s:%d", s.name, n), File: s.name, Line: n, Raw: bytes.Clone(t)}, nil
		}
		if err != nil {
			return Input{}, s.fail(err)
		}
	}
}

func isSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\n' || b == '\r' }

// skipSpace consumes whitespace and returns the next byte without consuming it.
func (s *scanner) skipSpace() (byte, error) {
	for {
		b, err := s.r.ReadByte()
		if err != nil {
			return 0, err
		}
		if !isSpace(b) {
			_ = s.r.UnreadByte()
			return b, nil
		}
		s.read++
		if b == '\n' {
			s.line++
		}
	}
}

func (s *scanner) skip() {
	if _, err := s.r.ReadByte(); err == nil {
		s.read++
	}
}

// value reads one JSON value: an object, array or string to its closing byte, anything
// else to the end of its line. whole is false when the input ends first.
func (s *scanner) value() (raw []byte, whole bool, err error) {
	first, err := s.r.ReadByte()
	if err != nil {
		return nil, false, err
	}
	s.read++
	raw = append(raw, first)
	var depth int
	inStr := false
	switch first {
	case '{', '[':
		depth = 1
	case '"':
		inStr = true
	default:
		rest, err := s.r.ReadSlice('\n')
		for errors.Is(err, bufio.ErrBufferFull) {
			raw = append(raw, rest...)
			rest, err = s.r.ReadSlice('\n')
		}
		raw = append(raw, rest...)
		s.read += int64(len(rest))
		if len(rest) > 0 && rest[len(rest)-1] == '\n' {
			s.line++
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, false, err
		}
		return bytes.TrimSpace(raw), true, nil
	}
	esc := false
	for {
		if _, err := s.r.Peek(1); err != nil { // fill the buffer
			if errors.Is(err, io.EOF) {
				return raw, false, nil
			}
			return nil, false, err
		}
		chunk, _ := s.r.Peek(s.r.Buffered())
		for i, b := range chunk {
			if b == '\n' {
				s.line++
			}
			switch {
			case inStr:
				switch {
				case esc:
					esc = false
				case b == '\\':
					esc = true
				case b == '"':
					inStr = false
				}
			case b == '"':
				inStr = true
			case b == '{' || b == '[':
				depth++
			case b == '}' || b == ']':
				depth--
			}
			if depth == 0 && !inStr {
				raw = append(raw, chunk[:i+1]...)
				s.read += int64(i + 1)
				_, _ = s.r.Discard(i + 1)
				return raw, true, nil
			}
		}
		raw = append(raw, chunk...)
		s.read += int64(len(chunk))
		_, _ = s.r.Discard(len(chunk))
	}
}
