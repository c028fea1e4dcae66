package procfs

import (
	"bytes"
	"errors"
	"time"

	"github.com/lxgo/lx/internal/parse"
)

// CPUTime is the time CPUs spent in each mode, from a "cpu" line of
// /proc/stat. Guest and GuestNice are already included in User and Nice.
type CPUTime struct {
	User      time.Duration // normal processes in user mode
	Nice      time.Duration // niced processes in user mode
	System    time.Duration // kernel mode
	Idle      time.Duration // the idle task
	IOWait    time.Duration // idle while I/O was outstanding (unreliable, see proc(5))
	IRQ       time.Duration // servicing hardware interrupts
	SoftIRQ   time.Duration // servicing softirqs
	Steal     time.Duration // stolen by the hypervisor for other guests (2.6.11)
	Guest     time.Duration // running a virtual CPU for a guest (2.6.24)
	GuestNice time.Duration // running a niced guest (2.6.33)
}

// Busy returns the non-idle time: everything except Idle and IOWait, and
// without Guest and GuestNice, which User and Nice already count.
func (t CPUTime) Busy() time.Duration {
	return t.User + t.Nice + t.System + t.IRQ + t.SoftIRQ + t.Steal
}

// Total returns Busy plus Idle and IOWait: the wall time the CPUs were
// accounted for.
func (t CPUTime) Total() time.Duration { return t.Busy() + t.Idle + t.IOWait }

// CPUStat is one per-CPU line of /proc/stat.
type CPUStat struct {
	CPU int // the CPU number; offline CPUs have no line
	CPUTime
}

// KernelStat is /proc/stat (proc(5)): kernel and system statistics since
// boot. (The per-process /proc/PID/stat is Proc.Stat.)
type KernelStat struct {
	// Total is the "cpu" line: the sum over all CPUs.
	Total CPUTime
	// CPUs has one entry per online CPU ("cpuN" lines) in the kernel's
	// order. CPU numbers need not be contiguous.
	CPUs []CPUStat
	// Interrupts is the number of interrupts serviced since boot (the first
	// number of the "intr" line).
	Interrupts uint64
	// ContextSwitches is the number of context switches since boot ("ctxt").
	ContextSwitches uint64
	// BootTime is when the system booted ("btime"), truncated by the
	// kernel to whole seconds: up to one second early. It is wall-clock
	// time and moves when the clock is set. kernel.BootTime gives the same
	// instant to about a microsecond; use it for start times
	// (Stat.StartedAt).
	BootTime time.Time
	// Processes is the number of processes and threads created since boot
	// ("processes", i.e. forks and clones).
	Processes uint64
	// ProcsRunning is the number of runnable threads ("procs_running").
	ProcsRunning int
	// ProcsBlocked is the number of threads blocked waiting for I/O
	// ("procs_blocked").
	ProcsBlocked int
	// SoftIRQs is the number of softirqs serviced since boot (the first
	// number of the "softirq" line, 2.6.31).
	SoftIRQs uint64
}

// KernelStat reads /proc/stat. It allocates only the CPUs slice; use
// KernelStatInto to reuse one. Any user can read it. CPU times are
// converted from USER_HZ ticks (10ms).
func (fs FS) KernelStat() (KernelStat, error) {
	var st KernelStat
	err := fs.KernelStatInto(&st)
	return st, err
}

// KernelStatInto reads /proc/stat into st, reusing st.CPUs' capacity, so
// that a sampling loop allocates nothing in steady state. On error st is
// left partly filled.
func (fs FS) KernelStatInto(st *KernelStat) error {
	return readFSInto(fs, "stat", st, parseKernelStat)
}

var (
	errStatCPU   = errors.New("fewer than 4 columns")
	errNoCPULine = errors.New("no cpu line")
)

// parseKernelStat parses the contents of /proc/stat into st, reusing
// st.CPUs. Lines it does not know (per-IRQ counts of "intr", future keys)
// are ignored.
func parseKernelStat(b []byte, st *KernelStat) error {
	cpus := st.CPUs[:0]
	*st = KernelStat{}
	var seen bool
	for n := 1; len(b) > 0; n++ {
		var line []byte
		line, b = parse.Line(b)
		key, rest := parse.Field(line)
		var err error
		switch {
		case len(key) == 0:
			continue
		case bytes.HasPrefix(key, []byte("cpu")):
			if len(key) == 3 {
				err = parseCPUTime(rest, &st.Total)
				seen = true
				break
			}
			cpu, nerr := parse.Uint(key[3:])
			if nerr != nil {
				continue // not "cpuN": a key a future kernel may add
			}
			if cpu > 1<<31-1 {
				err = errRange("cpu number", key[3:])
				break
			}
			cpus = append(cpus, CPUStat{CPU: int(cpu)})
			err = parseCPUTime(rest, &cpus[len(cpus)-1].CPUTime)
		default:
			v, _ := parse.Field(rest)
			switch string(key) {
			case "intr":
				st.Interrupts, err = parse.Uint(v)
			case "ctxt":
				st.ContextSwitches, err = parse.Uint(v)
			case "btime":
				var s int64
				s, err = parse.Int(v)
				st.BootTime = time.Unix(s, 0)
			case "processes":
				st.Processes, err = parse.Uint(v)
			case "procs_running":
				st.ProcsRunning, err = parseCount(v)
			case "procs_blocked":
				st.ProcsBlocked, err = parseCount(v)
			case "softirq":
				st.SoftIRQs, err = parse.Uint(v)
			}
		}
		if err != nil {
			st.CPUs = cpus
			return parseErr(n, string(key), err)
		}
	}
	st.CPUs = cpus
	if !seen {
		return parseErr(0, "cpu", errNoCPULine)
	}
	return nil
}

// parseCPUTime parses the tick counts after "cpu" or "cpuN". Older kernels
// print fewer than ten columns; the missing ones stay zero.
func parseCPUTime(b []byte, t *CPUTime) error {
	fields := [...]*time.Duration{&t.User, &t.Nice, &t.System, &t.Idle, &t.IOWait,
		&t.IRQ, &t.SoftIRQ, &t.Steal, &t.Guest, &t.GuestNice}
	for i, p := range fields {
		f, rest := parse.Field(b)
		if len(f) == 0 {
			if i < 4 {
				return errStatCPU
			}
			return nil
		}
		b = rest
		v, err := parse.Uint(f)
		if err != nil {
			return err
		}
		if v > maxTicks {
			return errRange("ticks to time.Duration", f)
		}
		*p = time.Duration(v) * ClockTick
	}
	return nil
}
