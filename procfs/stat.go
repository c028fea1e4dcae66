package procfs

import (
	"bytes"
	"errors"
	"math"
	"math/bits"
	"os"
	"strconv"
	"syscall"
	"time"

	"github.com/lxgo/lx/internal/parse"
)

// ClockTick is the unit of the times in /proc/PID/stat and /proc/stat:
// USER_HZ, the "clock ticks" of sysconf(_SC_CLK_TCK). USER_HZ is fixed at
// 100 in the kernel's ABI on every architecture lx supports (amd64, 386,
// arm64, riscv64: include/asm-generic/param.h; it is independent of the
// kernel's internal HZ), so lx converts ticks to time.Duration without
// asking.
const ClockTick = 10 * time.Millisecond

// pageSize converts page counts to bytes. /proc counts pages of the
// kernel's page size, which is the process's.
var pageSize = uint64(os.Getpagesize())

// maxTicks is the largest count of clock ticks a time.Duration holds.
const maxTicks = math.MaxInt64 / uint64(ClockTick)

// State is a task's scheduling state: the letter in /proc/PID/stat and
// /proc/PID/status.
type State byte

// States, from fs/proc/array.c task_state_array (Linux 4.14+; older kernels
// also used K and W, and X/x for dead).
const (
	StateRunning     State = 'R' // running or runnable
	StateSleeping    State = 'S' // interruptible sleep
	StateDiskSleep   State = 'D' // uninterruptible sleep, usually I/O
	StateStopped     State = 'T' // stopped by a job-control signal
	StateTracingStop State = 't' // stopped by a debugger
	StateZombie      State = 'Z' // exited, not yet reaped
	StateDead        State = 'X' // being reaped (rarely seen)
	StateDeadX       State = 'x' // dead (Linux 2.6.33 to 3.13)
	StateWakeKill    State = 'K' // wakekill (Linux 2.6.33 to 3.13)
	StateWaking      State = 'W' // waking (2.6.33 to 3.13); paging before 2.6.0
	StateParked      State = 'P' // parked kernel thread (3.9 to 3.13)
	StateIdle        State = 'I' // idle kernel thread (4.14+)
)

// String returns the kernel's word for the state ("running", "sleeping",
// "disk sleep", ...), or "State(c)" for a letter lx does not know.
func (s State) String() string {
	switch s {
	case StateRunning:
		return "running"
	case StateSleeping:
		return "sleeping"
	case StateDiskSleep:
		return "disk sleep"
	case StateStopped:
		return "stopped"
	case StateTracingStop:
		return "tracing stop"
	case StateZombie:
		return "zombie"
	case StateDead, StateDeadX:
		return "dead"
	case StateWakeKill:
		return "wakekill"
	case StateWaking:
		return "waking"
	case StateParked:
		return "parked"
	case StateIdle:
		return "idle"
	}
	return "State(" + strconv.QuoteRune(rune(s)) + ")"
}

// TaskFlags is the per-task PF_* flag word (field 9 of /proc/PID/stat). The
// bits are kernel-internal, not ABI: they are listed here as Linux 6.18's
// include/linux/sched.h defines them, and have moved between releases.
type TaskFlags uint32

// PF_* task flags.
const (
	PFVCPU          TaskFlags = 0x00000001 // a virtual CPU
	PFIdle          TaskFlags = 0x00000002 // an idle thread
	PFExiting       TaskFlags = 0x00000004 // getting shut down
	PFPostCoredump  TaskFlags = 0x00000008 // coredumps should ignore this task
	PFIOWorker      TaskFlags = 0x00000010 // an io_uring worker
	PFWQWorker      TaskFlags = 0x00000020 // a workqueue worker
	PFForkNoExec    TaskFlags = 0x00000040 // forked but did not exec
	PFMCEProcess    TaskFlags = 0x00000080 // process policy on MCE errors
	PFSuperPriv     TaskFlags = 0x00000100 // used super-user privileges
	PFDumpCore      TaskFlags = 0x00000200 // dumped core
	PFSignaled      TaskFlags = 0x00000400 // killed by a signal
	PFMemalloc      TaskFlags = 0x00000800 // allocating memory to free memory
	PFNprocExceeded TaskFlags = 0x00001000 // set_user noticed RLIMIT_NPROC was exceeded
	PFUsedMath      TaskFlags = 0x00002000 // the FPU was used
	PFUserWorker    TaskFlags = 0x00004000 // kernel thread cloned from a user thread (6.4+)
	PFNoFreeze      TaskFlags = 0x00008000 // not to be frozen
	PFKcompactd     TaskFlags = 0x00010000 // kcompactd
	PFKswapd        TaskFlags = 0x00020000 // kswapd
	PFMemallocNoFS  TaskFlags = 0x00040000 // allocations inherit GFP_NOFS
	PFMemallocNoIO  TaskFlags = 0x00080000 // allocations inherit GFP_NOIO
	PFLocalThrottle TaskFlags = 0x00100000 // throttle writes only against its own bdi
	PFKthread       TaskFlags = 0x00200000 // a kernel thread
	PFRandomize     TaskFlags = 0x00400000 // randomized virtual address space
	PFNoSetAffinity TaskFlags = 0x04000000 // userland may not change its CPU mask
	PFMCEEarly      TaskFlags = 0x08000000 // early kill for MCE process policy
	PFMemallocPin   TaskFlags = 0x10000000 // allocations limited to pinnable zones
	PFBlockTS       TaskFlags = 0x20000000 // block plug has a timestamp to update
	PFSuspendTask   TaskFlags = 0x80000000 // called freeze_processes
)

var taskFlagNames = [32]string{
	"PF_VCPU", "PF_IDLE", "PF_EXITING", "PF_POSTCOREDUMP", "PF_IO_WORKER", "PF_WQ_WORKER",
	"PF_FORKNOEXEC", "PF_MCE_PROCESS", "PF_SUPERPRIV", "PF_DUMPCORE", "PF_SIGNALED", "PF_MEMALLOC",
	"PF_NPROC_EXCEEDED", "PF_USED_MATH", "PF_USER_WORKER", "PF_NOFREEZE", "PF_KCOMPACTD", "PF_KSWAPD",
	"PF_MEMALLOC_NOFS", "PF_MEMALLOC_NOIO", "PF_LOCAL_THROTTLE", "PF_KTHREAD", "PF_RANDOMIZE", "",
	"", "", "PF_NO_SETAFFINITY", "PF_MCE_EARLY", "PF_MEMALLOC_PIN", "PF_BLOCK_TS", "", "PF_SUSPEND_TASK",
}

// Has reports whether all of flags are set.
func (f TaskFlags) Has(flags TaskFlags) bool { return f&flags == flags }

// String lists the set flags, "PF_KTHREAD|PF_NOFREEZE"; bits without a name
// print in hex; no flags print "0".
func (f TaskFlags) String() string {
	if f == 0 {
		return "0"
	}
	var b []byte
	var unknown TaskFlags
	for i := range 32 {
		bit := TaskFlags(1) << i
		if f&bit == 0 {
			continue
		}
		if taskFlagNames[i] == "" {
			unknown |= bit
			continue
		}
		if len(b) > 0 {
			b = append(b, '|')
		}
		b = append(b, taskFlagNames[i]...)
	}
	if unknown != 0 {
		if len(b) > 0 {
			b = append(b, '|')
		}
		b = append(b, "0x"...)
		b = strconv.AppendUint(b, uint64(unknown), 16)
	}
	return string(b)
}

// SchedPolicy is a scheduling policy (SCHED_* in include/uapi/linux/sched.h),
// field 41 of /proc/PID/stat.
type SchedPolicy uint32

// Scheduling policies.
const (
	SchedOther    SchedPolicy = 0 // SCHED_OTHER (SCHED_NORMAL), the default
	SchedFIFO     SchedPolicy = 1
	SchedRR       SchedPolicy = 2
	SchedBatch    SchedPolicy = 3
	SchedIso      SchedPolicy = 4 // reserved, never implemented
	SchedIdle     SchedPolicy = 5
	SchedDeadline SchedPolicy = 6 // Linux 3.14+
	SchedExt      SchedPolicy = 7 // sched_ext BPF scheduler, Linux 6.12+
)

var schedPolicyNames = [...]string{"SCHED_OTHER", "SCHED_FIFO", "SCHED_RR", "SCHED_BATCH",
	"SCHED_ISO", "SCHED_IDLE", "SCHED_DEADLINE", "SCHED_EXT"}

// String returns the policy's kernel name, "SCHED_FIFO".
func (p SchedPolicy) String() string {
	if int(p) < len(schedPolicyNames) {
		return schedPolicyNames[p]
	}
	return "SchedPolicy(" + strconv.FormatUint(uint64(p), 10) + ")"
}

// Stat is /proc/PID/stat (or /proc/PID/task/TID/stat): the process status
// line ps(1) and top(1) read, all 52 fields, typed. Times are in
// time.Duration (converted from USER_HZ ticks, see ClockTick), sizes in
// bytes. Fields the kernel shows only to a reader with ptrace read access
// (PTRACE_MODE_READ: the same user, or CAP_SYS_PTRACE) are 0 otherwise:
// StartCode, EndCode, StartStack, KStkESP, KStkEIP, WChan, and StartData
// through ExitCode. Fields added after Linux 2.6.24 (StartData and later)
// are 0 on kernels that lack them.
type Stat struct {
	PID     int   // (1) process or thread id
	Comm    Comm  // (2) command name, raw bytes (may hold spaces, ')' and newlines)
	State   State // (3)
	PPID    int   // (4) parent's process id
	PGRP    int   // (5) process group id
	Session int   // (6) session id
	// TTY is the controlling terminal's device number (7); 0:0 means none.
	TTY   Dev
	TPGID int       // (8) foreground process group of the terminal, -1 if none
	Flags TaskFlags // (9) PF_* flags

	MinFlt  uint64 // (10) minor faults
	CMinFlt uint64 // (11) minor faults of waited-for children
	MajFlt  uint64 // (12) major faults
	CMajFlt uint64 // (13) major faults of waited-for children

	UTime  time.Duration // (14) user time (guest time included)
	STime  time.Duration // (15) system time
	CUTime time.Duration // (16) user time of waited-for children
	CSTime time.Duration // (17) system time of waited-for children

	// Priority (18) is the kernel's view: 0..39 (nice+20) for normal
	// policies, -2..-100 (-1-rt_priority) for real-time ones, -101 for
	// SCHED_DEADLINE.
	Priority    int
	Nice        int   // (19) -20..19
	NumThreads  int   // (20)
	ItRealValue int64 // (21) always 0 since Linux 2.6.17

	// StartTime (22) is when the process started, since boot; see
	// StartedAt for the wall-clock time.
	StartTime time.Duration
	VSize     uint64 // (23) virtual memory size, bytes
	RSS       uint64 // (24) resident set size, bytes (pages times the page size)
	// RSSLimit (25) is the soft RLIMIT_RSS in bytes, or Unlimited.
	RSSLimit LimitValue

	StartCode  uint64 // (26) address above which program text can run
	EndCode    uint64 // (27) address below which program text can run
	StartStack uint64 // (28) bottom (start) of the stack
	KStkESP    uint64 // (29) stack pointer, when the task is not running (else 0)
	KStkEIP    uint64 // (30) instruction pointer, likewise

	// Signal, Blocked, SigIgnore and SigCatch (31-34) are obsolete: only
	// signals 1-31. Use Status for the full masks.
	Signal    SignalSet
	Blocked   SignalSet
	SigIgnore SignalSet
	SigCatch  SignalSet

	// WChan (35) is 0 or 1 since Linux 4.4 (1 when sleeping in the kernel);
	// /proc/PID/wchan gives the symbol.
	WChan  uint64
	NSwap  uint64 // (36) always 0
	CNSwap uint64 // (37) always 0
	// ExitSignal (38) is sent to the parent when the task exits (SIGCHLD
	// for processes, -1 for threads).
	ExitSignal syscall.Signal
	Processor  int         // (39) CPU last run on
	RTPriority uint32      // (40) real-time priority, 0 for normal policies
	Policy     SchedPolicy // (41)

	DelayAcctBlkIO time.Duration // (42) aggregated block I/O delay
	GuestTime      time.Duration // (43) time spent running a virtual CPU
	CGuestTime     time.Duration // (44) guest time of waited-for children

	StartData uint64 // (45) start of the data+bss area (Linux 3.3+)
	EndData   uint64 // (46) end of data+bss
	StartBrk  uint64 // (47) start of the heap
	ArgStart  uint64 // (48) start of argv (Linux 3.5+)
	ArgEnd    uint64 // (49)
	EnvStart  uint64 // (50) start of the environment
	EnvEnd    uint64 // (51)
	// ExitCode (52) is the exit status in waitpid(2) form (Linux 3.5+);
	// meaningful for zombies.
	ExitCode syscall.WaitStatus
}

// StartedAt returns the wall-clock time the process started, given the
// time the system booted. Pass kernel.BootTime(), which is exact to about
// a microsecond, so that the result is exact to the 10 ms tick of
// StartTime; KernelStat.BootTime (the btime line of /proc/stat) is whole
// seconds and makes the result up to one second early. Passing the boot
// time in lets a loop over many processes read it once.
func (s *Stat) StartedAt(bootTime time.Time) time.Time { return bootTime.Add(s.StartTime) }

// CPUTime returns UTime + STime.
func (s *Stat) CPUTime() time.Duration { return s.UTime + s.STime }

// Stat reads /proc/PID/stat, or /proc/PID/task/TID/stat for a thread. For a
// process the times and fault counts cover all its threads. Any user may
// read it (some fields are 0 without ptrace access, see Stat). It allocates
// nothing in steady state. A value that does not fit its field (ticks
// beyond a time.Duration, pages whose bytes exceed a uint64, a negative
// time) is a *ParseError naming the field, never a wrapped value.
func (p Proc) Stat() (Stat, error) {
	var st Stat
	err := readInto(p, "stat", &st, parseStat)
	return st, err
}

// ReadStat is Stat writing into *st, for loops that keep one Stat.
func (p Proc) ReadStat(st *Stat) error {
	return readInto(p, "stat", st, parseStat)
}

var (
	errStatComm  = errors.New("no (comm) field")
	errStatShort = errors.New("missing")
	errNegative  = errors.New("negative")
)

// statMinFields is how many fields a stat line must have: up to cguest_time
// (44), present since Linux 2.6.24.
const statMinFields = 44

// statFieldNames are the names proc(5) gives the fields of
// /proc/PID/stat, by number (1-based): the Key of a *ParseError.
var statFieldNames = [...]string{"", "pid", "comm", "state", "ppid", "pgrp", "session", "tty_nr",
	"tpgid", "flags", "minflt", "cminflt", "majflt", "cmajflt", "utime", "stime", "cutime", "cstime",
	"priority", "nice", "num_threads", "itrealvalue", "starttime", "vsize", "rss", "rsslim",
	"startcode", "endcode", "startstack", "kstkesp", "kstkeip", "signal", "blocked", "sigignore",
	"sigcatch", "wchan", "nswap", "cnswap", "exit_signal", "processor", "rt_priority", "policy",
	"delayacct_blkio_ticks", "guest_time", "cguest_time", "start_data", "end_data", "start_brk",
	"arg_start", "arg_end", "env_start", "env_end", "exit_code"}

// statScanner walks the space-separated fields after the comm. The first
// error is kept; later fields read as zero.
type statScanner struct {
	b   []byte
	n   int // number of the field last returned
	f   []byte
	err error
}

// fail records err for the current field, unless an error came first.
func (s *statScanner) fail(err error) {
	if s.err == nil {
		key := "field " + strconv.Itoa(s.n)
		if s.n < len(statFieldNames) {
			key = statFieldNames[s.n]
		}
		s.err = parseErr(0, key, err)
	}
}

func (s *statScanner) next() ([]byte, bool) {
	s.n++
	i := 0
	for i < len(s.b) && s.b[i] == ' ' {
		i++
	}
	j := i
	for j < len(s.b) && s.b[j] != ' ' {
		j++
	}
	f := s.b[i:j]
	s.b = s.b[j:]
	s.f = f
	if len(f) == 0 {
		if s.n <= statMinFields {
			s.fail(errStatShort)
		}
		return nil, false
	}
	return f, true
}

func (s *statScanner) uint() uint64 {
	// Fast path: one pass over a field of at most 19 digits ended by a
	// space or the end of the line (the kernel's format); anything else
	// goes through next and parse.Uint, which also reports errors.
	b := s.b
	i := 0
	for i < len(b) && b[i] == ' ' {
		i++
	}
	var n uint64
	j := i
	for ; j < len(b) && j-i < 19; j++ {
		c := b[j] - '0'
		if c > 9 {
			break
		}
		n = n*10 + uint64(c)
	}
	if j > i && (j == len(b) || b[j] == ' ') {
		s.n++
		s.f = b[i:j]
		s.b = b[j:]
		return n
	}
	f, ok := s.next()
	if !ok {
		return 0
	}
	v, err := parse.Uint(f)
	if err != nil {
		s.fail(err)
		return 0
	}
	return v
}

func (s *statScanner) int() int64 {
	b := s.b
	i := 0
	for i < len(b) && b[i] == ' ' {
		i++
	}
	neg := i < len(b) && b[i] == '-'
	start := i
	if neg {
		start++
	}
	var n int64
	j := start
	for ; j < len(b) && j-start < 18; j++ {
		c := b[j] - '0'
		if c > 9 {
			break
		}
		n = n*10 + int64(c)
	}
	if j > start && (j == len(b) || b[j] == ' ') {
		s.n++
		s.f = b[i:j]
		s.b = b[j:]
		if neg {
			return -n
		}
		return n
	}
	f, ok := s.next()
	if !ok {
		return 0
	}
	v, err := parse.Int(f)
	if err != nil {
		s.fail(err)
		return 0
	}
	return v
}

// int32 reads a field the kernel prints from a C int (pid_t, int).
func (s *statScanner) int32() int {
	v := s.int()
	if v < -1<<31 || v > 1<<31-1 {
		s.fail(errRange("int32", s.f))
		return 0
	}
	return int(v)
}

// uint32 reads a field the kernel prints from a C unsigned int.
func (s *statScanner) uint32() uint32 {
	v := s.uint()
	if v > 1<<32-1 {
		s.fail(errRange("uint32", s.f))
		return 0
	}
	return uint32(v)
}

// ticks reads a count of clock ticks as a Duration.
func (s *statScanner) ticks() time.Duration {
	v := s.uint()
	if v > maxTicks {
		s.fail(errRange("ticks to time.Duration", s.f))
		return 0
	}
	return time.Duration(v) * ClockTick
}

// sticks is ticks for the fields the kernel prints signed (from an
// unsigned value: a negative one is an error, not a time).
func (s *statScanner) sticks() time.Duration {
	v := s.int()
	if v < 0 {
		s.fail(errNegative)
		return 0
	}
	if uint64(v) > maxTicks {
		s.fail(errRange("ticks to time.Duration", s.f))
		return 0
	}
	return time.Duration(v) * ClockTick
}

// pages reads a page count as bytes.
func (s *statScanner) pages() uint64 {
	v := s.uint()
	hi, lo := bits.Mul64(v, pageSize)
	if hi != 0 {
		s.fail(errRange("pages to bytes", s.f))
		return 0
	}
	return lo
}

// parseStat parses a stat line into st. The comm runs from the first '('
// to the LAST ')': a name may contain ')' itself, and spaces and newlines.
func parseStat(b []byte, st *Stat) error {
	open := bytes.IndexByte(b, '(')
	if open < 0 {
		return parseErr(0, "comm", errStatComm)
	}
	// The last ')': found with forward (vectorized) searches, since the
	// name is near the start of a line of numbers.
	end := bytes.IndexByte(b[open:], ')')
	if end < 0 {
		return parseErr(0, "comm", errStatComm)
	}
	end += open
	for {
		i := bytes.IndexByte(b[end+1:], ')')
		if i < 0 {
			break
		}
		end += 1 + i
	}
	pid, err := parse.Int(parse.Trim(b[:open]))
	if err == nil && (pid < 1 || pid > 1<<31-1) {
		err = errRange("pid", parse.Trim(b[:open]))
	}
	if err != nil {
		return parseErr(0, "pid", err)
	}
	*st = Stat{PID: int(pid)}
	st.Comm.set(b[open+1 : end])
	rest := b[end+1:]
	if n := len(rest); n > 0 && rest[n-1] == '\n' {
		rest = rest[:n-1]
	}
	s := statScanner{b: rest, n: 2}
	if f, ok := s.next(); ok {
		if len(f) != 1 {
			s.fail(errors.New("bad state " + strconv.Quote(string(f))))
		}
		st.State = State(f[0])
	}
	st.PPID = s.int32()
	st.PGRP = s.int32()
	st.Session = s.int32()
	st.TTY = decodeDev(uint32(s.int32()))
	st.TPGID = s.int32()
	st.Flags = TaskFlags(s.uint32())
	st.MinFlt = s.uint()
	st.CMinFlt = s.uint()
	st.MajFlt = s.uint()
	st.CMajFlt = s.uint()
	st.UTime = s.ticks()
	st.STime = s.ticks()
	st.CUTime = s.sticks()
	st.CSTime = s.sticks()
	st.Priority = s.int32()
	st.Nice = s.int32()
	st.NumThreads = s.int32()
	st.ItRealValue = s.int()
	st.StartTime = s.ticks()
	st.VSize = s.uint()
	st.RSS = s.pages()
	st.RSSLimit = rlimValue(s.uint())
	st.StartCode = s.uint()
	st.EndCode = s.uint()
	st.StartStack = s.uint()
	st.KStkESP = s.uint()
	st.KStkEIP = s.uint()
	st.Signal = SignalSet(s.uint())
	st.Blocked = SignalSet(s.uint())
	st.SigIgnore = SignalSet(s.uint())
	st.SigCatch = SignalSet(s.uint())
	st.WChan = s.uint()
	st.NSwap = s.uint()
	st.CNSwap = s.uint()
	st.ExitSignal = syscall.Signal(s.int32())
	st.Processor = s.int32()
	st.RTPriority = s.uint32()
	st.Policy = SchedPolicy(s.uint32())
	st.DelayAcctBlkIO = s.ticks()
	st.GuestTime = s.ticks()
	st.CGuestTime = s.sticks()
	st.StartData = s.uint()
	st.EndData = s.uint()
	st.StartBrk = s.uint()
	st.ArgStart = s.uint()
	st.ArgEnd = s.uint()
	st.EnvStart = s.uint()
	st.EnvEnd = s.uint()
	st.ExitCode = syscall.WaitStatus(uint32(s.int32()))
	return s.err
}

// decodeDev splits a dev_t in the kernel's "new" 32-bit encoding
// (new_encode_dev: minor's low 8 bits, then 12 bits of major, then the
// rest of the minor).
func decodeDev(d uint32) Dev {
	return Dev{Major: d >> 8 & 0xfff, Minor: d&0xff | d>>12&0xfff00}
}
