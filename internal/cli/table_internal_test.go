package cli

import (
	"bytes"
	"strings"
	"testing"
)

func TestPlural(t *testing.T) {
	cases := []struct {
		n         int
		one, many string
		want      string
	}{
		{0, "event", "", "0 events"},
		{1, "event", "", "1 event"},
		{2, "event", "", "2 events"},
		{1, "recovery", "recoveries", "1 recovery"},
		{3, "recovery", "recoveries", "3 recoveries"},
	}
	for _, tc := range cases {
		var got string
		if tc.many == "" {
			got = plural(tc.n, tc.one)
		} else {
			got = plural(tc.n, tc.one, tc.many)
		}
		if got != tc.want {
			t.Errorf("plural(%d, %q) = %q; want %q", tc.n, tc.one, got, tc.want)
		}
	}
}

// TestTableCuts: a table wider than 120 columns cuts its cuttable columns in order,
// each down to its floor; wide cuts nothing; a table that fits is untouched.
func TestTableCuts(t *testing.T) {
	long := strings.Repeat("t", 200)
	class := strings.Repeat("c", 100)
	cases := []struct {
		name  string
		wide  bool
		cells []string
		want  []int // the widths of the columns of the row
	}{
		{"fits", false, []string{"FB-1", "short", "title"}, []int{4, 5, 5}},
		{"title cut first", false, []string{"FB-1", "class", long}, []int{4, 5, 120 - 4 - 5 - 4}},
		{"title to its floor, then class", false, []string{"FB-1", class, long}, []int{4, 120 - 4 - 30 - 4, 30}},
		{"wide", true, []string{"FB-1", class, long}, []int{4, 100, 200}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tb := newTable(tc.wide, "ID", "CLASS", "TITLE").cut(2, 30).cut(1, 10)
			tb.row(tc.cells[0], tc.cells[1], tc.cells[2])
			var b bytes.Buffer
			if err := tb.write(&b); err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
			row := strings.Fields(lines[1])
			for i, w := range tc.want {
				if got := runes(row[i]); got != w {
					t.Errorf("column %d of %q is %d runes; want %d", i, lines[1], got, w)
				}
			}
			if n := runes(lines[1]); !tc.wide && n > width {
				t.Errorf("row is %d runes; want at most %d", n, width)
			}
			if tc.cells[2] != row[2] && !strings.HasSuffix(row[2], "…") {
				t.Errorf("cut cell %q does not end in …", row[2])
			}
		})
	}
}

// TestTableWraps: a wrapping column's long cell continues on the next lines, in its
// column; wide keeps it on one line.
func TestTableWraps(t *testing.T) {
	detail := strings.TrimSpace(strings.Repeat("word ", 40)) // 199 runes
	for _, wide := range []bool{false, true} {
		tb := newTable(wide, "AT", "DETAIL").cut(1, 20).wrap(1)
		tb.row("12:00", detail)
		var b bytes.Buffer
		if err := tb.write(&b); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
		var words []string
		for i, l := range lines[1:] {
			if n := runes(l); !wide && n > width {
				t.Errorf("wrapped line %d is %d runes; want at most %d", i, n, width)
			}
			if i > 0 && !strings.HasPrefix(l, "       word") {
				t.Errorf("continuation line %q; want it in the DETAIL column", l)
			}
			words = append(words, strings.Fields(strings.TrimPrefix(l, "12:00"))...)
		}
		if got := strings.Join(words, " "); got != detail {
			t.Errorf("wide=%v: the cell reads %q; want every word: %q", wide, got, detail)
		}
		if want := map[bool]int{false: 3, true: 2}[wide]; len(lines) != want {
			t.Errorf("wide=%v: %d lines; want %d", wide, len(lines), want)
		}
	}
}
