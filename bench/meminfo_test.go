package bench

import (
	"syscall"
	"testing"
	"unsafe"

	lxprocfs "github.com/lxgo/lx/procfs"
	promprocfs "github.com/prometheus/procfs"
	"github.com/shirou/gopsutil/v4/mem"
)

// BenchmarkMeminfo reads and parses /proc/meminfo with each
// implementation. impl=raw is the floor: openat, read to EOF into a reused
// buffer, close, no parsing. impl=lx is procfs.FS.Meminfo (zero
// allocations), impl=procfs prometheus/procfs FS.Meminfo, impl=gopsutil
// gopsutil's mem.VirtualMemory (which parses /proc/meminfo into its
// VirtualMemoryStat). The kernel's generation of the file dominates, so
// interleave the runs and compare with benchstat:
//
//	./run '^BenchmarkMeminfo$'
//	# or: for i in $(seq 10); do go test -run '^$' -bench '^BenchmarkMeminfo$' -count 1 .; done | tee meminfo.txt
//	#     benchstat -col /impl meminfo.txt
func BenchmarkMeminfo(b *testing.B) {
	atFDCWD := -100 // AT_FDCWD; syscall.Open would allocate the C path each call
	b.Run("impl=raw", func(b *testing.B) {
		path := []byte("/proc/meminfo\x00")
		buf := make([]byte, 4096)
		b.ReportAllocs()
		for b.Loop() {
			fd, _, e := syscall.Syscall6(syscall.SYS_OPENAT, uintptr(atFDCWD), uintptr(unsafe.Pointer(&path[0])),
				syscall.O_RDONLY|syscall.O_CLOEXEC, 0, 0, 0)
			if e != 0 {
				b.Fatal(e)
			}
			for {
				n, err := syscall.Read(int(fd), buf)
				if err != nil {
					b.Fatal(err)
				}
				if n == 0 {
					break
				}
			}
			syscall.Close(int(fd))
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
