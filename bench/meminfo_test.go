package bench

import (
	"testing"

	lxprocfs "github.com/lxgo/lx/procfs"
	promprocfs "github.com/prometheus/procfs"
	"github.com/shirou/gopsutil/v4/mem"
)

// BenchmarkMeminfo reads and parses /proc/meminfo with each
// implementation. impl=raw is the floor: openat, one read into a reused
// buffer, close, no parsing. impl=lx is procfs.FS.Meminfo (zero
// allocations), impl=procfs prometheus/procfs FS.Meminfo, impl=gopsutil
// gopsutil's mem.VirtualMemory (which parses /proc/meminfo into its
// VirtualMemoryStat). TestMeminfoAgrees checks the answers first.
// Reproduce with ./run '^BenchmarkMeminfo$'.
func BenchmarkMeminfo(b *testing.B) {
	b.Run("impl=raw", func(b *testing.B) {
		// One read: /proc/meminfo is a single_open seq_file, generated
		// whole at the first read, which returns all of it when the
		// buffer is large enough (lx's reader relies on the same).
		f := newRawFile("/proc/meminfo")
		buf := make([]byte, 16<<10)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := f.readOnce(buf); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=lx", func(b *testing.B) {
		fs := lxprocfs.Default()
		b.ReportAllocs()
		for b.Loop() {
			m, err := fs.Meminfo()
			if err != nil || m.MemTotal == 0 {
				b.Fatal(m, err)
			}
		}
	})
	b.Run("impl=procfs", func(b *testing.B) {
		fs, err := promprocfs.NewDefaultFS()
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			m, err := fs.Meminfo()
			if err != nil || m.MemTotal == nil {
				b.Fatal(m, err)
			}
		}
	})
	b.Run("impl=gopsutil", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			m, err := mem.VirtualMemory()
			if err != nil || m.Total == 0 {
				b.Fatal(m, err)
			}
		}
	})
}
