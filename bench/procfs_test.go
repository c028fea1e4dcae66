package bench

import (
	"strconv"
	"syscall"
	"testing"

	lxprocfs "github.com/lxgo/lx/procfs"
	promprocfs "github.com/prometheus/procfs"
	"github.com/shirou/gopsutil/v4/process"
)

// The per-process benchmarks compare reading one /proc/PID file of a
// fixture process (a `sleep` child of fixed shape; see fixture):
//
//   - impl=raw is the floor: openat of a path prepared once, ONE read(2)
//     into a reused buffer, close, no parsing (a single read returns the
//     whole of these files), no allocation;
//   - impl=lx is lx's typed reader (zero allocations: pooled buffer,
//     fixed-size Comm, reused Status slices);
//   - impl=procfs is prometheus/procfs, impl=gopsutil gopsutil v4 (the
//     call that reads the same file).
//
// Each implementation's answer on the same fixture is compared first, in
// agree_test.go. Reproduce with
// ./run 'ProcStat$|ProcStatm|ProcStatus|ProcLimits|ProcScan|ProcSampler'.

// benchRaw is the open+read+close floor for one file.
func benchRaw(b *testing.B, path string) {
	f := newRawFile(path)
	buf := make([]byte, 4096)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.readOnce(buf); err != nil {
			b.Fatal(err)
		}
	}
}

func lxProc(tb testing.TB, pid int) lxprocfs.Proc {
	p, err := lxprocfs.Default().Proc(pid)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

func promProc(tb testing.TB, pid int) promprocfs.Proc {
	fs, err := promprocfs.NewDefaultFS()
	if err != nil {
		tb.Fatal(err)
	}
	p, err := fs.Proc(pid)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

func gopsProc(tb testing.TB, pid int) *process.Process {
	p, err := process.NewProcess(int32(pid))
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

func BenchmarkProcStat(b *testing.B) {
	pid := fixture(b)
	b.Run("impl=raw", func(b *testing.B) { benchRaw(b, procPath(pid, "stat")) })
	b.Run("impl=lx", func(b *testing.B) {
		p := lxProc(b, pid)
		var st lxprocfs.Stat
		b.ReportAllocs()
		for b.Loop() {
			if err := p.ReadStat(&st); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=procfs", func(b *testing.B) {
		p := promProc(b, pid)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := p.Stat(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=gopsutil", func(b *testing.B) {
		p := gopsProc(b, pid)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := p.Times(); err != nil { // parses /proc/PID/stat
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkProcStatm(b *testing.B) {
	pid := fixture(b)
	b.Run("impl=raw", func(b *testing.B) { benchRaw(b, procPath(pid, "statm")) })
	b.Run("impl=lx", func(b *testing.B) {
		p := lxProc(b, pid)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := p.Statm(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=procfs", func(b *testing.B) {
		p := promProc(b, pid)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := p.Statm(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=gopsutil", func(b *testing.B) {
		p := gopsProc(b, pid)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := p.MemoryInfo(); err != nil { // parses /proc/PID/statm
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkProcStatus(b *testing.B) {
	pid := fixture(b)
	b.Run("impl=raw", func(b *testing.B) { benchRaw(b, procPath(pid, "status")) })
	b.Run("impl=lx", func(b *testing.B) {
		p := lxProc(b, pid)
		var st lxprocfs.Status
		b.ReportAllocs()
		for b.Loop() {
			if err := p.ReadStatus(&st); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=procfs", func(b *testing.B) {
		p := promProc(b, pid)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := p.NewStatus(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=gopsutil", func(b *testing.B) {
		p := gopsProc(b, pid)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := p.Uids(); err != nil { // parses /proc/PID/status
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkProcLimits(b *testing.B) {
	pid := fixture(b)
	b.Run("impl=raw", func(b *testing.B) { benchRaw(b, procPath(pid, "limits")) })
	b.Run("impl=lx", func(b *testing.B) {
		p := lxProc(b, pid)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := p.Limits(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=procfs", func(b *testing.B) {
		p := promProc(b, pid)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := p.Limits(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=gopsutil", func(b *testing.B) {
		p := gopsProc(b, pid)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := p.Rlimit(); err != nil { // parses /proc/PID/limits
				b.Fatal(err)
			}
		}
	})
}

// scanSizes are the process-table sizes of BenchmarkProcScan. A size
// below the number of processes the machine already has is skipped (run
// the benchmarks in a private PID namespace, as ./run does as root, to get
// all of them).
var scanSizes = []int{100, 300, 1000}

// rawScan lists /proc with getdents64 into a reused buffer and opens
// (openat relative to the /proc directory, name built in a reused buffer),
// reads and closes each stat, without parsing: the floor of a scan. It
// returns the number of processes read.
func rawScan(tb testing.TB, dirbuf, buf, path []byte) int {
	d, err := syscall.Open("/proc", syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
	if err != nil {
		tb.Fatal(err)
	}
	defer syscall.Close(d)
	procs := 0
	for {
		n, err := syscall.ReadDirent(d, dirbuf)
		if err != nil {
			tb.Fatal(err)
		}
		if n == 0 {
			return procs
		}
		for rec := dirbuf[:n]; len(rec) >= 19; {
			reclen := int(rec[16]) | int(rec[17])<<8
			name := rec[19:reclen]
			rec = rec[reclen:]
			if name[0] < '1' || name[0] > '9' {
				continue
			}
			path = path[:0]
			for _, c := range name {
				if c == 0 {
					break
				}
				path = append(path, c)
			}
			path = append(path, "/stat\x00"...)
			fd, err := openatZ(d, path)
			if err != nil {
				continue // exited
			}
			syscall.Read(fd, buf)
			syscall.Close(fd)
			procs++
		}
	}
}

// BenchmarkProcScan lists every process and reads its stat, the core of
// ps and top, at several process-table sizes (procs=N: sleepers are
// added up to N processes and removed afterwards). ns/op is the whole
// scan; "ns/proc" divides it by the processes read. impl=gopsutil has its
// boot-time cache enabled (process.EnableBootTimeCache), as monitoring
// programs configure it; without it each process costs a read of
// /proc/stat more.
func BenchmarkProcScan(b *testing.B) {
	s := newSleepers(b)
	for _, n := range scanSizes {
		b.Run("procs="+strconv.Itoa(n), func(b *testing.B) {
			if !ensureProcs(b, s, n, true) {
				b.Skipf("the machine has more than %d processes", n)
			}
			perProc := func(b *testing.B, procs int) {
				if procs > 0 {
					b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(procs), "ns/proc")
				}
			}
			b.Run("impl=raw", func(b *testing.B) {
				dirbuf, buf, path := make([]byte, 8192), make([]byte, 4096), make([]byte, 0, 64)
				procs := 0
				b.ReportAllocs()
				for b.Loop() {
					procs = rawScan(b, dirbuf, buf, path)
				}
				perProc(b, procs)
			})
			b.Run("impl=lx", func(b *testing.B) {
				fs := lxprocfs.Default()
				var st lxprocfs.Stat
				procs := 0
				b.ReportAllocs()
				for b.Loop() {
					procs = 0
					for p, err := range fs.Procs() {
						if err != nil {
							b.Fatal(err)
						}
						if p.ReadStat(&st) == nil { // else: exited since the listing
							procs++
						}
					}
				}
				perProc(b, procs)
			})
			b.Run("impl=procfs", func(b *testing.B) {
				fs, err := promprocfs.NewDefaultFS()
				if err != nil {
					b.Fatal(err)
				}
				procs := 0
				b.ReportAllocs()
				for b.Loop() {
					all, err := fs.AllProcs()
					if err != nil {
						b.Fatal(err)
					}
					procs = 0
					for _, p := range all {
						if _, err := p.Stat(); err == nil {
							procs++
						}
					}
				}
				perProc(b, procs)
			})
			b.Run("impl=gopsutil", func(b *testing.B) {
				process.EnableBootTimeCache(true)
				defer process.EnableBootTimeCache(false)
				procs := 0
				b.ReportAllocs()
				for b.Loop() {
					all, err := process.Processes()
					if err != nil {
						b.Fatal(err)
					}
					procs = 0
					for _, p := range all {
						if _, err := p.Times(); err == nil {
							procs++
						}
					}
				}
				perProc(b, procs)
			})
		})
	}
}

// samplerPIDs makes the table hold at least 300 processes and returns
// their pids.
func samplerPIDs(b *testing.B) []int {
	ensureProcs(b, newSleepers(b), 300, false)
	var pids []int
	for p, err := range lxprocfs.Default().Procs() {
		if err == nil {
			pids = append(pids, p.PID())
		}
	}
	return pids
}

// BenchmarkProcSampler re-reads the stat of every process (at least 300):
// impl=raw opens, reads and closes each /proc/PID/stat; impl=lx keeps them
// open in a procfs.Sampler and re-reads each with one pread(2), parsing
// included.
func BenchmarkProcSampler(b *testing.B) {
	pids := samplerPIDs(b)
	b.Run("impl=raw", func(b *testing.B) {
		files := make([]rawFile, len(pids))
		for i, pid := range pids {
			files[i] = newRawFile(procPath(pid, "stat"))
		}
		buf := make([]byte, 4096)
		b.ReportAllocs()
		for b.Loop() {
			for _, f := range files {
				f.readOnce(buf) // an error: exited
			}
		}
	})
	b.Run("impl=lx", func(b *testing.B) {
		s := lxprocfs.NewSampler(lxprocfs.Default(), nil)
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
