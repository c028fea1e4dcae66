package cli

import (
	"bytes"
	"io"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/lxgo/lx/term"
)

// outputWidth returns the width that lx's tables fit, in characters, or 0
// for no limit. It follows procps's ps: the width of stdout when stdout is
// a terminal (80 when the terminal does not know its size), no limit when
// stdout is a pipe or a file; and the COLUMNS environment variable, when it
// is a positive decimal number, in both cases. (ps also accepts COLUMNS in
// octal or hex, and asks stderr, stdin and /dev/tty when stdout is a
// terminal of unknown size.)
func outputWidth(stdout io.Writer, getenv func(string) string) int {
	if n, err := strconv.Atoi(getenv("COLUMNS")); err == nil && n > 0 {
		return n
	}
	f, ok := stdout.(*os.File)
	if !ok || !term.IsTerminal(f) {
		return 0
	}
	if cols, _, err := term.Size(f); err == nil && cols > 0 {
		return cols
	}
	return defaultWrap
}

// defaultWrap is the line width WrapRow fills when the output's width is
// not known (not a terminal), and the width of a terminal that does not
// know its own: the traditional 80 columns.
const defaultWrap = 80

// table writes aligned columns, two spaces apart, without trailing
// blanks. Rows are kept until Flush. Widths are counted in characters
// (runes): cells hold escaped text (see escape), so every character is
// printable.
type table struct {
	w    io.Writer
	rows []tableRow
	// Cut, when positive, cuts every line to that many characters: the
	// last column gives way first (lx ps on a terminal).
	Cut int
	// Wrap is the line width WrapRow fills; 0 means defaultWrap.
	Wrap int
}

// tableRow is a row of cells, or with words a row whose last cell is a
// list of words to be wrapped.
type tableRow struct {
	cells []string
	words []string
}

func newTable(w io.Writer) *table { return &table{w: w} }

// Row adds one row of cells.
func (t *table) Row(cells ...string) {
	t.rows = append(t.rows, tableRow{cells: clean(cells)})
}

// WrapRow adds a row of cells followed by words, joined by spaces and
// wrapped to the table's Wrap width onto as many lines as they need, each
// continuation line starting below the first word.
func (t *table) WrapRow(words []string, cells ...string) {
	t.rows = append(t.rows, tableRow{cells: clean(cells), words: clean(words)})
}

// clean replaces tabs and newlines, which would break the layout, with
// spaces. Callers escape kernel strings, so this only guards lx's own.
func clean(cells []string) []string {
	for i, c := range cells {
		cells[i] = strings.Map(func(r rune) rune {
			if r == '\t' || r == '\n' {
				return ' '
			}
			return r
		}, c)
	}
	return cells
}

// Flush aligns the rows and writes them.
func (t *table) Flush() error {
	// Column widths; a wrapped word list does not widen its column.
	var widths []int
	for _, r := range t.rows {
		for i, c := range r.cells {
			if i == len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	var out bytes.Buffer
	line := func(cells []string) {
		var b strings.Builder
		for i, c := range cells {
			b.WriteString(c)
			if i < len(cells)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c)+2))
			}
		}
		s := strings.TrimRight(b.String(), " ")
		if t.Cut > 0 && utf8.RuneCountInString(s) > t.Cut {
			s = string([]rune(s)[:t.Cut])
		}
		out.WriteString(s)
		out.WriteByte('\n')
	}
	for _, r := range t.rows {
		if r.words == nil {
			line(r.cells)
			continue
		}
		indent := 0
		for i := range r.cells {
			indent += widths[i] + 2
		}
		wrap := t.Wrap
		if wrap <= 0 {
			wrap = defaultWrap
		}
		lines := wrapWords(r.words, max(wrap-indent, 1))
		if len(lines) == 0 {
			lines = []string{""}
		}
		for i, l := range lines {
			cells := make([]string, len(r.cells), len(r.cells)+1)
			if i == 0 {
				copy(cells, r.cells)
			}
			line(append(cells, l))
		}
	}
	t.rows = t.rows[:0]
	_, err := t.w.Write(out.Bytes())
	return err
}
