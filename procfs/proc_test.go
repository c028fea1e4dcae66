package procfs

import (
	"errors"
	"io"
	"io/fs"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lxgo/lx/kernel"
)

// sleeperEnv turns a re-executed test binary into a child that blocks
// until its stdin closes: a process whose name, arguments and environment
// the test chooses freely.
const sleeperEnv = "LX_PROCFS_TEST_SLEEPER"

func init() {
	if os.Getenv(sleeperEnv) == "1" {
		os.Stdout.Write([]byte{'r'}) // ready
		io.Copy(io.Discard, os.Stdin)
		os.Exit(0)
	}
}

// child is a running sleeper.
type child struct {
	proc  *os.Process
	pidfd *os.File // nil unless asked for
	stdin *os.File
}

// spawnChild starts the test binary through a symlink called name (which
// becomes its comm, truncated to 15 bytes) with exactly argv and env
// (sleeperEnv is added first), and waits until it has exec'd. Cleanup kills
// and reaps it.
func spawnChild(t testing.TB, name string, argv, env []string, wantPidFD bool) *child {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(t.TempDir(), name)
	if err := os.Symlink(exe, link); err != nil {
		t.Fatal(err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	ready, readyW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer ready.Close()
	pidfd := -1
	sys := &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if wantPidFD {
		sys.PidFD = &pidfd
	}
	proc, err := os.StartProcess(link, argv, &os.ProcAttr{
		Env:   append([]string{sleeperEnv + "=1"}, env...),
		Files: []*os.File{r, readyW, os.Stderr},
		Sys:   sys,
	})
	readyW.Close()
	if err != nil {
		w.Close()
		t.Fatal(err)
	}
	c := &child{proc: proc, stdin: w}
	if pidfd >= 0 {
		c.pidfd = os.NewFile(uintptr(pidfd), "pidfd")
	}
	t.Cleanup(c.stop)
	// Wait until the child has started and is about to block on stdin.
	ready.SetReadDeadline(time.Now().Add(30 * time.Second))
	if _, err := ready.Read(make([]byte, 1)); err != nil {
		t.Fatalf("child %d not ready: %v", proc.Pid, err)
	}
	return c
}

func (c *child) stop() {
	c.stdin.Close()
	c.proc.Kill()
	c.proc.Wait()
	if c.pidfd != nil {
		c.pidfd.Close()
	}
}

// TestHostileChild starts a process whose name holds ")", spaces and a
// newline, with empty, non-UTF-8 and spaced arguments and an environment
// with duplicate names and entries without '=', and checks that every
// reader returns them exactly.
func TestHostileChild(t *testing.T) {
	for _, name := range []string{"a) (b\nc d", "x) y\n(z) w) v)) end", " ", "(", ")"} {
		t.Run(strconv.Quote(name), func(t *testing.T) {
			argv := []string{"sleeper", "", "\xff\xfe invalid", "with space", "", ") (", "\n"}
			env := []string{"A=1", "NOEQUALS", "A=2", "=leading", "EMPTY=", "\xff=\xfe", "B=x=y"}
			c := spawnChild(t, name, argv, env, false)
			p := mustProc(t, Default(), c.proc.Pid)
			want := name
			if len(want) > 15 {
				want = want[:15]
			}
			st, err := p.Stat()
			if err != nil {
				t.Fatal(err)
			}
			if !st.Comm.Equal(want) || st.PID != c.proc.Pid || st.PPID != os.Getpid() {
				t.Errorf("stat: comm %q pid %d ppid %d state %v", st.Comm.String(), st.PID, st.PPID, st.State)
			}
			status, err := p.Status()
			if err != nil {
				t.Fatal(err)
			}
			if !status.Name.Equal(want) || status.PID != c.proc.Pid || status.PPID != os.Getpid() {
				t.Errorf("status: name %q pid %d ppid %d", status.Name.String(), status.PID, status.PPID)
			}
			comm, err := p.Comm()
			if err != nil || !comm.Equal(want) {
				t.Errorf("comm %q %v", comm.String(), err)
			}
			args, err := p.Cmdline()
			if err != nil || !slices.Equal(args, argv) {
				t.Errorf("cmdline %q %v, want %q", args, err, argv)
			}
			environ, err := p.Environ()
			if err != nil {
				t.Fatal(err)
			}
			if got, want := environ.Strings(), append([]string{sleeperEnv + "=1"}, env...); !slices.Equal(got, want) {
				t.Errorf("environ %q, want %q", got, want)
			}
			if v, ok := environ.Lookup("A"); !ok || v != "1" {
				t.Errorf("Lookup(A) = %q %v", v, ok)
			}
			psCheck(t, c.proc.Pid, &st)
		})
	}
}

// TestOSExecKeepsEntriesWithoutEquals checks what the doc of Environ
// promises for children started with os/exec: Go passes an entry without
// '=' through (it removes duplicate names, keeping the last).
func TestOSExecKeepsEntriesWithoutEquals(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe)
	cmd.Env = []string{sleeperEnv + "=1", "NOEQUALS", "D=1", "D=2"}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { stdin.Close(); cmd.Process.Kill(); cmd.Wait() }()
	var env Environ
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if env, err = mustProc(t, Default(), cmd.Process.Pid).Environ(); err == nil && len(env) > 0 && env[0].Name == sleeperEnv {
			break
		}
	}
	if got := env.Strings(); !slices.Equal(got, []string{sleeperEnv + "=1", "NOEQUALS", "D=2"}) {
		t.Errorf("environ %q", got)
	}
}

// psCheck compares numeric fields with procps ps(1), when it is installed.
func psCheck(t *testing.T, pid int, st *Stat) {
	t.Helper()
	ps, err := exec.LookPath("ps")
	if err != nil {
		return
	}
	out, err := exec.Command(ps, "-o", "pid=,ppid=,pgid=,sid=,ni=,pri=", "-p", strconv.Itoa(pid)).Output()
	if err != nil {
		t.Logf("ps: %v", err)
		return
	}
	f := strings.Fields(string(out))
	want := []string{strconv.Itoa(st.PID), strconv.Itoa(st.PPID), strconv.Itoa(st.PGRP), strconv.Itoa(st.Session),
		strconv.Itoa(st.Nice), strconv.Itoa(39 - st.Priority)}
	if !slices.Equal(f, want) {
		t.Errorf("ps says %q, lx %q", f, want)
	}
}

func TestRootedFS(t *testing.T) {
	fsys, err := NewFS("testdata/proctree")
	if err != nil {
		t.Fatal(err)
	}
	if fsys.Root() != "testdata/proctree" || fsys.MountPoint() != "testdata/proctree/proc" || fsys.isProcfs() {
		t.Errorf("Root %q MountPoint %q procfs %v", fsys.Root(), fsys.MountPoint(), fsys.isProcfs())
	}
	var pids []int
	for p, err := range fsys.Procs() {
		if err != nil {
			t.Fatal(err)
		}
		pids = append(pids, p.PID())
	}
	slices.Sort(pids)
	if !slices.Equal(pids, []int{1, 42, 300}) {
		t.Errorf("Procs: %v", pids)
	}
	p := mustProc(t, fsys, 42)
	if st, err := p.Stat(); err != nil || !st.Comm.Equal("cat") {
		t.Errorf("stat %q %v", st.Comm.String(), err)
	}
	if st, err := mustProc(t, fsys, 300).Stat(); err != nil || !st.Comm.Equal("a) (b\nc d") {
		t.Errorf("hostile stat %q %v", st.Comm.String(), err)
	}
	if args, err := p.Cmdline(); err != nil || len(args) != 5 {
		t.Errorf("cmdline %q %v", args, err)
	}
	if _, err := p.Limits(); err != nil {
		t.Error(err)
	}
	var tids []int
	for th, err := range p.Threads() {
		if err != nil {
			t.Fatal(err)
		}
		if th.PID() != 42 || !th.IsThread() {
			t.Errorf("thread %v", th)
		}
		tids = append(tids, th.TID())
	}
	slices.Sort(tids)
	if !slices.Equal(tids, []int{42, 43}) {
		t.Errorf("threads %v", tids)
	}
	if st, err := mustThread(t, p, 43).Stat(); err != nil || st.PID != 43 {
		t.Errorf("thread stat %d %v", st.PID, err)
	}
	// A thread the process does not have: no such thread, not gone.
	if _, err := p.Thread(44); !errors.Is(err, syscall.ESRCH) || errors.Is(err, os.ErrProcessDone) {
		t.Errorf("missing thread: %v", err)
	}
	// A parse error is a *ParseError naming the file, the line and the key.
	_, err = mustProc(t, fsys, 1).Status()
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Path != "testdata/proctree/proc/1/status" || pe.Line != 2 || pe.Key != "Pid" ||
		!errors.Is(err, strconv.ErrSyntax) {
		t.Errorf("status of a bad file: %#v", err)
	} else if want := `parse testdata/proctree/proc/1/status:2: Pid: strconv.parse.Int: parsing "notanumber": invalid syntax`; err.Error() != want {
		t.Errorf("error text\n got %s\nwant %s", err, want)
	}
	// A missing file of an existing process is just missing, and the
	// error names it once.
	_, err = mustProc(t, fsys, 1).Statm()
	if !errors.Is(err, fs.ErrNotExist) || errors.Is(err, os.ErrProcessDone) ||
		err.Error() != "open testdata/proctree/proc/1/statm: no such file or directory" {
		t.Errorf("missing file: %v", err)
	}
	// A pid that names no process is no such process, never "exited".
	for _, pid := range []int{7, 123456} {
		_, err := fsys.Proc(pid)
		if !errors.Is(err, syscall.ESRCH) || !errors.Is(err, fs.ErrNotExist) || errors.Is(err, os.ErrProcessDone) ||
			!strings.Contains(err.Error(), "no such process") || strings.Contains(err.Error(), "exited") {
			t.Errorf("Proc(%d): %v", pid, err)
		}
	}
	if _, err := NewFS("testdata/proc-stat-6.18-cat"); !errors.Is(err, syscall.ENOTDIR) {
		t.Errorf("NewFS of a file: %v", err)
	}
	if _, err := NewFS("testdata/proctree/proc/42"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("NewFS of a root without proc: %v", err)
	}
	fileRoot := t.TempDir()
	if err := os.WriteFile(filepath.Join(fileRoot, "proc"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := NewFS(fileRoot); !errors.Is(err, syscall.ENOTDIR) {
		t.Errorf("NewFS of a root whose proc is a file: %v", err)
	}
	if _, err := NewFS("testdata/nonexistent"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("NewFS of nothing: %v", err)
	}
	if _, err := NewFS(""); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("NewFS(\"\"): %v", err)
	}
}

// TestProcGone reads a Proc whose directory disappeared after FS.Proc saw
// it: the process has exited.
func TestProcGone(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "proc/7/task/7"), 0o755); err != nil {
		t.Fatal(err)
	}
	fsys, err := NewFS(root)
	if err != nil {
		t.Fatal(err)
	}
	p := mustProc(t, fsys, 7)
	th := mustThread(t, p, 7)
	if err := os.RemoveAll(filepath.Join(root, "proc/7")); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Stat(); !errors.Is(err, os.ErrProcessDone) || !errors.Is(err, syscall.ESRCH) {
		t.Errorf("gone process: %v", err)
	}
	if _, err := th.Stat(); !errors.Is(err, os.ErrProcessDone) {
		t.Errorf("thread of a gone process: %v", err)
	}
	if _, err := p.Thread(8); !errors.Is(err, os.ErrProcessDone) {
		t.Errorf("Thread of a gone process: %v", err)
	}
	for _, err := range p.Threads() {
		if !errors.Is(err, os.ErrProcessDone) {
			t.Errorf("threads of a gone process: %v", err)
		}
	}
}

// TestPIDRange checks that every entry point rejects a pid that cannot
// reach the kernel unchanged, before any path is built: 2^31 and 2^32+1
// would be truncated to another process (2^32+1 to init).
func TestPIDRange(t *testing.T) {
	self := Default().Self()
	pids := []int{0, -1, math.MinInt32}
	if strconv.IntSize == 64 {
		big := int64(1) << 31 // pids only a 64-bit int can hold
		pids = append(pids, int(big), int(big<<1+1), int(big<<1)+os.Getpid())
	}
	for _, pid := range pids {
		check := func(what string, err error) {
			t.Helper()
			var re *kernel.RangeError
			if !errors.Is(err, fs.ErrInvalid) || !errors.As(err, &re) || re.Value != int64(pid) ||
				!strings.Contains(err.Error(), strconv.Itoa(pid)) {
				t.Errorf("%s(%d): %v, want an error matching fs.ErrInvalid naming %d", what, pid, err, pid)
			}
		}
		_, err := Default().Proc(pid)
		check("Proc", err)
		_, err = Default().OpenProc(pid)
		check("OpenProc", err)
		_, err = self.Thread(pid)
		check("Thread", err)
		check("Sampler.Add", NewSampler(Default(), nil).Add(pid))
		if pid < 0 || pid > 1<<31-1 {
			_, err = self.FD(pid)
			check("FD", err)
			_, err = self.FDInfo(pid)
			check("FDInfo", err)
		}
	}
}

// TestProcNeverExisted asks for a pid above pid_max, which the kernel
// never hands out: no such process, not "has exited".
func TestProcNeverExisted(t *testing.T) {
	max, err := Default().PidMax()
	if err != nil {
		t.Fatal(err)
	}
	for _, open := range []func(int) (Proc, error){Default().Proc, Default().OpenProc} {
		_, err := open(max + 1)
		if !errors.Is(err, syscall.ESRCH) || errors.Is(err, os.ErrProcessDone) ||
			!strings.Contains(err.Error(), "no such process") || strings.Contains(err.Error(), "exited") {
			t.Errorf("pid %d: %v", max+1, err)
		}
	}
}

func TestProcAccessors(t *testing.T) {
	p := mustProc(t, Default(), os.Getpid())
	dir := "/proc/" + strconv.Itoa(os.Getpid())
	if p.PID() != os.Getpid() || p.TID() != os.Getpid() || p.IsThread() || p.Anchored() || p.Dir() != dir || p.String() != "pid "+strconv.Itoa(os.Getpid()) || p.Close() != nil {
		t.Errorf("process: %v %v %v", p.Dir(), p.String(), p.TID())
	}
	th := mustThread(t, p, os.Getpid())
	if th.PID() != os.Getpid() || th.TID() != os.Getpid() || !th.IsThread() || th.Dir() != dir+"/task/"+strconv.Itoa(os.Getpid()) {
		t.Errorf("thread: %v %v", th.Dir(), th.String())
	}
	if Default().Self().PID() != os.Getpid() || Default().MountPoint() != "/proc" || Default().Root() != "/" || p.FS().MountPoint() != "/proc" {
		t.Error("Self / MountPoint / Root")
	}
	if fsys, err := NewFS("/"); err != nil || fsys.MountPoint() != "/proc" || !fsys.isProcfs() {
		t.Errorf("NewFS(/): %v %v", fsys, err)
	}
	// The zero Proc names no process.
	if _, err := (Proc{}).Stat(); !errors.Is(err, errZeroProc) {
		t.Errorf("zero Proc: %v", err)
	}
}

func TestDoneError(t *testing.T) {
	e := &DoneError{PID: 5, Err: syscall.ENOENT}
	if !errors.Is(e, os.ErrProcessDone) || !errors.Is(e, syscall.ESRCH) || !errors.Is(e, syscall.ENOENT) || errors.Is(e, fs.ErrPermission) {
		t.Error("Is")
	}
	if e.Error() != "procfs: process 5 has exited: no such file or directory" {
		t.Error(e.Error())
	}
}

func TestParseErrorText(t *testing.T) {
	for _, c := range []struct {
		e    ParseError
		want string
	}{
		{ParseError{Path: "/proc/1/status", Line: 9, Key: "VmRSS", Err: strconv.ErrRange}, "parse /proc/1/status:9: VmRSS: value out of range"},
		{ParseError{Path: "/proc/1/stat", Key: "utime", Err: strconv.ErrSyntax}, "parse /proc/1/stat: utime: invalid syntax"},
		{ParseError{Line: 3, Err: errNoColon}, "parse line 3: line without ':'"},
		{ParseError{Path: "/proc/meminfo"}, "parse /proc/meminfo: invalid"},
	} {
		if got := c.e.Error(); got != c.want {
			t.Errorf("got  %s\nwant %s", got, c.want)
		}
	}
}

// mustProc returns process pid of fsys, or fails the test.
func mustProc(t testing.TB, fsys FS, pid int) Proc {
	t.Helper()
	p, err := fsys.Proc(pid)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// mustThread returns thread tid of p, or fails the test.
func mustThread(t testing.TB, p Proc, tid int) Proc {
	t.Helper()
	th, err := p.Thread(tid)
	if err != nil {
		t.Fatal(err)
	}
	return th
}
