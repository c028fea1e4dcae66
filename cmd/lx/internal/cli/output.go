package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// writeJSON writes v as one indented JSON object followed by a newline.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// table writes aligned columns (text/tabwriter, two spaces apart) without
// trailing blanks. Rows are buffered until Flush.
type table struct {
	w   io.Writer
	buf bytes.Buffer
	tw  *tabwriter.Writer
}

func newTable(w io.Writer) *table {
	t := &table{w: w}
	t.tw = tabwriter.NewWriter(&t.buf, 0, 0, 2, ' ', 0)
	return t
}

// Row adds one row of cells.
func (t *table) Row(cells ...string) {
	// Tabs and newlines inside a cell would break the layout.
	for i, c := range cells {
		cells[i] = strings.Map(func(r rune) rune {
			if r == '\t' || r == '\n' {
				return ' '
			}
			return r
		}, c)
	}
	fmt.Fprintln(t.tw, strings.Join(cells, "\t"))
}

// Flush aligns the rows and writes them.
func (t *table) Flush() error {
	if err := t.tw.Flush(); err != nil {
		return err
	}
	var out bytes.Buffer
	for line := range strings.Lines(t.buf.String()) {
		out.WriteString(strings.TrimRight(line, " \n"))
		out.WriteByte('\n')
	}
	t.buf.Reset()
	_, err := t.w.Write(out.Bytes())
	return err
}

// formatBytes formats n bytes with a binary unit: "512 B", "2 MiB",
// "23.5 GiB". Exact multiples have no decimals.
func formatBytes(n uint64) string {
	const units = "KMGTPE"
	if n < 1024 {
		return fmt.Sprintf("%d B", n)
	}
	unit, exp := uint64(1024), 0
	for n/unit >= 1024 && exp < len(units)-1 {
		unit <<= 10
		exp++
	}
	if n%unit == 0 {
		return fmt.Sprintf("%d %ciB", n/unit, units[exp])
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(unit), units[exp])
}

// formatDuration formats d to the second as "3d 4h 5m 6s", leaving out
// leading zero units ("5m 0s", "12s").
func formatDuration(d time.Duration) string {
	if d < 0 {
		return "-" + formatDuration(-d)
	}
	s := int64(d / time.Second)
	parts := []struct {
		n    int64
		unit string
	}{{s / 86400, "d"}, {s / 3600 % 24, "h"}, {s / 60 % 60, "m"}, {s % 60, "s"}}
	var b strings.Builder
	for i, p := range parts {
		if b.Len() == 0 && p.n == 0 && i < len(parts)-1 {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%d%s", p.n, p.unit)
	}
	return b.String()
}
