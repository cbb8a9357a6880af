package cli

import (
	"fmt"
	"io"
	"strings"
)

// Human output fits width (120) columns: a table whose rows are wider cuts its elastic
// columns (titles, details, matchers: the free text) with "…", in the order the table
// names them, each down to its floor (or wraps them onto more lines, for prose like the
// timeline's details), and --wide prints every cell whole on one line. Machine output
// (--json) is never cut.

// table is rows of cells laid out in columns two spaces apart.
type table struct {
	header []string
	rows   [][]string
	cuts   []cut        // the columns that may be cut, in the order they are
	wraps  map[int]bool // columns whose cells wrap onto more lines instead of being cut
	wide   bool         // cut nothing
}

// wrap makes the cells of column col (narrowed as cut says) wrap onto more lines
// instead of being cut: the timeline's details, read as prose.
func (t *table) wrap(col int) *table {
	if t.wraps == nil {
		t.wraps = map[int]bool{}
	}
	t.wraps[col] = true
	return t
}

// cut is a column that may be cut, and the width it is never cut below.
type cut struct{ col, floor int }

// newTable starts a table with its header. Cells are one line: runs of white space in
// them become one space.
func newTable(wide bool, header ...string) *table {
	return &table{header: header, wide: wide}
}

// cut lets column col be cut to fit, down to floor runes, after the columns named
// before it reached theirs.
func (t *table) cut(col, floor int) *table {
	t.cuts = append(t.cuts, cut{col, floor})
	return t
}

func (t *table) row(cells ...any) {
	r := make([]string, len(cells))
	for i, c := range cells {
		r[i] = strings.Join(strings.Fields(fmt.Sprint(c)), " ")
	}
	t.rows = append(t.rows, r)
}

// widths are the columns' widths: each its widest cell, then, unless wide, the columns
// that may be cut, in order, each down to its floor, until a row fits width.
func (t *table) widths() []int {
	w := make([]int, len(t.header))
	for _, r := range append([][]string{t.header}, t.rows...) {
		for i, c := range r {
			if i < len(w) {
				w[i] = max(w[i], runes(c))
			}
		}
	}
	if t.wide {
		return w
	}
	total := 2 * (len(w) - 1)
	for _, n := range w {
		total += n
	}
	for _, c := range t.cuts {
		if total <= width {
			break
		}
		n := min(total-width, w[c.col]-max(c.floor, runes(t.header[c.col])))
		if n > 0 {
			w[c.col] -= n
			total -= n
		}
	}
	return w
}

func (t *table) write(out io.Writer) error {
	w := t.widths()
	var b strings.Builder
	for _, r := range append([][]string{t.header}, t.rows...) {
		// A row is one line, or more when a wrapping cell needs them.
		cells := make([][]string, len(r))
		lines := 1
		for i, c := range r {
			if i >= len(w) {
				break
			}
			if t.wraps[i] && !t.wide && runes(c) > w[i] {
				cells[i] = strings.Split(wrap(c, w[i], ""), "\n")
			} else {
				cells[i] = []string{elide(c, w[i])}
			}
			lines = max(lines, len(cells[i]))
		}
		for l := range lines {
			var line strings.Builder
			for i, c := range cells {
				cell := ""
				if l < len(c) {
					cell = c[l]
				}
				line.WriteString(cell)
				if i < len(cells)-1 {
					line.WriteString(strings.Repeat(" ", w[i]-runes(cell)+2))
				}
			}
			b.WriteString(strings.TrimRight(line.String(), " ") + "\n")
		}
	}
	_, err := io.WriteString(out, b.String())
	return err
}

// elide cuts s to n runes, the last one "…".
func elide(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	if n < 1 {
		return ""
	}
	return string(r[:n-1]) + "…"
}

// fit is one line of free text cut to width, unless wide.
func fit(s string, wide bool) string {
	if wide {
		return s
	}
	return elide(s, width)
}

func runes(s string) int { return len([]rune(s)) }

// plural is "1 event", "2 events": n and the noun in the right number. The plural is
// the noun with an s, or many when given ("1 recovery", "2 recoveries").
func plural(n int, noun string, many ...string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, noun)
	}
	if len(many) > 0 {
		return fmt.Sprintf("%d %s", n, many[0])
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
