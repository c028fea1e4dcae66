package procfs

import (
	"os"
	"strconv"
	"testing"

	"github.com/lxgo/lx/rlimit"
)

// These benchmarks compare lx's readers with the floor of reading the same
// file of a fixture process (impl=raw: rawFile, open, one read, close, no
// parsing); BenchmarkPaired (bench_paired_test.go) times the two in one
// loop, which is more robust on a shared machine. The comparison with
// prometheus/procfs and gopsutil is in the bench module
// (bench/procfs_test.go). Compare with benchstat -col /impl.

func benchFiles(b *testing.B, name string, lx func(p Proc) error) {
	pid := benchFixture(b)
	b.Run("impl=raw", func(b *testing.B) {
		f := newRawFile("/proc/" + strconv.Itoa(pid) + "/" + name)
		buf := make([]byte, 4096)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := f.readOnce(buf); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=lx", func(b *testing.B) {
		p := mustProc(b, Default(), pid)
		b.ReportAllocs()
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
		dirbuf, buf, path := make([]byte, 8192), make([]byte, 4096), make([]byte, 0, 64)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := rawScan(dirbuf, buf, path); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=lx", func(b *testing.B) {
		var st Stat
		fs := Default()
		b.ReportAllocs()
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
	var files []rawFile
	s := NewSampler(Default(), nil)
	defer s.Close()
	for p, err := range Default().Procs() {
		if err == nil && s.Add(p.PID()) == nil {
			files = append(files, newRawFile(p.Dir()+"/stat"))
		}
	}
	b.Run("impl=raw", func(b *testing.B) {
		buf := make([]byte, 4096)
		b.ReportAllocs()
		for b.Loop() {
			for _, f := range files {
				f.readOnce(buf) // an error: exited
			}
		}
	})
	b.Run("impl=lx", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for range s.Sample() {
			}
		}
	})
}
