package cli

import (
	"fmt"
	"io"
	"strings"
)

// Human output fits width (120) columns: a table whose rows are wider cuts its elastic
// columns (titles, details, matchers: the free text) with "…", in the order the table
// names them, each down to its floor, and --wide prints every cell whole. Machine
// output (--json) is never cut.

// table is rows of cells laid out in columns two spaces apart.
type table struct {
	header []string
	rows   [][]string
	cuts   []cut // the columns that may be cut, in the order they are
	wide   bool  // cut nothing
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
		var line strings.Builder
		for i, c := range r {
			if i >= len(w) {
				break
			}
			c = elide(c, w[i])
			line.WriteString(c)
			if i < len(r)-1 {
				line.WriteString(strings.Repeat(" ", w[i]-runes(c)+2))
			}
		}
		b.WriteString(strings.TrimRight(line.String(), " ") + "\n")
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
