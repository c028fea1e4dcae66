package procfs

import (
	"bytes"
	"errors"
	"math/bits"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lxgo/lx/rlimit"
	"github.com/lxgo/lx/sched"
	"github.com/lxgo/lx/signal"
)

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseStatFixtures(t *testing.T) {
	for _, tc := range []struct {
		file  string
		check func(t *testing.T, st *Stat)
	}{
		{"proc-stat-6.18-cat", func(t *testing.T, st *Stat) {
			want := Stat{
				PID: 31080, Comm: MakeComm("cat"), State: StateRunning, PPID: 31078, PGRP: 31078,
				Session: 4086, TTY: Dev{}, TPGID: -1, Flags: PFRandomize, MinFlt: 115,
				Priority: 20, NumThreads: 1, StartTime: 491438 * ClockTick, VSize: 3133440,
				RSS: 382 * pageSize, RSSLimit: rlimit.Unlimited, StartCode: 93880432500736,
				EndCode: 93880432520617, StartStack: 140722834033024, ExitSignal: signal.Chld,
				Processor: 0, StartData: 93880432536624, EndData: 93880432538240,
				StartBrk: 93880754438144, ArgStart: 140722834037418, ArgEnd: 140722834037438,
				EnvStart: 140722834037438, EnvEnd: 140722834038763,
			}
			if *st != want {
				t.Errorf("got  %+v\nwant %+v", *st, want)
			}
		}},
		{"proc-stat-6.18-kthreadd", func(t *testing.T, st *Stat) {
			if st.PID != 2 || !st.Comm.Equal("kthreadd") || st.State != StateSleeping || st.PPID != 0 {
				t.Errorf("got %+v", st)
			}
			if !st.Flags.Has(PFKthread|PFNoFreeze) || st.VSize != 0 || st.RSS != 0 {
				t.Errorf("flags %v vsize %d rss %d", st.Flags, st.VSize, st.RSS)
			}
			if st.STime != 2*ClockTick || st.StartTime != 30*ClockTick {
				t.Errorf("stime %v start %v", st.STime, st.StartTime)
			}
			if st.SigIgnore != 1<<31-1 || st.SigCatch != 0 || st.ExitSignal != 0 {
				t.Errorf("sigignore %#x sigcatch %#x exit signal %d", uint64(st.SigIgnore), uint64(st.SigCatch), st.ExitSignal)
			}
		}},
		{"proc-stat-6.18-kworker", func(t *testing.T, st *Stat) {
			// A kernel worker's name is longer than TASK_COMM_LEN.
			if !st.Comm.Equal("kworker/0:0H-events_highpri") || st.State != StateIdle || st.Nice != -20 || st.Priority != 0 {
				t.Errorf("got %q %v nice %d prio %d", st.Comm.String(), st.State, st.Nice, st.Priority)
			}
			if !st.Flags.Has(PFKthread | PFWQWorker) {
				t.Errorf("flags %v", st.Flags)
			}
		}},
		{"proc-stat-6.18-hostile", func(t *testing.T, st *Stat) {
			if !st.Comm.Equal("a) (b\nc d") || st.State != StateSleeping || st.PID != 31104 {
				t.Errorf("got pid %d comm %q state %v", st.PID, st.Comm.String(), st.State)
			}
		}},
		{"proc-stat-6.18-zombie", func(t *testing.T, st *Stat) {
			if st.State != StateZombie || st.VSize != 0 || st.NumThreads != 1 || st.SigIgnore != 6 {
				t.Errorf("got %+v", st)
			}
		}},
		{"proc-stat-2.6.24-emptycomm", func(t *testing.T, st *Stat) {
			if st.PID != 1234 || st.Comm.Len() != 0 || st.CGuestTime != 0 || st.StartData != 0 || st.ExitCode != 0 {
				t.Errorf("got %+v", st)
			}
			if st.ExitSignal != signal.Chld || st.StartTime != time.Second {
				t.Errorf("exit signal %v start %v", st.ExitSignal, st.StartTime)
			}
		}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			var st Stat
			if err := parseStat(readFixture(t, tc.file), &st); err != nil {
				t.Fatal(err)
			}
			tc.check(t, &st)
		})
	}
}

func TestParseStatPathological(t *testing.T) {
	tail := " R 1 2 3 34817 5 4194560 6 7 8 9 150 250 0 30 -2 -5 3 0 12345 4096 2 4096 1 2 3 4 5 6 7 8 9 1 0 0 -1 1 5 1 7 8 9 10 11 12 13 14 15 16 256\n"
	for _, tc := range []struct {
		name, in, comm string
	}{
		{"paren", "7 (a) (b)" + tail, "a) (b"},
		{"closing parens", "7 ())))" + tail, ")))"},
		{"empty", "7 ()" + tail, ""},
		{"spaces", "7 (  a b  )" + tail, "  a b  "},
		{"newline", "7 (a\n) b\n)" + tail, "a\n) b\n"},
		{"binary", "7 (\xff\x00\x01)" + tail, "\xff\x00\x01"},
		{"long", "7 (" + strings.Repeat("x", 80) + ")" + tail, strings.Repeat("x", commMax)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var st Stat
			if err := parseStat([]byte(tc.in), &st); err != nil {
				t.Fatal(err)
			}
			if st.Comm.String() != tc.comm {
				t.Errorf("comm %q, want %q", st.Comm.String(), tc.comm)
			}
			if st.PID != 7 || st.PPID != 1 || st.TPGID != 5 || st.ExitCode != 256 || st.EnvEnd != 16 {
				t.Errorf("fields misaligned: %+v", st)
			}
			if st.TTY != (Dev{Major: 136, Minor: 1}) {
				t.Errorf("tty %v, want 136:1", st.TTY)
			}
			if st.UTime != 1500*time.Millisecond || st.STime != 2500*time.Millisecond || st.CUTime != 0 || st.CSTime != 300*time.Millisecond {
				t.Errorf("times %v %v %v %v", st.UTime, st.STime, st.CUTime, st.CSTime)
			}
			if st.DelayAcctBlkIO != 70*time.Millisecond || st.GuestTime != 80*time.Millisecond || st.CGuestTime != 90*time.Millisecond {
				t.Errorf("delay %v guest %v cguest %v", st.DelayAcctBlkIO, st.GuestTime, st.CGuestTime)
			}
			if st.Priority != -2 || st.Nice != -5 || st.ExitSignal != -1 || st.Policy != sched.FIFO {
				t.Errorf("prio %d nice %d exit signal %d policy %v", st.Priority, st.Nice, st.ExitSignal, st.Policy)
			}
			if st.RSSLimit != 4096 || st.RSS != 2*pageSize || st.VSize != 4096 {
				t.Errorf("rsslimit %v rss %d vsize %d", st.RSSLimit, st.RSS, st.VSize)
			}
			if st.Signal != 6 || !st.Blocked.Has(signal.Int) || !st.Blocked.Has(signal.Hup) {
				t.Errorf("signals %v %v", st.Signal, st.Blocked)
			}
			if !st.ExitCode.Exited() || st.ExitCode.ExitStatus() != 1 {
				t.Errorf("exit code %#x", uint32(st.ExitCode))
			}
		})
	}
}

func TestParseStatErrors(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		key      string // the field the *ParseError names
	}{
		{"empty", "", "comm"},
		{"no parens", "1 cat R 1", "comm"},
		{"close before open", "1 )cat( R", "comm"},
		{"bad pid", "x (cat) R 1", "pid"},
		{"pid 0", "0 (cat) R 1", "pid"},
		{"truncated", "1 (cat) R 1 1 1 0 -1", "flags"},
		{"bad number", "1 (cat) R 1 1 1 0 -1 abc 0 0 0 0 0 0 0 0 20 0 1 0 1 1 1 1 1 1 1 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0", "flags"},
		{"long state", "1 (cat) RR 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 1 1 1 1 1 1 1 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0", "state"},
		{"overflow", "1 (cat) R 1 1 1 0 -1 0 99999999999999999999 0 0 0 0 0 0 0 20 0 1 0 1 1 1 1 1 1 1 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0", "minflt"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var st Stat
			err := parseStat([]byte(tc.in), &st)
			if err == nil {
				t.Fatal("no error")
			}
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Key != tc.key || pe.Line != 0 {
				t.Errorf("error %v, want a *ParseError for %s", err, tc.key)
			}
		})
	}
}

// TestStatSelfNaive compares every field of the test binary's own stat with
// a naive tokenization (safe here: the test binary's comm has no spaces).
func TestStatSelfNaive(t *testing.T) {
	st, err := Default().Self().Stat()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(string(raw))
	if len(f) != 52 {
		t.Fatalf("%d fields in %q", len(f), raw)
	}
	num := func(i int) int64 { // 1-based, as in proc(5)
		n, err := strconv.ParseInt(f[i-1], 10, 64)
		if err != nil {
			u, uerr := strconv.ParseUint(f[i-1], 10, 64)
			if uerr != nil {
				t.Fatalf("field %d %q: %v", i, f[i-1], err)
			}
			return int64(u)
		}
		return n
	}
	tick := func(i int) time.Duration { return time.Duration(num(i)) * ClockTick }
	checks := []struct {
		field     int
		got, want any
		volatile  bool // may change between the two reads
	}{
		{1, st.PID, os.Getpid(), false},
		{2, "(" + st.Comm.String() + ")", f[1], false},
		{4, st.PPID, os.Getppid(), false},
		{5, st.PGRP, int(num(5)), false},
		{6, st.Session, int(num(6)), false},
		{7, st.TTY, decodeDev(uint32(num(7))), false},
		{8, st.TPGID, int(num(8)), false},
		{18, st.Priority, int(num(18)), false},
		{19, st.Nice, int(num(19)), false},
		{22, st.StartTime, tick(22), false},
		{25, uint64(st.RSSLimit), uint64(num(25)), false},
		{26, st.StartCode, uint64(num(26)), false},
		{27, st.EndCode, uint64(num(27)), false},
		{28, st.StartStack, uint64(num(28)), false},
		{38, st.ExitSignal, signal.Signal(num(38)), false},
		{40, st.RTPriority, uint32(num(40)), false},
		{41, st.Policy, sched.Policy(num(41)), false},
		{45, st.StartData, uint64(num(45)), false},
		{46, st.EndData, uint64(num(46)), false},
		{47, st.StartBrk, uint64(num(47)), false},
		{48, st.ArgStart, uint64(num(48)), false},
		{49, st.ArgEnd, uint64(num(49)), false},
		{50, st.EnvStart, uint64(num(50)), false},
		{51, st.EnvEnd, uint64(num(51)), false},
		{52, st.ExitCode, syscall.WaitStatus(num(52)), false},
	}
	if f[2] != string(rune(st.State)) && st.State != StateRunning && st.State != StateSleeping {
		t.Errorf("state %v / %s", st.State, f[2])
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("field %d: got %v, naive %v", c.field, c.got, c.want)
		}
	}
	// Counters only grow between the two reads.
	for _, c := range []struct {
		field int
		got   uint64
	}{
		{10, st.MinFlt}, {12, st.MajFlt}, {14, uint64(st.UTime / ClockTick)}, {15, uint64(st.STime / ClockTick)},
	} {
		if c.got > uint64(num(c.field)) {
			t.Errorf("field %d: %d then %d", c.field, c.got, num(c.field))
		}
	}
	if st.VSize == 0 || st.RSS == 0 || st.NumThreads < 1 {
		t.Errorf("vsize %d rss %d threads %d", st.VSize, st.RSS, st.NumThreads)
	}
}

func TestStatStartedAt(t *testing.T) {
	boot := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	st := Stat{StartTime: 90 * time.Second}
	if got := st.StartedAt(boot); !got.Equal(boot.Add(90 * time.Second)) {
		t.Errorf("StartedAt = %v", got)
	}
	// Against the real boot time: the test started after boot and before now.
	self, err := Default().Self().Stat()
	if err != nil {
		t.Fatal(err)
	}
	var si syscall.Sysinfo_t
	if err := syscall.Sysinfo(&si); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	bootTime := now.Add(-time.Duration(si.Uptime) * time.Second)
	started := self.StartedAt(bootTime)
	if started.After(now.Add(2*time.Second)) || started.Before(bootTime.Add(-2*time.Second)) {
		t.Errorf("started %v, boot %v, now %v", started, bootTime, now)
	}
}

func TestStateString(t *testing.T) {
	for s, want := range map[State]string{StateRunning: "running", StateDiskSleep: "disk sleep",
		StateZombie: "zombie", StateIdle: "idle", StateTracingStop: "tracing stop", State('?'): "State('?')"} {
		if got := s.String(); got != want {
			t.Errorf("%c: %q, want %q", byte(s), got, want)
		}
	}
}

func TestTaskFlagsString(t *testing.T) {
	for f, want := range map[TaskFlags]string{
		0:                                      "0",
		PFKthread:                              "PF_KTHREAD",
		PFKthread | PFNoFreeze | PFSuspendTask: "PF_NOFREEZE|PF_KTHREAD|PF_SUSPEND_TASK",
		PFRandomize | 0x00800000 | 0x40000000:  "PF_RANDOMIZE|0x40800000",
	} {
		if got := f.String(); got != want {
			t.Errorf("%#x: %q, want %q", uint32(f), got, want)
		}
	}
}

func TestStatAllocs(t *testing.T) {
	if systemRace {
		// x/sys's read(2) wrapper reports the buffer to the race
		// detector, which moves ReadStat's stack buffer to the heap.
		t.Skip("the race detector's read(2) makes the stack buffer escape")
	}
	p := Default().Self()
	var st Stat
	if n := testing.AllocsPerRun(100, func() {
		if err := p.ReadStat(&st); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("ReadStat: %v allocs, want 0", n)
	}
	if n := testing.AllocsPerRun(100, func() { st, _ = p.Stat() }); n != 0 {
		t.Errorf("Stat: %v allocs, want 0", n)
	}
}

func FuzzParseStat(f *testing.F) {
	for _, name := range []string{"proc-stat-6.18-cat", "proc-stat-6.18-hostile", "proc-stat-6.18-kworker", "proc-stat-2.6.24-emptycomm"} {
		f.Add(readFixture(f, name))
	}
	f.Add([]byte("1 ("))
	f.Add([]byte(") ("))
	f.Add([]byte(stat52(14, strconv.FormatUint(maxTicks+1, 10))))
	f.Add([]byte(stat52(16, "-1")))
	f.Add([]byte(stat52(24, "18446744073709551615")))
	f.Add([]byte(stat52(25, "18446744073709551616")))
	f.Add([]byte(stat52(25, "00000000000000000001")))
	f.Add([]byte(stat52(21, "-9223372036854775808")))
	f.Add([]byte(stat52(17, "-0")))
	f.Add([]byte(stat52(18, "+5")))
	f.Add([]byte(stat52(10, "-5")))
	f.Add([]byte(stat52(4, "-2147483648")))
	f.Add([]byte(stat52(4, "2147483648")))
	f.Add([]byte(stat52(9, "4294967296")))
	f.Add([]byte(strings.Replace(stat52(20, "1"), " ", "  ", 5)))
	for _, v := range []string{"1234567", "12345678", "123456789", "1234567890123456", "12345678901234567",
		"1234567890123456789", "-123456", "-12345", "0\x00", "00", "05", "9999999999999999999"} {
		f.Add([]byte(stat52(23, v)))
		f.Add([]byte(stat52(52, v)))
	}
	f.Add([]byte(strings.TrimSuffix(stat52(52, "0"), "\n") + " 1 2 3\n"))
	f.Add([]byte(strings.TrimSuffix(stat52(52, "0"), "\n") + "x\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		// The fast path, where it accepts the fields, agrees with the
		// general one.
		if end := bytes.LastIndexByte(b, ')'); end >= 0 {
			rest := bytes.TrimSuffix(b[end+1:], []byte("\n"))
			var fast, general Stat
			if _, ok := parseStatFast(rest, &fast); ok {
				if err := parseStatFields(rest, &general); err != nil || fast != general {
					t.Fatalf("fields %q: fast path %+v, general path %+v, %v", rest, fast, general, err)
				}
			}
		}
		// The search-free path, where it accepts the line, agrees with
		// a parse that finds the comm by searching.
		var kern Stat
		if parseStatKernel(b, &kern) {
			want, err := parseStatSearching(b)
			if err != nil || kern != want {
				t.Fatalf("%q: parseStatKernel %+v, searching %+v, %v", b, kern, want, err)
			}
		}
		var st Stat
		if err := parseStat(b, &st); err != nil {
			return
		}
		// The comm is what lies between the first '(' and the last ')'.
		open, end := bytes.IndexByte(b, '('), bytes.LastIndexByte(b, ')')
		want := b[open+1 : end]
		if len(want) > commMax {
			want = want[:commMax]
		}
		if !bytes.Equal(st.Comm.Bytes(), want) {
			t.Errorf("comm %q, want %q", st.Comm.Bytes(), want)
		}
		// Times and sizes are exact conversions of the fields, never
		// clamped or wrapped: a value that does not convert is an error.
		rest := b[end+1:]
		rest = bytes.TrimSuffix(rest, []byte("\n"))
		fields := strings.FieldsFunc(string(rest), func(r rune) bool { return r == ' ' })
		field := func(n int) (uint64, bool) {
			if n-3 >= len(fields) {
				return 0, false
			}
			v, err := strconv.ParseUint(fields[n-3], 10, 64)
			return v, err == nil
		}
		for n, d := range map[int]time.Duration{14: st.UTime, 15: st.STime, 16: st.CUTime, 17: st.CSTime,
			22: st.StartTime, 42: st.DelayAcctBlkIO, 43: st.GuestTime, 44: st.CGuestTime} {
			v, ok := field(n)
			if !ok {
				continue
			}
			if v > maxTicks || d != time.Duration(v)*ClockTick {
				t.Fatalf("%s = %q gave %v", statFieldNames[n], fields[n-3], d)
			}
		}
		if v, ok := field(24); ok {
			if hi, lo := bits.Mul64(v, pageSize); hi != 0 || st.RSS != lo {
				t.Fatalf("rss = %q gave %d", fields[24-3], st.RSS)
			}
		}
	})
}

// TestParseStatReuse parses into a Stat that holds another process's
// values (as ReadStat's callers and the Sampler do): the result must equal
// a fresh parse, comm bytes past the shorter name included.
func TestParseStatReuse(t *testing.T) {
	long := readFixture(t, "proc-stat-6.18-kworker")
	for _, name := range []string{"proc-stat-6.18-cat", "proc-stat-6.18-zombie", "proc-stat-6.18-hostile"} {
		b := readFixture(t, name)
		var fresh, reused Stat
		if err := parseStat(b, &fresh); err != nil {
			t.Fatal(err)
		}
		if err := parseStat(long, &reused); err != nil {
			t.Fatal(err)
		}
		if err := parseStat(b, &reused); err != nil {
			t.Fatal(err)
		}
		if reused != fresh {
			t.Errorf("%s after kworker: %+v, want %+v", name, reused, fresh)
		}
	}
}

// parseStatSearching is the reference for parseStatKernel: the pid before
// the first '(', the comm up to the last ')', and the general path's
// fields.
func parseStatSearching(b []byte) (Stat, error) {
	open, end := bytes.IndexByte(b, '('), bytes.LastIndexByte(b, ')')
	if open < 0 || end < open {
		return Stat{}, errStatComm
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b[:open])))
	if err != nil || pid < 1 || pid > 1<<31-1 {
		return Stat{}, errors.New("pid")
	}
	st := Stat{PID: pid}
	st.Comm.set(b[open+1 : end])
	err = parseStatFields(bytes.TrimSuffix(b[end+1:], []byte("\n")), &st)
	return st, err
}

// TestParseStatFront checks how parseStat finds the pid and the comm:
// pids of 1 to 10 digits, names of 0 to 20 bytes, with a second ')' at
// every place in the name. Every line parses as parseStatSearching does,
// and parseStatKernel, the search-free path, takes exactly the lines
// whose name holds no ')'.
func TestParseStatFront(t *testing.T) {
	tail := stat52(4, "1")[len("7 (x)"):]
	for _, pid := range []string{"1", "42", "4194304", "12345678", "2147483647"} {
		for n := 0; n <= 20; n++ {
			for extra := -1; extra <= n; extra++ { // where a ')' inside the name goes; -1: none
				comm := []byte(strings.Repeat("abcdefghij", 3)[:n])
				if extra >= 0 {
					comm = slices.Insert(comm, extra, ')')
				}
				b := []byte(pid + " (" + string(comm) + ")" + tail)
				want, werr := parseStatSearching(b)
				var st Stat
				if err := parseStat(b, &st); (err != nil) != (werr != nil) || err == nil && st != want {
					t.Fatalf("%q: parseStat %+v, %v; want %+v, %v", b, st, err, want, werr)
				}
				var kern Stat
				fast := parseStatKernel(b, &kern)
				if wantFast := extra < 0; fast != wantFast {
					t.Errorf("%q: parseStatKernel = %v, want %v", b, fast, wantFast)
				}
				if fast && kern != want {
					t.Errorf("%q: parseStatKernel %+v, want %+v", b, kern, want)
				}
			}
		}
	}
}

// okOf returns the ok of a (value, ok) pair.
func okOf(_ int, ok bool) bool { return ok }

// TestParseStatFastPath checks that the kernel's own lines take the fast
// path (a change that sent them to the general one would pass every other
// test and be four times slower).
func TestParseStatFastPath(t *testing.T) {
	for _, name := range []string{"proc-stat-6.18-cat", "proc-stat-6.18-kthreadd", "proc-stat-6.18-kworker",
		"proc-stat-6.18-hostile", "proc-stat-6.18-zombie", "proc-stat-2.6.24-emptycomm"} {
		b := readFixture(t, name)
		rest := bytes.TrimSuffix(b[bytes.LastIndexByte(b, ')')+1:], []byte("\n"))
		var st Stat
		if _, ok := parseStatFast(rest, &st); !ok {
			t.Errorf("%s: not on the fast path", name)
		}
		// The kernel's form without searches, unless the name holds a
		// ')' (the hostile fixture's does).
		comm := b[bytes.IndexByte(b, '(')+1 : bytes.LastIndexByte(b, ')')]
		if got := parseStatKernel(b, &st); got != !bytes.Contains(comm, []byte(")")) {
			t.Errorf("%s: parseStatKernel = %v for comm %q", name, got, comm)
		}
	}
	b, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		t.Fatal(err)
	}
	var st Stat
	if rest := bytes.TrimSuffix(b[bytes.LastIndexByte(b, ')')+1:], []byte("\n")); !okOf(parseStatFast(rest, &st)) {
		t.Errorf("/proc/self/stat %q: not on the fast path", b)
	}
	if !parseStatKernel(b, &st) {
		t.Errorf("/proc/self/stat %q: not parsed in the kernel's form", b)
	}
}
