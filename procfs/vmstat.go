package procfs

import (
	"errors"
	"iter"
	"strconv"
	"sync/atomic"

	"github.com/lxgo/lx/internal/parse"
)

// VMStat is /proc/vmstat (proc(5)): the virtual memory counters, system
// wide. The file has some 200 counters whose set changes with every kernel
// release and configuration, so VMStat types the commonly used ones as
// fields and keeps every counter, by the kernel's name, for Lookup and All.
//
// Design: the counter names are the same from one read to the next, so lx
// learns them once. A read parses only the values into a slice and checks
// each name against the remembered layout (a comparison, no allocation);
// a layout that changed (another kernel behind another FS root) is
// learned again. Lookup is a map lookup in the shared layout, so it
// allocates nothing, and a VMStat costs one []uint64, which VMStatInto
// reuses.
type VMStat struct {
	NrFreePages   uint64 // nr_free_pages: free pages
	NrDirty       uint64 // nr_dirty: dirty page cache pages
	NrWriteback   uint64 // nr_writeback: pages under writeback
	PgpgIn        uint64 // pgpgin, in bytes (the file counts KiB): read from block devices
	PgpgOut       uint64 // pgpgout, in bytes (the file counts KiB): written to block devices
	PswpIn        uint64 // pswpin: pages swapped in
	PswpOut       uint64 // pswpout: pages swapped out
	PgFault       uint64 // pgfault: page faults, minor and major
	PgMajFault    uint64 // pgmajfault: major page faults (needed I/O)
	PgScanKswapd  uint64 // pgscan_kswapd: pages scanned by kswapd
	PgScanDirect  uint64 // pgscan_direct: pages scanned by direct reclaim
	PgStealKswapd uint64 // pgsteal_kswapd: pages reclaimed by kswapd
	PgStealDirect uint64 // pgsteal_direct: pages reclaimed by direct reclaim
	OOMKill       uint64 // oom_kill: processes killed by the OOM killer (4.13)

	layout *vmstatLayout
	values []uint64
}

// Lookup returns the counter named name as the kernel prints it, in the
// kernel's unit (pages for nr_* counters, KiB for pgpgin and pgpgout,
// events for the rest). ok is false when this kernel has no such counter.
// It allocates nothing.
func (v *VMStat) Lookup(name string) (value uint64, ok bool) {
	if v.layout == nil {
		return 0, false
	}
	i, ok := v.layout.index[name]
	if !ok || i >= len(v.values) {
		return 0, false
	}
	return v.values[i], true
}

// All yields every counter in the file's order, with the kernel's name and
// unit.
func (v *VMStat) All() iter.Seq2[string, uint64] {
	return func(yield func(string, uint64) bool) {
		if v.layout == nil {
			return
		}
		for i, val := range v.values {
			if !yield(v.layout.names[i], val) {
				return
			}
		}
	}
}

// Len returns the number of counters.
func (v *VMStat) Len() int { return len(v.values) }

// VMStat reads /proc/vmstat. It allocates one slice of counters in steady
// state; VMStatInto reuses one. Any user can read it.
func (fs FS) VMStat() (VMStat, error) {
	var v VMStat
	err := fs.VMStatInto(&v)
	return v, err
}

// VMStatInto reads /proc/vmstat into v, reusing v's counter slice, so a
// sampling loop allocates nothing in steady state. The previous counters
// of v are overwritten; copies of v share them.
func (fs FS) VMStatInto(v *VMStat) error {
	return readFSInto(fs, "vmstat", v, parseVMStat)
}

// vmstatLayout is the immutable list of counter names of one kernel.
type vmstatLayout struct {
	names []string
	index map[string]int
	typed [len(vmstatTyped)]int // index of each typed field, -1 if absent
}

// vmstatTyped names the counters VMStat has as fields, in field order.
var vmstatTyped = [...]string{
	"nr_free_pages", "nr_dirty", "nr_writeback", "pgpgin", "pgpgout",
	"pswpin", "pswpout", "pgfault", "pgmajfault",
	"pgscan_kswapd", "pgscan_direct", "pgsteal_kswapd", "pgsteal_direct", "oom_kill",
}

// vmstatCache is the layout of the most recently read file.
var vmstatCache atomic.Pointer[vmstatLayout]

var errVMStatLine = errors.New("want \"name value\"")

// parseVMStat parses the contents of /proc/vmstat into v, reusing
// v.values.
func parseVMStat(b []byte, v *VMStat) error {
	lay := v.layout
	if lay == nil {
		lay = vmstatCache.Load()
	}
	values := v.values[:0]
	*v = VMStat{}
	match := lay != nil
	for n, rest := 1, b; len(rest) > 0; n++ {
		var line []byte
		line, rest = parse.Line(rest)
		name, tail := parse.Field(line)
		if len(name) == 0 {
			continue
		}
		val, tail := parse.Field(tail)
		if len(val) == 0 || len(parse.Trim(tail)) != 0 {
			return parseErr(n, string(name), errVMStatLine)
		}
		x, err := parse.Uint(val)
		if err != nil {
			return parseErr(n, string(name), err)
		}
		if match {
			i := len(values)
			match = i < len(lay.names) && lay.names[i] == string(name)
		}
		values = append(values, x)
	}
	if !match || len(values) != len(lay.names) {
		lay = newVMStatLayout(b, len(values))
		vmstatCache.Store(lay)
	}
	v.layout, v.values = lay, values
	fields := [len(vmstatTyped)]*uint64{
		&v.NrFreePages, &v.NrDirty, &v.NrWriteback, &v.PgpgIn, &v.PgpgOut,
		&v.PswpIn, &v.PswpOut, &v.PgFault, &v.PgMajFault,
		&v.PgScanKswapd, &v.PgScanDirect, &v.PgStealKswapd, &v.PgStealDirect, &v.OOMKill,
	}
	for f, i := range lay.typed {
		if i >= 0 {
			*fields[f] = values[i]
		}
	}
	// pgpgin and pgpgout count KiB; VMStat has them in bytes.
	for _, c := range [...]struct {
		f    *uint64
		name string
	}{{&v.PgpgIn, "pgpgin"}, {&v.PgpgOut, "pgpgout"}} {
		if *c.f > 1<<54-1 {
			return parseErr(0, c.name, errRange("KiB to bytes", strconv.AppendUint(nil, *c.f, 10)))
		}
		*c.f <<= 10
	}
	return nil
}

// newVMStatLayout learns the counter names of an already validated file
// with n counters.
func newVMStatLayout(b []byte, n int) *vmstatLayout {
	lay := &vmstatLayout{names: make([]string, 0, n), index: make(map[string]int, n)}
	for len(b) > 0 {
		var line []byte
		line, b = parse.Line(b)
		name, _ := parse.Field(line)
		if len(name) == 0 {
			continue
		}
		s := string(name)
		if _, dup := lay.index[s]; !dup {
			lay.index[s] = len(lay.names)
		}
		lay.names = append(lay.names, s)
	}
	for f, name := range vmstatTyped {
		i, ok := lay.index[name]
		if !ok {
			i = -1
		}
		lay.typed[f] = i
	}
	return lay
}
