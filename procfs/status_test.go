package procfs

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/lxgo/lx/capability"
	"github.com/lxgo/lx/cpuset"
	"github.com/lxgo/lx/cred"
	"github.com/lxgo/lx/internal/testutil"
	"github.com/lxgo/lx/seccomp"
	"github.com/lxgo/lx/signal"
)

func parseStatusFixture(t *testing.T, name string) Status {
	t.Helper()
	var st Status
	if err := parseStatus(readFixture(t, name), &st); err != nil {
		t.Fatal(err)
	}
	return st
}

func TestParseStatusSynthetic(t *testing.T) {
	st := parseStatusFixture(t, "proc-status-synthetic-all")
	want := Status{
		Name: MakeComm("weird\nname\\x"), Umask: 0o077, State: StateStopped,
		TGID: 42, NGID: 7, PID: 43, PPID: 1, TracerPID: 9,
		UID: cred.UIDs{Real: 1000, Effective: 1001, Saved: 1002, FS: 1003},
		GID: cred.GIDs{Real: 2000, Effective: 2001, Saved: 2002, FS: 2003}, FDSize: 64,
		Groups: []cred.GID{10, 20, 4294967294},
		NSTGID: []int{42, 5, 1}, NSPID: []int{43, 6, 2}, NSPGID: []int{40, 3, 1}, NSSID: []int{40, 3, 1},
		VmPeak: 1024 << 10, VmSize: 512 << 10, VmLck: 4 << 10, VmHWM: 256 << 10, VmRSS: 128 << 10,
		RssAnon: 64 << 10, RssFile: 60 << 10, RssShmem: 4 << 10, VmData: 32 << 10, VmStk: 132 << 10,
		VmExe: 8 << 10, VmLib: 1000 << 10, VmPTE: 44 << 10, VmSwap: 12 << 10, HugetlbPages: 2048 << 10,
		CoreDumping: true, THPEnabled: false, UntagMask: 0x7fffffffffff,
		Threads: 3, SigQ: SigQueue{2, 15000},
		SigPnd: 1 << 8, ShdPnd: 1 << 33, SigBlk: 1 << 16, SigIgn: 1 << 12, SigCgt: 0x180004a02,
		CapPrm: 1 << 21, CapEff: 1<<21 | 1, CapBnd: 1<<41 - 1, CapAmb: 1 << 10,
		NoNewPrivs: true, Seccomp: seccomp.ModeFilter, SeccompFilters: 3,
		SpeculationStoreBypass: SSBThreadForceMitigated, SpeculationIndirectBranch: IBConditionalDisabled,
		CPUsAllowed: cpuset.Of(0, 2, 32, 33, 34, 35), MemsAllowed: cpuset.Of(0, 1),
		VoluntaryCtxtSwitches: 150, NonvoluntaryCtxtSwitches: 545,
		X86ThreadFeatures: X86ShadowStack | X86WRSS, X86ThreadFeaturesLocked: X86ShadowStack,
	}
	st.cpusRaw, st.memsRaw = nil, nil
	if !reflect.DeepEqual(st, want) {
		t.Errorf("got  %+v\nwant %+v", st, want)
	}
	if !st.SigPnd.Has(signal.Kill) || !st.SigBlk.Has(signal.Chld) || st.SigBlk.Has(signal.Int) {
		t.Errorf("signal sets %v %v", st.SigPnd, st.SigBlk)
	}
	if got := st.SigCgt.String(); got != "SIGINT,SIGUSR1,SIGUSR2,SIGTERM,SIG32,SIG33" {
		t.Errorf("SigCgt %q", got)
	}
	if !st.CapEff.Has(capability.SysAdmin) || !st.CapEff.Has(capability.Chown) || st.CapEff.Has(capability.Kill) || st.CapEff.String() != "cap_chown,cap_sys_admin" {
		t.Errorf("CapEff %v", st.CapEff)
	}
	if st.Seccomp.String() != "filter" || st.SpeculationStoreBypass.String() != "thread force mitigated" ||
		st.SpeculationIndirectBranch.String() != "conditional disabled" || st.X86ThreadFeatures.String() != "shstk wrss" {
		t.Errorf("strings %v %v %v %v", st.Seccomp, st.SpeculationStoreBypass, st.SpeculationIndirectBranch, st.X86ThreadFeatures)
	}
}

func TestParseStatusFixtures(t *testing.T) {
	t.Run("cat", func(t *testing.T) {
		st := parseStatusFixture(t, "proc-status-6.18-cat")
		if !st.Name.Equal("cat") || st.Umask != 0o022 || st.State != StateRunning || st.TGID != st.PID ||
			len(st.Groups) != 0 || !slices.Equal(st.NSPID, []int{st.PID}) || st.Kthread || !st.THPEnabled ||
			st.VmRSS != st.RssAnon+st.RssFile+st.RssShmem || st.VmRSS == 0 || st.UntagMask != 1<<64-1 ||
			st.SigQ.Limit != 96365 || st.CapEff != 0x1fffeffffff || st.CapEff.Has(capability.SysResource) ||
			!st.CPUsAllowed.Equal(cpuset.Of(0, 1)) || !st.MemsAllowed.Equal(cpuset.Of(0)) ||
			st.SpeculationStoreBypass != SSBVulnerable || st.SpeculationIndirectBranch != IBAlwaysEnabled {
			t.Errorf("got %+v", st)
		}
	})
	for _, name := range []string{"proc-status-6.18-kthreadd", "proc-status-6.18-kworker"} {
		t.Run(name, func(t *testing.T) {
			st := parseStatusFixture(t, name)
			if !st.Kthread || st.VmSize != 0 || st.VmRSS != 0 || st.PPID > 2 || st.Threads != 1 {
				t.Errorf("kernel thread: %+v", st)
			}
		})
	}
	t.Run("kworker name", func(t *testing.T) {
		st := parseStatusFixture(t, "proc-status-6.18-kworker")
		if !st.Name.Equal("kworker/0:0H-events_highpri") || st.State != StateIdle {
			t.Errorf("name %q state %v", st.Name.String(), st.State)
		}
	})
	t.Run("hostile name", func(t *testing.T) {
		st := parseStatusFixture(t, "proc-status-6.18-hostile")
		if !st.Name.Equal("a) (b\nc d") {
			t.Errorf("name %q", st.Name.String())
		}
	})
	t.Run("zombie", func(t *testing.T) {
		st := parseStatusFixture(t, "proc-status-6.18-zombie")
		if st.State != StateZombie || st.Umask != 0 || st.FDSize != 0 || st.VmSize != 0 || st.SigIgn != 6 {
			t.Errorf("zombie %+v", st)
		}
	})
}

func TestParseStatusName(t *testing.T) {
	for in, want := range map[string]string{
		"Name:\tplain\n":                            "plain",
		"Name:\t lead and trail \n":                 " lead and trail ",
		"Name:\ta\\nb\n":                            "a\nb",
		"Name:\ta\\\\nb\n":                          "a\\nb",
		"Name:\tx\\012y\\134z\n":                    "x\ny\\z",
		"Name:\ttab\there\n":                        "tab\there",
		"Name:\tcolon: in name\n":                   "colon: in name",
		"Name:\ttrailing\\\n":                       "trailing\\",
		"Name:\t\n":                                 "",
		"Name:\t\xff\xfe\n":                         "\xff\xfe",
		"Name:\t" + string(make([]byte, 70)) + "\n": string(make([]byte, commMax)),
	} {
		var st Status
		if err := parseStatus([]byte(in), &st); err != nil {
			t.Errorf("%q: %v", in, err)
			continue
		}
		if !st.Name.Equal(want) {
			t.Errorf("%q: name %q, want %q", in, st.Name.String(), want)
		}
	}
}

func TestParseStatusErrors(t *testing.T) {
	for _, in := range []string{
		"Uid:\t0\t0\t0\n",
		"Uid:\t0\t0\t0\t4294967296\n",
		"VmRSS:\t12x kB\n",
		"SigQ:\t12\n",
		"SigQ:\t1/x\n",
		"Groups:\t1 -2\n",
		"NSpid:\t1 x\n",
		"CapEff:\tzz\n",
		"NoNewPrivs:\t2\n",
		"Umask:\t0099\n",
		"Cpus_allowed_list:\t3-1\n",
		"State:\t\n",
		"untag_mask:\t0x\n",
	} {
		var st Status
		err := parseStatus([]byte(in), &st)
		var pe *ParseError
		if !errors.As(err, &pe) || pe.Line != 1 || pe.Key != in[:strings.IndexByte(in, ':')] {
			t.Errorf("%q: error %#v, want a *ParseError at line 1 naming the key", in, err)
		}
	}
}

// TestReadStatusReuse checks that ReadStatus reuses the slices and keeps
// an unchanged CPU set, and that Status copies stay independent of sets.
func TestReadStatusReuse(t *testing.T) {
	in := readFixture(t, "proc-status-synthetic-all")
	var st Status
	if err := parseStatus(in, &st); err != nil {
		t.Fatal(err)
	}
	keep := st
	groups := &st.Groups[0]
	if err := parseStatus(in, &st); err != nil {
		t.Fatal(err)
	}
	if &st.Groups[0] != groups {
		t.Error("Groups not reused")
	}
	if !st.CPUsAllowed.Equal(keep.CPUsAllowed) || !keep.CPUsAllowed.Equal(cpuset.Of(0, 2, 32, 33, 34, 35)) {
		t.Error("CPU set changed")
	}
	other := []byte("Cpus_allowed_list:\t1\nMems_allowed_list:\t0\n")
	if err := parseStatus(other, &st); err != nil {
		t.Fatal(err)
	}
	if !st.CPUsAllowed.Equal(cpuset.Of(1)) || !keep.CPUsAllowed.Equal(cpuset.Of(0, 2, 32, 33, 34, 35)) || len(st.Groups) != 0 {
		t.Errorf("after change: %v (copy %v) groups %v", st.CPUsAllowed, keep.CPUsAllowed, st.Groups)
	}
}

func TestStatusSelf(t *testing.T) {
	p := Default().Self()
	st, err := p.Status()
	if err != nil {
		t.Fatal(err)
	}
	uid, gid := cred.UID(os.Getuid()), cred.GID(os.Getgid())
	if st.TGID != os.Getpid() || st.PPID != os.Getppid() || st.UID.Real != uid || st.UID.Effective != cred.UID(os.Geteuid()) ||
		st.GID.Real != gid || st.GID.Effective != cred.GID(os.Getegid()) || st.Kthread {
		t.Errorf("ids: %+v", st)
	}
	groups, err := os.Getgroups()
	if err != nil {
		t.Fatal(err)
	}
	got := make([]int, len(st.Groups))
	for i, g := range st.Groups {
		got[i] = int(g)
	}
	slices.Sort(groups)
	slices.Sort(got)
	if !slices.Equal(got, groups) {
		t.Errorf("groups %v, want %v", got, groups)
	}
	if len(st.NSTGID) == 0 || st.NSTGID[0] != os.Getpid() {
		t.Errorf("NStgid %v", st.NSTGID)
	}
	if st.VmRSS == 0 || st.VmSize < st.VmRSS || st.Threads < 1 || st.CPUsAllowed.Count() < 1 || st.MemsAllowed.Count() < 1 {
		t.Errorf("memory or sets: %+v", st)
	}
	// Go catches SIGURG for preemption and ignores nothing by default.
	if !st.SigCgt.Has(signal.Urg) {
		t.Errorf("SigCgt %v lacks SIGURG", st.SigCgt)
	}
	stat, err := p.Stat()
	if err != nil {
		t.Fatal(err)
	}
	if stat.Comm != st.Name {
		t.Errorf("stat comm %q, status name %q", stat.Comm.String(), st.Name.String())
	}
	v, ok, err := p.StatusValue("Tgid")
	if err != nil || !ok || v != strconv.Itoa(os.Getpid()) {
		t.Errorf("StatusValue(Tgid) = %q %v %v", v, ok, err)
	}
	if _, ok, err := p.StatusValue("NoSuchKey"); ok || err != nil {
		t.Errorf("StatusValue(NoSuchKey) = %v %v", ok, err)
	}
}

func TestStatusAllocs(t *testing.T) {
	p := Default().Self()
	var st Status
	if err := p.ReadStatus(&st); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(100, func() {
		if err := p.ReadStatus(&st); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("ReadStatus: %v allocs, want 0", n)
	}
}

func TestStatusMissingProcess(t *testing.T) {
	_, err := Default().Proc(1 << 30)
	if errors.Is(err, os.ErrProcessDone) || !errors.Is(err, syscall.ESRCH) || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("err %v", err)
	}
}

func FuzzParseStatus(f *testing.F) {
	for _, name := range []string{"proc-status-6.18-cat", "proc-status-synthetic-all", "proc-status-6.18-kthreadd",
		"proc-status-6.18-hostile", "proc-status-6.18-kworker", "proc-status-6.18-zombie"} {
		b := readFixture(f, name)
		f.Add(b)
		f.Add(b[:len(b)/2])
		f.Add(bytes.Replace(b, []byte("VmRSS"), []byte("VmRSX"), 1))
		f.Add(bytes.Replace(b, []byte("Uid:\t0"), []byte("Uid:\t1234567"), 1))
		f.Add(bytes.Replace(b, []byte("NSpid:\t"), []byte("NSpid:\t1\t"), 1))
	}
	f.Add([]byte("Name:\t\\"))
	f.Add([]byte("VmRSS:\t18014398509481984 kB\nPid:\t9999999999999999999\n"))
	f.Add([]byte("VmRSS:\t123456789 kB\nVmHWM:\t 1 kB\nVmPeak:\t       1 kB \nNSpid:\t1\t2\nTgid:\t1234567\nPid: 5\n"))
	f.Add([]byte("Cpus_allowed:\t3\nMems_allowed:\t1"))
	f.Add([]byte("Groups:\t \nGroups:\t1 2 \nNStgid:\t12\nNStgid:\t\n"))
	// The ids and SigQ lines' fast paths: equal and unequal ids, widths,
	// and what follows them.
	pad := "\nVmPeak:\t    3060 kB\nVmSize:\t    3060 kB\n"
	for _, v := range []string{"1000\t1000\t1000\t1000", "1000\t1000\t1000\t1001", "0\t0\t0\t00", "123456\t123456\t123456\t123456",
		"1234567\t1234567\t1234567\t1234567", "1\t1\t1\t1\t1", "1\t1\t1 1", "5\t5\t5"} {
		f.Add([]byte("Uid:\t" + v + pad))
		f.Add([]byte("Gid:\t" + v + "\n"))
	}
	// Holes of the kB and hex blocks that are not numbers; lines of
	// the speculation and list steps in other forms.
	cat := readFixture(f, "proc-status-6.18-cat")
	for _, r := range [][2]string{{"CapEff:\t000001fffeffffff", "CapEff:\t\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"},
		{"CapPrm:\t000001fffeffffff", "CapPrm:\t000001fffeffffgf"}, {"VmLck:\t       0", "VmLck:\t      00"},
		{"VmLck:\t       0", "VmLck:\t\x00\x00\x00\x00\x00\x00\x00\x00"}, {"\talways enabled", "\talways enabled "},
		{"\talways enabled", "\tunknown"}, {"\talways enabled", "\talways\nenabled"}, {"Cpus_allowed_list:\t0-1", "Cpus_allowed_list:\t0-1 "},
		{"Cpus_allowed_list:\t0-1", "Cpus_allowed_list:\t0-2"}} {
		f.Add(bytes.Replace(cat, []byte(r[0]), []byte(r[1]), 1))
	}
	for _, v := range []string{"0/96365", "1234567/7654321", "12345678/1", "1/", "/1", "1//2", "01/02", "1/2 "} {
		f.Add([]byte("SigQ:\t" + v + pad))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		// The parser gives what the parser before its fast paths gave
		// (status_ref_test.go), value and error, fresh and reusing a
		// Status.
		var st, ref Status
		err, rerr := parseStatus(b, &st), parseStatusRef(b, &ref)
		if (err == nil) != (rerr == nil) || err != nil && err.Error() != rerr.Error() {
			t.Fatalf("%q: error %v, reference %v", b, err, rerr)
		}
		if err == nil && !reflect.DeepEqual(st, ref) {
			t.Fatalf("%q:\n got %+v\nwant %+v", b, st, ref)
		}
		if err, rerr := parseStatus(b, &st), parseStatusRef(b, &ref); err == nil && rerr == nil && !reflect.DeepEqual(st, ref) {
			t.Fatalf("%q reused:\n got %+v\nwant %+v", b, st, ref)
		}
		if err != nil {
			return
		}
		// Every kB line is its number times 1024, exactly: a value that
		// overflows is an error. (A key may repeat: the last one wins.)
		for line := range strings.Lines(string(b)) {
			key, val, ok := strings.Cut(strings.TrimSuffix(line, "\n"), ":")
			k := -1
			for i, name := range statusKeys {
				if ok && name == key && statusKinds[i] == kindKB {
					k = i
				}
			}
			if k < 0 {
				continue
			}
			val = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(val), "kB"))
			if n, err := strconv.ParseUint(val, 10, 64); err == nil && !strings.ContainsAny(val, "+_") {
				if n > 1<<54-1 {
					t.Fatalf("%s %d kB accepted", key, n)
				}
				if last := lastKB(b, key); last == n && *kbFieldRef(&st, k) != n<<10 {
					t.Fatalf("%s %d kB gave %d", key, n, *kbFieldRef(&st, k))
				}
			}
		}
	})
}

func lockThread()   { runtime.LockOSThread() }
func unlockThread() { runtime.UnlockOSThread() }
func gettid() int   { return syscall.Gettid() }

// lastKB returns the number on the last line of b for key, or an
// impossible value when it is not a plain number.
func lastKB(b []byte, key string) uint64 {
	last := uint64(1<<64 - 1)
	for line := range strings.Lines(string(b)) {
		k, v, ok := strings.Cut(strings.TrimSuffix(line, "\n"), ":")
		if !ok || k != key {
			continue
		}
		v = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB"))
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			n = 1<<64 - 1
		}
		last = n
	}
	return last
}

// TestStatusNameFast checks stName's copy of a name without escapes (any
// byte but NUL, newline and backslash, which the kernel escapes as "\n"
// and "\\"), up to its 31 bytes, and the names it leaves to stOther, in
// a whole file, against the reference parser.
func TestStatusNameFast(t *testing.T) {
	cat := readFixture(t, "proc-status-6.18-cat")
	for _, name := range []string{"a", "tab\there", " lead and trail ", "a) (b c", "\xff\xfe\x01 bad utf8",
		"exactly-31-bytes-of-name-123456", "exactly-32-bytes-of-name-1234567", `back\\slash`, `new\nline`, `\101ctal`} {
		b := bytes.Replace(cat, []byte("Name:\tcat\n"), []byte("Name:\t"+name+"\n"), 1)
		if !bytes.HasPrefix(b, []byte("Name:\t"+name+"\n")) {
			t.Fatalf("%q not in the fixture", name)
		}
		var st, ref Status
		if err, rerr := parseStatus(b, &st), parseStatusRef(b, &ref); err != nil || rerr != nil || !reflect.DeepEqual(st, ref) {
			t.Errorf("%q: %v %v: name %q, reference %q", name, err, rerr, st.Name.String(), ref.Name.String())
		}
		var v [len(statusKeys)]uint64
		if i := statusFast(b, &st, &v); i != len(b) {
			t.Errorf("%q: the fast path stops at %d", name, i)
		}
	}
}

// TestStatusSpecByLen checks that the kernel's texts of each speculation
// line have lengths of their own, which stSpec relies on.
func TestStatusSpecByLen(t *testing.T) {
	for j, names := range [][]string{ssbNames[:], ibNames[:]} {
		for i, n := range names {
			if i > 0 && int(specByLen[j][len(n)]) != i {
				t.Errorf("%q: specByLen[%d][%d] = %d, want %d", n, j, len(n), specByLen[j][len(n)], i)
			}
		}
	}
}

// TestStatusFastPath checks that statusFast reads the kernel's own files
// to their end (a change that sent their lines to the general loop would
// pass every other test and be slower).
func TestStatusFastPath(t *testing.T) {
	files := map[string][]byte{}
	for _, name := range []string{"proc-status-6.18-cat", "proc-status-6.18-hostile", "proc-status-6.18-kthreadd",
		"proc-status-6.18-kworker", "proc-status-6.18-zombie"} {
		files[name] = readFixture(t, name)
	}
	self, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	files["/proc/self/status"] = self
	for name, b := range files {
		var st Status
		var v [len(statusKeys)]uint64
		if i := statusFast(b, &st, &v); i != len(b) {
			line := b[i:]
			if nl := bytes.IndexByte(line, '\n'); nl >= 0 {
				line = line[:nl]
			}
			t.Errorf("%s: the fast path stops at %q", name, line)
		}
	}
}

// TestStatusBlocks checks that the kernel's runs of kB lines and of
// signal and capability sets, with the flags around them, are read as
// blocks (statusBlock), with the values the line-by-line steps give.
func TestStatusBlocks(t *testing.T) {
	self, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{"proc-status-6.18-cat": readFixture(t, "proc-status-6.18-cat"), "/proc/self/status": self} {
		for _, blk := range []*statusBlock{statusMemBlock, statusKBBlock, statusSetBlock, statusHexBlock} {
			first := blk.holes[0].k
			i := bytes.Index(b, []byte("\n"+statusKeys[first]+":")) + 1
			if i == 0 && name == "/proc/self/status" && first == skKthread {
				// Before Linux 6.9 there is no Kthread line, and the
				// shorter block, from VmPeak, reads the kB lines.
				continue
			}
			var got, want [len(statusKeys)]uint64
			end, blockOK := blk.read(b, i, &got)
			j, ok := i, true
			for _, h := range blk.holes {
				switch h.kind {
				case holeKB:
					j, ok = stKB(b, j, h.k, &want)
				case holeHex:
					j, ok = stHex(b, j, h.k, &want)
				case holeDigit:
					j, ok = stDec(b, j, h.k, &want)
				}
				if !ok {
					t.Fatalf("%s: step %s fails", name, statusKeys[h.k])
				}
			}
			if !blockOK || end != j || got != want || i == 0 {
				t.Errorf("%s: block from %s: end %d ok %v, steps end %d; values %v, steps %v", name, statusKeys[first], end, blockOK, j, got, want)
			}
		}
	}
}

// TestReadStatusLong reads the status of a process whose Groups line makes
// the file several times the reader's stack buffer, so that the read goes
// on into a pooled buffer, by path and through an anchored Proc.
func TestReadStatusLong(t *testing.T) {
	testutil.RequireCap(t, capability.Setgid)
	groups := make([]uint32, 2000)
	for i := range groups {
		groups[i] = uint32(100000 + i)
	}
	cmd := exec.Command("sleep", "60")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Groups: groups}, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	byPath := mustProc(t, Default(), cmd.Process.Pid)
	anchored, err := Default().OpenProc(cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	defer anchored.Close()
	for _, p := range []Proc{byPath, anchored} {
		var st Status
		if err := p.ReadStatus(&st); err != nil {
			t.Fatal(err)
		}
		got := make([]uint32, len(st.Groups))
		for i, g := range st.Groups {
			got[i] = uint32(g)
		}
		if !slices.Equal(got, groups) || st.PID != cmd.Process.Pid {
			t.Errorf("%v: pid %d, %d groups %v...", p, st.PID, len(got), got[:min(len(got), 3)])
		}
		if raw, err := os.ReadFile(p.Dir() + "/status"); err != nil || len(raw) < 8192 {
			t.Fatalf("status of %d bytes, %v: not long enough for the test", len(raw), err)
		}
	}
}
