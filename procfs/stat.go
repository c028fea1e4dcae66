package procfs

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"math/bits"
	"os"
	"runtime"
	"strconv"
	"syscall"
	"time"

	"github.com/lxgo/lx/internal/parse"
	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/rlimit"
	"github.com/lxgo/lx/sched"
	"github.com/lxgo/lx/signal"
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
	// RSSLimit (25) is the soft RLIMIT_RSS in bytes, or rlimit.Unlimited.
	RSSLimit rlimit.Value

	StartCode  uint64 // (26) address above which program text can run
	EndCode    uint64 // (27) address below which program text can run
	StartStack uint64 // (28) bottom (start) of the stack
	KStkESP    uint64 // (29) stack pointer, when the task is not running (else 0)
	KStkEIP    uint64 // (30) instruction pointer, likewise

	// Signal, Blocked, SigIgnore and SigCatch (31-34) are obsolete: only
	// signals 1-31. Use Status for the full masks.
	Signal    signal.Set
	Blocked   signal.Set
	SigIgnore signal.Set
	SigCatch  signal.Set

	// WChan (35) is 0 or 1 since Linux 4.4 (1 when sleeping in the kernel);
	// /proc/PID/wchan gives the symbol.
	WChan  uint64
	NSwap  uint64 // (36) always 0
	CNSwap uint64 // (37) always 0
	// ExitSignal (38) is sent to the parent when the task exits (SIGCHLD
	// for processes, -1 for threads).
	ExitSignal signal.Signal
	Processor  int          // (39) CPU last run on
	RTPriority uint32       // (40) real-time priority, 0 for normal policies
	Policy     sched.Policy // (41), without the ResetOnFork flag (task->policy never holds it)

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
	err := p.ReadStat(&st)
	return st, err
}

// ReadStat is Stat writing into *st, for loops that keep one Stat.
func (p Proc) ReadStat(st *Stat) error {
	// A process's stat line is about 300 bytes; up to 52 fields of 20
	// digits take a pooled buffer.
	var small [512]byte
	var b []byte
	var bp *[]byte
	var err error
	if p.dir == nil && p.pid > 0 {
		// readSmall's common case, made here: a call level less is 1% of
		// the read (BenchmarkPaired stat).
		var path [64]byte
		var fd, n int
		fd, n, err = sys.ReadOnceZ(p.fs.conf().at, p.appendPathZ(path[:0], "stat"), 0, small[:])
		runtime.KeepAlive(p.fs.c) // see keepAlive; p.dir is nil
		if err != nil {
			return p.ioError("stat", err)
		}
		if b = small[:n]; fd >= 0 {
			b, bp, err = p.readRest("stat", b, fd)
		}
	} else {
		b, bp, err = p.readSmall("stat", small[:])
	}
	if err != nil {
		return err
	}
	err = parseStat(b, st)
	if bp != nil {
		putBuf(bp)
	}
	if err != nil {
		return withPath(p.path("stat"), err)
	}
	return nil
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
	if parseStatKernel(b, st) {
		return nil
	}
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
	rest := b[end+1:]
	if n := len(rest); n > 0 && rest[n-1] == '\n' {
		rest = rest[:n-1]
	}
	if _, ok := parseStatFast(rest, st); ok {
		st.PID = int(pid)
		st.Comm.set(b[open+1 : end])
		return nil
	}
	*st = Stat{PID: int(pid)}
	st.Comm.set(b[open+1 : end])
	// A copy: the scanner's fields would make b escape, and ReadStat
	// reads into a buffer on its stack. Only a line that is not in the
	// kernel's form (or an error) comes here.
	return parseStatFields(bytes.Clone(rest), st)
}

// parseStatKernel parses a line in the kernel's form, "PID (COMM) S 1 2
// ...", where the comm holds no ')' and the fields are parseStatFast's,
// and reports whether it did. It is parseStat's common case without the
// searches: the pid is read in place, and the comm ends at its first ')'.
// That is the line's last ')', the one parseStat's searches find, when
// parseStatFast has read every byte after it as a state and numbers, or
// leaves a tail that holds no ')'. (A name holding ')' makes the fast
// path fail on the bytes after its first ')', or leaves one there, and
// parseStat's searches take the line.)
func parseStatKernel(b []byte, st *Stat) bool {
	// The pid: 1 to 10 digits without a leading zero, then " (".
	pid, i := uint64(0), 0
	for ; i < len(b) && i < 10 && b[i]-'0' <= 9; i++ {
		pid = pid*10 + uint64(b[i]-'0')
	}
	if i == 0 || b[0] == '0' || pid > 1<<31-1 || len(b)-i < 2 || b[i] != ' ' || b[i+1] != '(' {
		return false
	}
	open := i + 2
	end := bytes.IndexByte(b[open:], ')')
	if end < 0 {
		return false
	}
	end += open
	rest := b[end+1:]
	if n := len(rest); n > 0 && rest[n-1] == '\n' {
		rest = rest[:n-1]
	}
	// A state of ')' would be the last ')'.
	if len(rest) > 1 && rest[1] == ')' {
		return false
	}
	// On a false return st may be written; parseStat then writes it
	// anew.
	n, ok := parseStatFast(rest, st)
	if !ok || n < len(rest) && bytes.IndexByte(rest[n:], ')') >= 0 {
		return false
	}
	st.PID = int(pid)
	st.Comm.set(b[open:end])
	return true
}

// parseStatFields parses the fields after the comm, " S 1 2 ...", into st
// with a statScanner: the general path of parseStat, which accepts what
// the fast path does not (several spaces, a '+' sign) and reports errors.
func parseStatFields(rest []byte, st *Stat) error {
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
	// rsslim is the raw rlim_cur, an unsigned long: RLIM_INFINITY is
	// 2^64-1 from a 64-bit kernel (rlimit.Unlimited) and 2^32-1 from a
	// 32-bit one, which only a 32-bit program meets. Such a program on a
	// 64-bit kernel would read a finite soft limit of exactly 2^32-1 as
	// unlimited too; RLIMIT_RSS is not enforced, and /proc/PID/limits
	// (Proc.Limits) says "unlimited" in words.
	if v := s.uint(); v == uint64(^uint(0)) {
		st.RSSLimit = rlimit.Unlimited
	} else {
		st.RSSLimit = rlimit.Value(v)
	}
	st.StartCode = s.uint()
	st.EndCode = s.uint()
	st.StartStack = s.uint()
	st.KStkESP = s.uint()
	st.KStkEIP = s.uint()
	st.Signal = signal.Set(s.uint())
	st.Blocked = signal.Set(s.uint())
	st.SigIgnore = signal.Set(s.uint())
	st.SigCatch = signal.Set(s.uint())
	st.WChan = s.uint()
	st.NSwap = s.uint()
	st.CNSwap = s.uint()
	st.ExitSignal = signal.Signal(s.int32())
	st.Processor = s.int32()
	st.RTPriority = s.uint32()
	st.Policy = sched.Policy(s.uint32())
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

// statNums is the number of numeric fields after the state: 4 to 52.
const statNums = 52 - 3

// f4 is the field number of the first of them: field N is v[N-f4] and bit
// N-f4 of a field mask.
const f4 = 4

// statSigned has bit k set for the fields 4+k that the kernel prints
// signed: the only ones that may start with '-'.
const statSigned = 1<<(4-f4) | 1<<(5-f4) | 1<<(6-f4) | 1<<(7-f4) | 1<<(8-f4) | 1<<(16-f4) | 1<<(17-f4) |
	1<<(18-f4) | 1<<(19-f4) | 1<<(20-f4) | 1<<(21-f4) | 1<<(38-f4) | 1<<(39-f4) | 1<<(44-f4) | 1<<(52-f4)

// parseStatFast parses the fields after the comm (" S 1 2 ...", without
// the newline) when they are in the kernel's exact form: single spaces,
// numbers of up to 20 digits, '-' only on signed fields, every value in
// range. It fills st (PID and Comm zero) and returns true and the number
// of bytes of rest it read (less than len(rest) when fields lx does not
// know follow), or returns false having written nothing, and
// parseStatFields, which takes any form and reports errors, does the
// work. On what it accepts the two agree (FuzzParseStat checks it).
func parseStatFast(rest []byte, st *Stat) (n int, ok bool) {
	if len(rest) < 3 || rest[0] != ' ' || rest[1] == ' ' || rest[2] != ' ' {
		return 0, false
	}
	var v [statNums]uint64
	neg, k, n, ok := statNumbersArch(rest[2:], v[:])
	// Fewer than 44 fields, or a sign where the kernel prints none: the
	// general path.
	if !ok || k < statMinFields-3 || neg&^statSigned != 0 {
		return 0, false
	}
	// Range checks, cheaper than the general path's and stricter: the OR
	// of the fields that share a bound exceeds it when one of them does,
	// and when none does only for values far beyond what the kernel
	// prints (ticks above 2^39, 174 years). Such a line, one with a
	// negative time or with INT_MIN, takes the general path, which gives
	// the exact answer or the error.
	i32 := v[4-f4] | v[5-f4] | v[6-f4] | v[7-f4] | v[8-f4] | v[18-f4] | v[19-f4] | v[20-f4] | v[38-f4] | v[39-f4] | v[52-f4]
	u32 := v[9-f4] | v[40-f4] | v[41-f4]
	ticks := v[14-f4] | v[15-f4] | v[16-f4] | v[17-f4] | v[22-f4] | v[42-f4] | v[43-f4] | v[44-f4]
	rssHi, rss := bits.Mul64(v[24-f4], pageSize)
	const negTicks = 1<<(16-f4) | 1<<(17-f4) | 1<<(44-f4)
	if i32>>31|u32>>32|ticks>>39|v[21-f4]>>63|rssHi != 0 || neg&negTicks != 0 {
		return 0, false
	}
	sx := func(f int) int64 { // a signed field's value, negated without a branch
		m := -int64(neg >> (f - 4) & 1)
		return (int64(v[f-4]) ^ m) - m
	}
	tick := func(f int) time.Duration { return time.Duration(v[f-4]) * ClockTick }
	// Field by field: a composite literal would be built on the stack
	// and copied. PID and Comm are zeroed (the caller sets them): a Comm
	// keeps its bytes past its length, which == compares.
	st.PID, st.Comm = 0, Comm{}
	st.State = State(rest[1])
	st.PPID = int(sx(4))
	st.PGRP = int(sx(5))
	st.Session = int(sx(6))
	st.TTY = decodeDev(uint32(sx(7)))
	st.TPGID = int(sx(8))
	st.Flags = TaskFlags(v[9-f4])
	st.MinFlt = v[10-f4]
	st.CMinFlt = v[11-f4]
	st.MajFlt = v[12-f4]
	st.CMajFlt = v[13-f4]
	st.UTime = tick(14)
	st.STime = tick(15)
	st.CUTime = tick(16)
	st.CSTime = tick(17)
	st.Priority = int(sx(18))
	st.Nice = int(sx(19))
	st.NumThreads = int(sx(20))
	st.ItRealValue = sx(21)
	st.StartTime = tick(22)
	st.VSize = v[23-f4]
	st.RSS = rss
	st.RSSLimit = rlimit.Value(v[25-f4])
	st.StartCode = v[26-f4]
	st.EndCode = v[27-f4]
	st.StartStack = v[28-f4]
	st.KStkESP = v[29-f4]
	st.KStkEIP = v[30-f4]
	st.Signal = signal.Set(v[31-f4])
	st.Blocked = signal.Set(v[32-f4])
	st.SigIgnore = signal.Set(v[33-f4])
	st.SigCatch = signal.Set(v[34-f4])
	st.WChan = v[35-f4]
	st.NSwap = v[36-f4]
	st.CNSwap = v[37-f4]
	st.ExitSignal = signal.Signal(sx(38))
	st.Processor = int(sx(39))
	st.RTPriority = uint32(v[40-f4])
	st.Policy = sched.Policy(v[41-f4])
	st.DelayAcctBlkIO = tick(42)
	st.GuestTime = tick(43)
	st.CGuestTime = tick(44)
	st.StartData = v[45-f4]
	st.EndData = v[46-f4]
	st.StartBrk = v[47-f4]
	st.ArgStart = v[48-f4]
	st.ArgEnd = v[49-f4]
	st.EnvStart = v[50-f4]
	st.EnvEnd = v[51-f4]
	st.ExitCode = syscall.WaitStatus(uint32(sx(52)))
	if v[25-f4] == uint64(^uint(0)) {
		st.RSSLimit = rlimit.Unlimited
	}
	return 2 + n, true
}

// ones has 1 in every byte, for the SWAR arithmetic of statNumbers.
const ones = 0x0101010101010101

// statNumbers reads the numbers of " 1 -2 3 ..." into v (zeroed): each a space,
// maybe '-', and 1 to 20 digits. It stops at the end of b or after len(v)
// numbers, which must then be followed by a space (the fields after those
// lx reads are ignored). It sets bit k of neg when v[k] is negative and
// returns how many numbers it read and the index in b after them; ok is
// false for anything else, or a
// 20-digit number above 2^64-1. A negative number of more than five
// digits is "anything else": the kernel prints none (pids are positive).
//
// Most fields are short, many 0: each is read from one 8-byte load of the
// bytes from its space, its digits found and converted eight at a time
// (parse.Swar8); a 0 takes one comparison.
func statNumbers(b []byte, v []uint64) (neg uint64, k, end int, ok bool) {
	i := 0
	// While a window of 24 bytes remains (all but the last fields), the
	// loads need no checks, and a long number is read in place.
	for end := len(b) - 24; k < len(v) && i >= 0 && i <= end; {
		s := b[i : i+24 : i+24]
		w := binary.LittleEndian.Uint64(s[:8])
		if w&0xffffff == 0x203020 { // " 0 ": v[k] is 0 already
			k++
			i += 2
			continue
		}
		t := w>>8 - 0x30*ones
		n := bits.TrailingZeros64((t|(t+0x76*ones))&(0x80*ones)) >> 3
		switch {
		case byte(w) != ' ':
			return 0, 0, 0, false
		case n == 1:
			v[k] = t & 0xff
		case n > 1 && n < 7:
			v[k] = parse.Swar8(t << ((64 - 8*n) & 63))
		case n == 0:
			if byte(w>>8) != '-' {
				return 0, 0, 0, false
			}
			neg |= 1 << k
			i++
			t = w>>16 - 0x30*ones
			n = bits.TrailingZeros64((t|(t+0x76*ones))&(0x80*ones)) >> 3
			if n == 0 || n > 5 {
				return 0, 0, 0, false
			}
			v[k] = parse.Swar8(t << ((64 - 8*n) & 63))
		default: // 7 digits or more: addresses, rsslim
			t1 := binary.LittleEndian.Uint64(s[1:9]) - 0x30*ones
			t2 := binary.LittleEndian.Uint64(s[9:17]) - 0x30*ones
			n2 := bits.TrailingZeros64((t2|(t2+0x76*ones))&(0x80*ones)) >> 3
			switch {
			case (t1|(t1+0x76*ones))&(0x80*ones) != 0: // exactly 7
				v[k], n = parse.Swar8(t1<<8), 7
			case n2 == 0:
				v[k], n = parse.Swar8(t1), 8
			case n2 < 8:
				v[k], n = parse.Swar8(t1)*pow10[n2]+parse.Swar8(t2<<((64-8*n2)&63)), 8+n2
			case binary.LittleEndian.Uint64(s[1:9]) == 0x3434373634343831 && // "18446744073709551615"
				binary.LittleEndian.Uint64(s[9:17]) == 0x3535393037333730 &&
				binary.LittleEndian.Uint32(s[17:21]) == 0x35313631:
				v[k], n = 1<<64-1, 20
			default:
				x, m, ok := statLong(b, i+1)
				if !ok {
					return 0, 0, 0, false
				}
				v[k], n = x, m
			}
		}
		i += 1 + n
		k++
	}
	for k < len(v) && i < len(b) {
		w := parse.Load8(b, i)
		if w&0xffffff == 0x203020 { // " 0 ": v[k] is 0 already
			k++
			i += 2
			continue
		}
		if byte(w) != ' ' {
			return 0, 0, 0, false
		}
		// The digits after the space: the lowest byte whose high bit t or
		// t+0x76 sets is the first non-digit (borrows and carries only
		// move upward). The top byte, 0, is never a digit: n <= 7.
		t := w>>8 - 0x30*ones
		n := bits.TrailingZeros64((t|(t+0x76*ones))&(0x80*ones)) >> 3
		switch {
		case n == 1:
			v[k] = t & 0xff
		case n > 1 && n < 7:
			v[k] = parse.Swar8(t << ((64 - 8*n) & 63))
		case n == 0:
			if byte(w>>8) != '-' {
				return 0, 0, 0, false
			}
			neg |= 1 << k
			i++
			t = w>>16 - 0x30*ones
			n = bits.TrailingZeros64((t|(t+0x76*ones))&(0x80*ones)) >> 3
			if n == 0 || n > 5 {
				return 0, 0, 0, false
			}
			v[k] = parse.Swar8(t << ((64 - 8*n) & 63))
		default: // 7 digits or more: addresses, rsslim
			x, m, ok := statLong(b, i+1)
			if !ok {
				return 0, 0, 0, false
			}
			v[k], n = x, m
		}
		i += 1 + n
		k++
	}
	if i < len(b) && b[i] != ' ' {
		return 0, 0, 0, false
	}
	return neg, k, i, true
}

// leadNumber reads the number of 1 to 20 digits at the start of b, and
// returns its value and length; ok is false if b does not start with a
// digit or the number exceeds 2^64-1.
func leadNumber(b []byte) (x uint64, n int, ok bool) {
	t := parse.Load8(b, 0) - 0x30*ones
	n = bits.TrailingZeros64((t|(t+0x76*ones))&(0x80*ones)) >> 3
	if uint(n-1) < 7 { // 1 to 7 digits
		return parse.Swar8(t << ((64 - 8*n) & 63)), n, true
	}
	if n == 0 {
		return 0, 0, false
	}
	return statLong(b, 0)
}

// statLong reads the number of at least seven digits at b[i:]: 7 to 16
// digits from two 8-byte loads, RLIM_INFINITY by comparison, anything
// longer with parse.Digits and an overflow check on a 20th digit.
func statLong(b []byte, i int) (x uint64, n int, ok bool) {
	t1 := parse.Load8(b, i) - 0x30*ones
	if (t1|(t1+0x76*ones))&(0x80*ones) != 0 { // exactly 7
		return parse.Swar8(t1 << 8), 7, true
	}
	t2 := parse.Load8(b, i+8) - 0x30*ones
	n2 := bits.TrailingZeros64((t2|(t2+0x76*ones))&(0x80*ones)) >> 3
	switch {
	case n2 == 0:
		return parse.Swar8(t1), 8, true
	case n2 < 8:
		return parse.Swar8(t1)*pow10[n2] + parse.Swar8(t2<<((64-8*n2)&63)), 8 + n2, true
	case len(b)-i >= 20 && string(b[i:i+20]) == "18446744073709551615":
		return 1<<64 - 1, 20, true
	}
	x, n = parse.Digits(b[i:])
	if n == 19 && i+n < len(b) && b[i+n]-'0' <= 9 {
		// A 20th digit, with an overflow check.
		hi, lo := bits.Mul64(x, 10)
		lo, carry := bits.Add64(lo, uint64(b[i+n]-'0'), 0)
		if hi|carry != 0 {
			return 0, 0, false
		}
		x, n = lo, 20
	}
	return x, n, true
}

var pow10 = [...]uint64{1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000}

// decodeDev splits a dev_t in the kernel's "new" 32-bit encoding
// (new_encode_dev: minor's low 8 bits, then 12 bits of major, then the
// rest of the minor).
func decodeDev(d uint32) Dev {
	return Dev{Major: d >> 8 & 0xfff, Minor: d&0xff | d>>12&0xfff00}
}
