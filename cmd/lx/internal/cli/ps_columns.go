package cli

// The table of lx ps: its columns, how each shows and sorts a row, the
// -o and --sort flags that name them, and the rendering.

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/lxgo/lx/procfs"
)

// psColumn is one column of the lx ps table.
type psColumn struct {
	name string                    // the header, and the name -o and --sort take
	cell func(p *psProcess) string // the cell of a row
	cmp  func(a, b *psProcess) int // the order --sort gives
}

// psColumns are every column, in the order the help lists them.
var psColumns = []*psColumn{
	{"PID", func(p *psProcess) string { return formatCount(p.PID) }, byKey(func(p *psProcess) int { return p.PID })},
	{"LWP", func(p *psProcess) string { return formatCount(p.TID) }, byKey(func(p *psProcess) int { return p.TID })},
	{"PPID", func(p *psProcess) string { return formatCount(p.PPID) }, byKey(func(p *psProcess) int { return p.PPID })},
	{"PGID", func(p *psProcess) string { return formatCount(p.PGID) }, byKey(func(p *psProcess) int { return p.PGID })},
	{"SID", func(p *psProcess) string { return formatCount(p.SID) }, byKey(func(p *psProcess) int { return p.SID })},
	{"USER", psUser, byKey(psUser)},
	{"UID", func(p *psProcess) string { return formatCount(p.UID) }, byKey(func(p *psProcess) uint32 { return uint32(p.UID) })},
	{"%CPU", func(p *psProcess) string { return psCPUPercent(p.CPUPercent) }, byKey(func(p *psProcess) permille { return p.CPUPercent })},
	{"%MEM", func(p *psProcess) string { return formatPercent(uint64(p.MemPercent)) }, byKey(func(p *psProcess) permille { return p.MemPercent })},
	{"VSZ", func(p *psProcess) string { return formatBytes(p.VSZ) }, byKey(func(p *psProcess) uint64 { return p.VSZ })},
	{"RSS", func(p *psProcess) string { return formatBytes(p.RSS) }, byKey(func(p *psProcess) uint64 { return p.RSS })},
	{"TTY", psTTY, psCompareTTY},
	{"S", func(p *psProcess) string { return psStateLetter(p.State) }, byKey(func(p *psProcess) procfs.State { return p.State })},
	{"STAT", func(p *psProcess) string { return p.Stat }, byKey(func(p *psProcess) string { return p.Stat })},
	{"NI", func(p *psProcess) string { return formatCount(p.Nice) }, byKey(func(p *psProcess) int { return p.Nice })},
	{"THR", func(p *psProcess) string { return formatCount(p.Threads) }, byKey(func(p *psProcess) int { return p.Threads })},
	{"TIME", func(p *psProcess) string { return formatCPUTime(p.CPUTime) }, byKey(func(p *psProcess) int64 { return int64(p.CPUTime) })},
	{"STARTED", func(p *psProcess) string { return formatTime(p.Start) }, byKey(func(p *psProcess) int64 { return int64(p.StartSinceBoot) })},
	{"COMM", func(p *psProcess) string { return escape(p.Comm.String()) }, func(a, b *psProcess) int {
		return slices.Compare(a.Comm.Bytes(), b.Comm.Bytes())
	}},
	{"COMMAND", psArgs, func(a, b *psProcess) int { return slices.Compare(a.Cmdline, b.Cmdline) }},
}

// psDefaultColumns are the columns of the table without -o (-L adds LWP
// after PID).
var psDefaultColumns = []string{"PID", "PPID", "USER", "%CPU", "%MEM", "VSZ", "RSS", "TTY", "STAT", "THR", "TIME", "STARTED", "COMM", "COMMAND"}

// byKey returns the order of the values key gives.
func byKey[T cmp.Ordered](key func(p *psProcess) T) func(a, b *psProcess) int {
	return func(a, b *psProcess) int { return cmp.Compare(key(a), key(b)) }
}

// psCompareTTY orders processes without a terminal first (device 0:0),
// then by device number.
func psCompareTTY(a, b *psProcess) int {
	var da, db procfs.Dev
	if a.TTYDev != nil {
		da = *a.TTYDev
	}
	if b.TTYDev != nil {
		db = *b.TTYDev
	}
	return cmp.Or(cmp.Compare(da.Major, db.Major), cmp.Compare(da.Minor, db.Minor))
}

// psCPUPercent is the %CPU column: tenths of a percent as procps prints
// them, one decimal up to 99.9 and whole percents above (pr_pcpu).
func psCPUPercent(p permille) string {
	if p > 999 {
		return formatCount(uint64(p / 10))
	}
	return formatPercent(uint64(p))
}

// lookupPSColumn returns the column called name, in any case.
func lookupPSColumn(name string) (*psColumn, bool) {
	i := slices.IndexFunc(psColumns, func(c *psColumn) bool { return strings.EqualFold(c.name, name) })
	if i < 0 {
		return nil, false
	}
	return psColumns[i], true
}

// psColumnNames lists the columns for an error message.
func psColumnNames() string {
	names := make([]string, len(psColumns))
	for i, c := range psColumns {
		names[i] = strings.ToLower(c.name)
	}
	return strings.Join(names, ", ")
}

// psColumnList is the value of -o: columns named comma-separated, the
// lists of repeated flags joined.
type psColumnList []*psColumn

func (l *psColumnList) String() string {
	if l == nil {
		return ""
	}
	names := make([]string, len(*l))
	for i, c := range *l {
		names[i] = strings.ToLower(c.name)
	}
	return strings.Join(names, ",")
}

func (l *psColumnList) Set(s string) error {
	var cols []*psColumn
	for name := range strings.SplitSeq(s, ",") {
		c, ok := lookupPSColumn(name)
		if !ok {
			return fmt.Errorf("unknown column %q (columns: %s)", name, psColumnNames())
		}
		cols = append(cols, c)
	}
	*l = append(*l, cols...)
	return nil
}

// psSortKey is one key of --sort.
type psSortKey struct {
	col  *psColumn
	desc bool
}

// psSortKeys is the value of --sort: column names comma-separated, each
// with - before it for descending order (or + for ascending, the
// default); the lists of repeated flags joined.
type psSortKeys []psSortKey

func (k *psSortKeys) String() string {
	if k == nil {
		return ""
	}
	keys := make([]string, len(*k))
	for i, key := range *k {
		keys[i] = strings.ToLower(key.col.name)
		if key.desc {
			keys[i] = "-" + keys[i]
		}
	}
	return strings.Join(keys, ",")
}

func (k *psSortKeys) Set(s string) error {
	var keys []psSortKey
	for key := range strings.SplitSeq(s, ",") {
		name, desc := strings.CutPrefix(key, "-")
		if !desc {
			name = strings.TrimPrefix(key, "+")
		}
		c, ok := lookupPSColumn(name)
		if !ok {
			return fmt.Errorf("unknown sort key %q (keys: %s, each with - before it for descending order)", key, psColumnNames())
		}
		keys = append(keys, psSortKey{c, desc})
	}
	*k = append(*k, keys...)
	return nil
}

// sortPS sorts rows by keys, then by PID and thread id. It sorts
// indexes and moves the rows once, because the comparisons take the
// rows' addresses.
func sortPS(rows []psProcess, keys psSortKeys) {
	order := make([]int, len(rows))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(i, j int) int {
		a, b := &rows[i], &rows[j]
		for _, k := range keys {
			c := k.col.cmp(a, b)
			if k.desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return cmp.Or(cmp.Compare(a.PID, b.PID), cmp.Compare(a.TID, b.TID))
	})
	sorted := make([]psProcess, len(rows))
	for i, j := range order {
		sorted[i] = rows[j]
	}
	copy(rows, sorted)
}

// renderPS writes rows as a table of cols, each line cut to cut
// characters when cut is positive. prefixes, when not nil, are the tree's
// branches, drawn before the COMMAND cell (the COMM cell without it).
func renderPS(w io.Writer, rows []psProcess, prefixes []string, cols []*psColumn, cut int) error {
	t := newTable(w)
	t.Cut = cut
	art := -1
	if prefixes != nil {
		art = slices.IndexFunc(cols, func(c *psColumn) bool { return c.name == "COMMAND" })
		if art < 0 {
			art = slices.IndexFunc(cols, func(c *psColumn) bool { return c.name == "COMM" })
		}
	}
	header := make([]string, len(cols))
	for i, c := range cols {
		header[i] = c.name
	}
	t.Row(header...)
	for i := range rows {
		cells := make([]string, len(cols))
		for j, c := range cols {
			cells[j] = c.cell(&rows[i])
		}
		if art >= 0 {
			cells[art] = prefixes[i] + cells[art]
		}
		t.Row(cells...)
	}
	return t.Flush()
}

// psArgs is the COMMAND column: the command line as quoteArgs shows it, or
// [comm] when there is none (a kernel thread, a zombie), as ps prints it.
func psArgs(p *psProcess) string {
	if len(p.Cmdline) == 0 {
		s := "[" + escape(p.Comm.String()) + "]"
		if p.State == procfs.StateZombie {
			s += " <defunct>"
		}
		return s
	}
	return quoteArgs(p.Cmdline)
}

// psUser is the USER column: the name, or the uid when it has none.
func psUser(p *psProcess) string {
	if p.User == nil {
		return strconv.FormatUint(uint64(p.UID), 10)
	}
	return escape(*p.User)
}

// psTTY is the TTY column: the name, "?" for none (as ps), the device
// number when no driver names it.
func psTTY(p *psProcess) string {
	switch {
	case p.TTY != nil:
		return *p.TTY
	case p.TTYDev != nil:
		return p.TTYDev.String()
	}
	return "?"
}
