package procfs

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
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
			p := Default().Proc(c.proc.Pid)
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
		if env, err = Default().Proc(cmd.Process.Pid).Environ(); err == nil && len(env) > 0 && env[0].Name == sleeperEnv {
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
	p := fsys.Proc(42)
	if st, err := p.Stat(); err != nil || !st.Comm.Equal("cat") {
		t.Errorf("stat %q %v", st.Comm.String(), err)
	}
	if st, err := fsys.Proc(300).Stat(); err != nil || !st.Comm.Equal("a) (b\nc d") {
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
	if st, err := p.Thread(43).Stat(); err != nil || st.PID != 43 {
		t.Errorf("thread stat %d %v", st.PID, err)
	}
	// A parse error names the file.
	_, err = fsys.Proc(1).Status()
	var ke *StatusKeyError
	if err == nil || !strings.Contains(err.Error(), "testdata/proctree/1/status") || !errors.As(err, &ke) || ke.Key != "Pid" {
		t.Errorf("status of a bad file: %v", err)
	}
	// A missing file of an existing process is just missing.
	if _, err := fsys.Proc(1).Statm(); !errors.Is(err, fs.ErrNotExist) || errors.Is(err, os.ErrProcessDone) {
		t.Errorf("missing file: %v", err)
	}
	// A missing process is gone.
	if _, err := fsys.Proc(7).Stat(); !errors.Is(err, os.ErrProcessDone) || !errors.Is(err, syscall.ESRCH) {
		t.Errorf("missing process: %v", err)
	}
	if _, err := fsys.Proc(7).Thread(8).Stat(); !errors.Is(err, os.ErrProcessDone) {
		t.Errorf("missing thread: %v", err)
	}
	for _, err := range fsys.Proc(7).Threads() {
		if !errors.Is(err, os.ErrProcessDone) {
			t.Errorf("threads of missing process: %v", err)
		}
	}
	if _, err := NewFS("testdata/proc-stat-6.18-cat"); err == nil {
		t.Error("NewFS of a file")
	}
	if _, err := NewFS("testdata/nonexistent"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("NewFS of nothing: %v", err)
	}
}

func TestProcAccessors(t *testing.T) {
	p := Default().Proc(12)
	if p.PID() != 12 || p.TID() != 12 || p.IsThread() || p.Anchored() || p.Dir() != "/proc/12" || p.String() != "pid 12" || p.Close() != nil {
		t.Errorf("process: %v %v %v", p.Dir(), p.String(), p.TID())
	}
	th := p.Thread(13)
	if th.PID() != 12 || th.TID() != 13 || !th.IsThread() || th.Dir() != "/proc/12/task/13" || th.String() != "pid 12 tid 13" {
		t.Errorf("thread: %v %v", th.Dir(), th.String())
	}
	if Default().Self().PID() != os.Getpid() || Default().MountPoint() != "/proc" || p.FS().MountPoint() != "/proc" {
		t.Error("Self / MountPoint")
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
