package bench

import (
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"

	lxprocfs "github.com/lxgo/lx/procfs"
	promprocfs "github.com/prometheus/procfs"
	"github.com/shirou/gopsutil/v4/process"
)

// The per-process benchmarks compare reading one /proc/PID file of the
// benchmark process:
//
//   - impl=raw is the floor: open, ONE read(2) into a reused buffer, close,
//     no parsing (a single read returns the whole of these files);
//   - impl=lx is lx's typed reader (zero allocations: pooled buffer,
//     fixed-size Comm, reused Status slices);
//   - impl=procfs is prometheus/procfs, impl=gopsutil gopsutil v4 (the
//     call that reads the same file).
//
// Reproduce with ./run 'ProcStat$|ProcStatm|ProcStatus|ProcLimits|ProcScan|ProcSampler'
// (interleaved runs, benchstat -col /impl).

// rawFile is the open+read+close floor.
func rawFile(b *testing.B, path string) {
	buf := make([]byte, 4096)
	b.ReportAllocs()
	for b.Loop() {
		fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := syscall.Read(fd, buf); err != nil {
			b.Fatal(err)
		}
		syscall.Close(fd)
	}
}

func selfPath(name string) string { return "/proc/" + strconv.Itoa(os.Getpid()) + "/" + name }

func promSelf(b *testing.B) promprocfs.Proc {
	fs, err := promprocfs.NewDefaultFS()
	if err != nil {
		b.Fatal(err)
	}
	p, err := fs.Proc(os.Getpid())
	if err != nil {
		b.Fatal(err)
	}
	return p
}

func gopsSelf(b *testing.B) *process.Process {
	p, err := process.NewProcess(int32(os.Getpid()))
	if err != nil {
		b.Fatal(err)
	}
	return p
}

func BenchmarkProcStat(b *testing.B) {
	b.Run("impl=raw", func(b *testing.B) { rawFile(b, selfPath("stat")) })
	b.Run("impl=lx", func(b *testing.B) {
		p := lxprocfs.Default().Self()
		var st lxprocfs.Stat
		b.ReportAllocs()
		for b.Loop() {
			if err := p.ReadStat(&st); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=procfs", func(b *testing.B) {
		p := promSelf(b)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := p.Stat(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=gopsutil", func(b *testing.B) {
		p := gopsSelf(b)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := p.Times(); err != nil { // parses /proc/PID/stat
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkProcStatm(b *testing.B) {
	b.Run("impl=raw", func(b *testing.B) { rawFile(b, selfPath("statm")) })
	b.Run("impl=lx", func(b *testing.B) {
		p := lxprocfs.Default().Self()
		b.ReportAllocs()
		for b.Loop() {
			if _, err := p.Statm(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=procfs", func(b *testing.B) {
		p := promSelf(b)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := p.Statm(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=gopsutil", func(b *testing.B) {
		p := gopsSelf(b)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := p.MemoryInfo(); err != nil { // parses /proc/PID/statm
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkProcStatus(b *testing.B) {
	b.Run("impl=raw", func(b *testing.B) { rawFile(b, selfPath("status")) })
	b.Run("impl=lx", func(b *testing.B) {
		p := lxprocfs.Default().Self()
		var st lxprocfs.Status
		b.ReportAllocs()
		for b.Loop() {
			if err := p.ReadStatus(&st); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=procfs", func(b *testing.B) {
		p := promSelf(b)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := p.NewStatus(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=gopsutil", func(b *testing.B) {
		p := gopsSelf(b)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := p.Uids(); err != nil { // parses /proc/PID/status
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkProcLimits(b *testing.B) {
	b.Run("impl=raw", func(b *testing.B) { rawFile(b, selfPath("limits")) })
	b.Run("impl=lx", func(b *testing.B) {
		p := lxprocfs.Default().Self()
		b.ReportAllocs()
		for b.Loop() {
			if _, err := p.Limits(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=procfs", func(b *testing.B) {
		p := promSelf(b)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := p.Limits(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=gopsutil", func(b *testing.B) {
		p := gopsSelf(b)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := p.Rlimit(); err != nil { // parses /proc/PID/limits
				b.Fatal(err)
			}
		}
	})
}

// ensureProcs starts `sleep` children until the machine has at least n
// processes, so that the scans measure a realistic process table; they
// are killed when the benchmark ends.
func ensureProcs(b *testing.B, n int) {
	count := func() int {
		d, err := os.Open("/proc")
		if err != nil {
			b.Fatal(err)
		}
		defer d.Close()
		names, _ := d.Readdirnames(-1)
		c := 0
		for _, s := range names {
			if _, err := strconv.Atoi(s); err == nil {
				c++
			}
		}
		return c
	}
	var cmds []*exec.Cmd
	b.Cleanup(func() {
		for _, c := range cmds {
			c.Process.Kill()
			c.Wait()
		}
	})
	for missing := n - count(); missing > 0; missing-- {
		c := exec.Command("sleep", "3600")
		c.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		if err := c.Start(); err != nil {
			b.Fatal(err)
		}
		cmds = append(cmds, c)
	}
}

// BenchmarkProcScan lists every process and reads its stat, the core of
// ps and top. impl=raw lists /proc with getdents64 into a reused buffer
// and opens, reads and closes each stat without parsing.
func BenchmarkProcScan(b *testing.B) {
	ensureProcs(b, 300)
	b.Run("impl=raw", func(b *testing.B) {
		dirbuf := make([]byte, 8192)
		buf := make([]byte, 4096)
		path := make([]byte, 0, 64)
		b.ReportAllocs()
		for b.Loop() {
			d, err := syscall.Open("/proc", syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
			if err != nil {
				b.Fatal(err)
			}
			for {
				n, err := syscall.ReadDirent(d, dirbuf)
				if err != nil {
					b.Fatal(err)
				}
				if n == 0 {
					break
				}
				for rec := dirbuf[:n]; len(rec) >= 19; {
					reclen := int(rec[16]) | int(rec[17])<<8
					name := rec[19:reclen]
					rec = rec[reclen:]
					if name[0] < '1' || name[0] > '9' {
						continue
					}
					path = append(path[:0], "/proc/"...)
					for _, c := range name {
						if c == 0 {
							break
						}
						path = append(path, c)
					}
					path = append(path, "/stat"...)
					fd, err := syscall.Open(string(path), syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
					if err != nil {
						continue // exited
					}
					syscall.Read(fd, buf)
					syscall.Close(fd)
				}
			}
			syscall.Close(d)
		}
	})
	b.Run("impl=lx", func(b *testing.B) {
		fs := lxprocfs.Default()
		var st lxprocfs.Stat
		b.ReportAllocs()
		for b.Loop() {
			for p, err := range fs.Procs() {
				if err != nil {
					b.Fatal(err)
				}
				p.ReadStat(&st) // errors: exited since the listing
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
			procs, err := fs.AllProcs()
			if err != nil {
				b.Fatal(err)
			}
			for _, p := range procs {
				p.Stat()
			}
		}
	})
	b.Run("impl=gopsutil", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			procs, err := process.Processes()
			if err != nil {
				b.Fatal(err)
			}
			for _, p := range procs {
				p.Times()
			}
		}
	})
}

// BenchmarkProcSampler re-reads the stat of every process (~300): impl=raw
// opens, reads and closes each /proc/PID/stat; impl=lx keeps them open in
// a procfs.Sampler and re-reads each with one pread(2), parsing included.
func BenchmarkProcSampler(b *testing.B) {
	ensureProcs(b, 300)
	var pids []int
	for p, err := range lxprocfs.Default().Procs() {
		if err == nil {
			pids = append(pids, p.PID())
		}
	}
	b.Run("impl=raw", func(b *testing.B) {
		paths := make([]string, len(pids))
		for i, pid := range pids {
			paths[i] = "/proc/" + strconv.Itoa(pid) + "/stat"
		}
		buf := make([]byte, 4096)
		b.ReportAllocs()
		for b.Loop() {
			for _, path := range paths {
				fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
				if err != nil {
					continue
				}
				syscall.Read(fd, buf)
				syscall.Close(fd)
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
