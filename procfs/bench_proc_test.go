package procfs

import (
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/lxgo/lx/rlimit"
)

// These benchmarks compare lx's readers with the floor of reading the same
// file (impl=raw: open, one read, close, no parsing); the comparison with
// prometheus/procfs and gopsutil is in the bench module
// (bench/procfs_test.go). Compare with benchstat -col /impl.

// rawRead is the floor the typed readers are measured against: open, one
// read into a reused buffer, close, no parsing.
func rawRead(b *testing.B, path string, buf []byte) int {
	fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		b.Fatal(err)
	}
	n, err := syscall.Read(fd, buf)
	syscall.Close(fd)
	if err != nil {
		b.Fatal(err)
	}
	return n
}

func benchFiles(b *testing.B, name string, lx func(p Proc) error) {
	pid := os.Getpid()
	path := "/proc/" + strconv.Itoa(pid) + "/" + name
	b.Run("impl=raw", func(b *testing.B) {
		b.ReportAllocs()
		buf := make([]byte, 4096)
		for b.Loop() {
			rawRead(b, path, buf)
		}
	})
	b.Run("impl=lx", func(b *testing.B) {
		b.ReportAllocs()
		p := mustProc(b, Default(), pid)
		for b.Loop() {
			if err := lx(p); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkStat(b *testing.B) {
	var st Stat
	benchFiles(b, "stat", func(p Proc) error { return p.ReadStat(&st) })
}

func BenchmarkStatm(b *testing.B) {
	benchFiles(b, "statm", func(p Proc) error { _, err := p.Statm(); return err })
}

func BenchmarkStatus(b *testing.B) {
	var st Status
	benchFiles(b, "status", func(p Proc) error { return p.ReadStatus(&st) })
}

func BenchmarkLimits(b *testing.B) {
	benchFiles(b, "limits", func(p Proc) error { _, err := p.Limits(); return err })
}

func BenchmarkComm(b *testing.B) {
	benchFiles(b, "comm", func(p Proc) error { _, err := p.Comm(); return err })
}

func BenchmarkParseStat(b *testing.B) {
	in, err := os.ReadFile("testdata/proc-stat-6.18-cat")
	if err != nil {
		b.Fatal(err)
	}
	var st Stat
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		if err := parseStat(in, &st); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseStatus(b *testing.B) {
	in, err := os.ReadFile("testdata/proc-status-6.18-cat")
	if err != nil {
		b.Fatal(err)
	}
	var st Status
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		if err := parseStatus(in, &st); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseLimits(b *testing.B) {
	in, err := os.ReadFile("testdata/proc-limits-6.18")
	if err != nil {
		b.Fatal(err)
	}
	var l rlimit.Limits
	b.ReportAllocs()
	for b.Loop() {
		if err := parseLimits(in, &l); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkScan lists every process and reads its stat (ps, top).
func BenchmarkScan(b *testing.B) {
	b.Run("impl=raw", func(b *testing.B) {
		b.ReportAllocs()
		buf := make([]byte, 4096)
		for b.Loop() {
			d, err := os.Open("/proc")
			if err != nil {
				b.Fatal(err)
			}
			names, err := d.Readdirnames(-1)
			d.Close()
			if err != nil {
				b.Fatal(err)
			}
			for _, n := range names {
				if n[0] < '1' || n[0] > '9' {
					continue
				}
				fd, err := syscall.Open("/proc/"+n+"/stat", syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
				if err != nil {
					continue
				}
				syscall.Read(fd, buf)
				syscall.Close(fd)
			}
		}
	})
	b.Run("impl=lx", func(b *testing.B) {
		b.ReportAllocs()
		var st Stat
		fs := Default()
		for b.Loop() {
			for p, err := range fs.Procs() {
				if err != nil {
					b.Fatal(err)
				}
				p.ReadStat(&st)
			}
		}
	})
}

// BenchmarkSampler re-reads the stat of every process: impl=raw opens,
// reads and closes each; impl=lx preads the files a Sampler keeps open and
// parses them.
func BenchmarkSampler(b *testing.B) {
	var pids []int
	for p, err := range Default().Procs() {
		if err == nil {
			pids = append(pids, p.PID())
		}
	}
	b.Run("impl=raw", func(b *testing.B) {
		b.ReportAllocs()
		buf := make([]byte, 4096)
		for b.Loop() {
			for _, pid := range pids {
				fd, err := syscall.Open("/proc/"+strconv.Itoa(pid)+"/stat", syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
				if err != nil {
					continue
				}
				syscall.Read(fd, buf)
				syscall.Close(fd)
			}
		}
	})
	b.Run("impl=lx", func(b *testing.B) {
		s := NewSampler(Default(), nil)
		defer s.Close()
		for _, pid := range pids {
			s.Add(pid)
		}
		b.ReportAllocs()
		for b.Loop() {
			for range s.Sample() {
			}
		}
	})
}

// pair runs one raw read and one lx read per iteration.
func pair(b *testing.B, name string, lx func(p Proc) error) {
	path := "/proc/" + strconv.Itoa(os.Getpid()) + "/" + name
	buf := make([]byte, 4096)
	p := Default().Self()
	var tr, tl time.Duration
	for b.Loop() {
		t0 := time.Now()
		fd, _ := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		syscall.Read(fd, buf)
		syscall.Close(fd)
		t1 := time.Now()
		if err := lx(p); err != nil {
			b.Fatal(err)
		}
		t2 := time.Now()
		tr += t1.Sub(t0)
		tl += t2.Sub(t1)
	}
	b.ReportMetric(float64(tr.Nanoseconds())/float64(b.N), "raw-ns")
	b.ReportMetric(float64(tl.Nanoseconds())/float64(b.N), "lx-ns")
	b.ReportMetric(float64(tl)/float64(tr), "ratio")
}

// BenchmarkPaired times the raw floor and lx's reader alternately in the
// same loop and reports both and their ratio (lx/raw), which is robust to
// the drift of a shared machine that separate sub-benchmarks suffer from.
func BenchmarkPaired(b *testing.B) {
	var st Stat
	var ss Status
	b.Run("stat", func(b *testing.B) { pair(b, "stat", func(p Proc) error { return p.ReadStat(&st) }) })
	b.Run("statm", func(b *testing.B) { pair(b, "statm", func(p Proc) error { _, err := p.Statm(); return err }) })
	b.Run("status", func(b *testing.B) { pair(b, "status", func(p Proc) error { return p.ReadStatus(&ss) }) })
	b.Run("limits", func(b *testing.B) { pair(b, "limits", func(p Proc) error { _, err := p.Limits(); return err }) })
}
