package procfs

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lxgo/lx/internal/feature"
	"github.com/lxgo/lx/internal/testutil"
	"github.com/lxgo/lx/kernel"
)

// checkDone fails unless err says the process is gone.
func checkDone(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, os.ErrProcessDone) || !errors.Is(err, syscall.ESRCH) {
		t.Errorf("%s: %v, want an error matching os.ErrProcessDone and ESRCH", what, err)
	}
}

func TestProcFromPidFD(t *testing.T) {
	c := spawnChild(t, "anchored", []string{"anchored", "arg"}, nil, true)
	if c.pidfd == nil {
		t.Skip("no pidfd from os.StartProcess")
	}
	p, err := Default().ProcFromPidFD(c.pidfd)
	testutil.SkipIfUnsupported(t, err, kernel.V(5, 3))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if p.PID() != c.proc.Pid || !p.Anchored() {
		t.Fatalf("pid %d anchored %v, want %d", p.PID(), p.Anchored(), c.proc.Pid)
	}
	st, err := p.Stat()
	if err != nil || st.PID != c.proc.Pid || !st.Comm.Equal("anchored") {
		t.Fatalf("stat %d %q %v", st.PID, st.Comm.String(), err)
	}
	if args, err := p.Cmdline(); err != nil || !slices.Equal(args, []string{"anchored", "arg"}) {
		t.Errorf("cmdline %q %v", args, err)
	}
	if th, err := mustThread(t, p, c.proc.Pid).Status(); err != nil || th.PID != c.proc.Pid {
		t.Errorf("main thread status %d %v", th.PID, err)
	}
	n := 0
	for th, err := range p.Threads() {
		if err != nil {
			t.Fatal(err)
		}
		if _, err := th.Stat(); err != nil {
			t.Errorf("thread %v: %v", th, err)
		}
		n++
	}
	if n < 1 {
		t.Error("no threads")
	}
	// Files a kernel lacks are missing, not a dead process.
	if _, err := p.Stat(); err != nil {
		t.Fatal(err)
	}
	missing := p.withFile("no-such-file", false, func([]byte) error { return nil })
	if !errors.Is(missing, fs.ErrNotExist) || errors.Is(missing, os.ErrProcessDone) {
		t.Errorf("missing file of a live process: %v", missing)
	}

	// Killed but not reaped: a zombie, still readable.
	if err := c.proc.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		st, err := p.Stat()
		if err != nil {
			t.Fatal(err)
		}
		if st.State == StateZombie {
			if !st.ExitCode.Signaled() || st.ExitCode.Signal() != syscall.SIGKILL {
				t.Errorf("zombie exit code %#x", uint32(st.ExitCode))
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not a zombie: %v", st.State)
		}
	}

	// Reaped: every read fails with ErrProcessDone.
	if _, err := c.proc.Wait(); err != nil {
		t.Fatal(err)
	}
	checkReadsDone(t, p)
	_, err = Default().ProcFromPidFD(c.pidfd)
	checkDone(t, "anchor after reap", err)

	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := p.Stat(); !errors.Is(err, fs.ErrClosed) {
		t.Errorf("read after Close: %v", err)
	}
	for _, err := range p.Threads() {
		if !errors.Is(err, fs.ErrClosed) {
			t.Errorf("threads after Close: %v", err)
		}
	}
}

func checkReadsDone(t *testing.T, p Proc) {
	t.Helper()
	_, err := p.Stat()
	checkDone(t, "Stat", err)
	_, err = p.Status()
	checkDone(t, "Status", err)
	_, err = p.Statm()
	checkDone(t, "Statm", err)
	_, err = p.Comm()
	checkDone(t, "Comm", err)
	_, err = p.Limits()
	checkDone(t, "Limits", err)
	_, err = p.IO()
	checkDone(t, "IO", err)
	_, err = p.Cmdline()
	checkDone(t, "Cmdline", err)
	_, err = p.Environ()
	checkDone(t, "Environ", err)
	_, err = p.Thread(p.PID())
	checkDone(t, "Thread", err)
	for _, err := range p.Threads() {
		checkDone(t, "Threads", err)
	}
}

func TestProcFromPidFDErrors(t *testing.T) {
	f, err := os.Open("/dev/null")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := Default().ProcFromPidFD(f); err == nil || errors.Is(err, os.ErrProcessDone) {
		t.Errorf("not a pidfd: %v", err)
	}
	f.Close()
	if _, err := Default().ProcFromPidFD(f); err == nil || errors.Is(err, os.ErrProcessDone) {
		t.Errorf("closed file: %v", err)
	}
}

// TestAnchorSurvivesPIDReuse makes the kernel hand a reaped process's PID
// to a new process (ns_last_pid in a fresh PID namespace) and checks that
// the anchored Proc refuses to read the newcomer while a path-based Proc
// reads it.
func TestAnchorSurvivesPIDReuse(t *testing.T) {
	testutil.RunInChild(t, &testutil.ChildOptions{
		Cloneflags:  syscall.CLONE_NEWUSER | syscall.CLONE_NEWPID | syscall.CLONE_NEWNS,
		UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getuid(), Size: 1}},
		GidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getgid(), Size: 1}},
	}, func(t *testing.T) {
		if err := syscall.Mount("", "/", "", syscall.MS_REC|syscall.MS_PRIVATE, ""); err != nil {
			t.Skipf("make / private: %v", err)
		}
		root := t.TempDir()
		dir := filepath.Join(root, "proc")
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := syscall.Mount("proc", dir, "proc", 0, ""); err != nil {
			t.Skipf("mount proc: %v", err)
		}
		defer syscall.Unmount(dir, syscall.MNT_DETACH)
		fsys, err := NewFS(root)
		if err != nil {
			t.Fatal(err)
		}
		lastPID := filepath.Join(dir, "sys/kernel/ns_last_pid")
		first := spawnChild(t, "first", []string{"first"}, nil, true)
		if first.pidfd == nil {
			t.Skip("no pidfd")
		}
		p, err := fsys.ProcFromPidFD(first.pidfd)
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		pid := p.PID()
		if c, err := p.Comm(); err != nil || !c.Equal("first") {
			t.Fatalf("comm %q %v", c.String(), err)
		}
		first.stop()

		// The next fork gets pid again.
		if err := os.WriteFile(lastPID, []byte(strconv.Itoa(pid-1)), 0); err != nil {
			t.Skipf("ns_last_pid: %v", err)
		}
		second := spawnChild(t, "second", []string{"second"}, nil, false)
		if second.proc.Pid != pid {
			t.Skipf("PID not reused: got %d, want %d", second.proc.Pid, pid)
		}
		if c, err := mustProc(t, fsys, pid).Comm(); err != nil || !c.Equal("second") {
			t.Errorf("path-based read of the new process: %q %v", c.String(), err)
		}
		checkReadsDone(t, p)
	})
}

func TestOpenProc(t *testing.T) {
	c := spawnChild(t, "opened", []string{"opened"}, nil, false)
	p, err := Default().OpenProc(c.proc.Pid)
	testutil.SkipIfUnsupported(t, err, kernel.V(5, 3))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if !p.Anchored() || p.PID() != c.proc.Pid {
		t.Fatalf("OpenProc: anchored %v pid %d", p.Anchored(), p.PID())
	}
	if st, err := p.Stat(); err != nil || !st.Comm.Equal("opened") {
		t.Errorf("stat %q %v", st.Comm.String(), err)
	}
	// The pidfd: a duplicate the caller owns, valid after p is closed.
	f, err := p.PidFD()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if pid, err := Default().PidfdPID(f); err != nil || pid != c.proc.Pid {
		t.Errorf("PidfdPID = %d, %v; want %d", pid, err, c.proc.Pid)
	}
	th := mustThread(t, p, c.proc.Pid)
	if g, err := th.PidFD(); err != nil {
		t.Errorf("PidFD of a thread: %v", err)
	} else {
		g.Close()
	}

	c.stop()
	checkReadsDone(t, p)
	if _, err := Default().PidfdPID(f); !errors.Is(err, os.ErrProcessDone) {
		t.Errorf("PidfdPID after reap: %v", err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := p.PidFD(); !errors.Is(err, fs.ErrClosed) {
		t.Errorf("PidFD after Close: %v", err)
	}
	if _, err := p.Stat(); !errors.Is(err, fs.ErrClosed) {
		t.Errorf("read after Close: %v", err)
	}
	// The duplicate outlives p.
	if _, err := f.Stat(); err != nil {
		t.Errorf("duplicate after Close: %v", err)
	}
	// A path-based Proc has no pidfd.
	if _, err := Default().Self().PidFD(); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("PidFD of a path-based Proc: %v", err)
	}
}

// TestOpenProcThread asks for a thread id that is not a process id: the
// error says whose thread it is, and it is "no such process", not
// "exited". pidfd_open says EINVAL for a thread id before 6.18 and
// ENOENT after, so the error is not a sign of a missing pidfd_open: that
// is asked of the probe first (without it OpenProc reads by path, where a
// thread's hidden directory exists).
func TestOpenProcThread(t *testing.T) {
	testutil.SkipIfUnsupported(t, feature.PidfdOpen.Check(), kernel.V(5, 3))
	tid := otherThread(t)
	_, err := Default().OpenProc(tid)
	want := fmt.Sprintf("%d is a thread of process %d", tid, os.Getpid())
	if !errors.Is(err, syscall.ESRCH) || errors.Is(err, os.ErrProcessDone) || !strings.Contains(err.Error(), want) {
		t.Errorf("OpenProc(thread %d): %v, want ESRCH saying %q", tid, err, want)
	}
	var np *NoProcessError
	if !errors.As(err, &np) || np.PID != tid || np.ThreadOf != os.Getpid() || np.Err == nil {
		t.Errorf("OpenProc(thread %d): %#v, want a *NoProcessError with ThreadOf %d", tid, err, os.Getpid())
	}
}

// TestNoProcessError checks the error of a pid that names no process, from
// each way of opening one: a *NoProcessError with the pid, matching
// ESRCH and fs.ErrNotExist, never os.ErrProcessDone, and for a thread id
// asked of the wrong process, naming that process.
func TestNoProcessError(t *testing.T) {
	const gone = 1 << 30 // above pid_max (at most 2^22): never a process
	self, err := Default().Proc(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		what string
		open func() (Proc, error)
		msg  string
	}{
		{"Proc", func() (Proc, error) { return Default().Proc(gone) }, "procfs: no such process: pid 1073741824"},
		{"OpenProc", func() (Proc, error) { return Default().OpenProc(gone) }, "procfs: no such process: pid 1073741824"},
		{"Thread", func() (Proc, error) { return self.Thread(gone) },
			fmt.Sprintf("procfs: no such thread: tid 1073741824 in process %d", os.Getpid())},
	} {
		_, err := c.open()
		var np *NoProcessError
		if !errors.As(err, &np) || np.PID != gone || np.ThreadOf != 0 {
			t.Errorf("%s: %#v, want a *NoProcessError for %d", c.what, err, gone)
			continue
		}
		if !errors.Is(err, syscall.ESRCH) || !errors.Is(err, fs.ErrNotExist) || errors.Is(err, os.ErrProcessDone) {
			t.Errorf("%s: %v matches ESRCH %v, fs.ErrNotExist %v, os.ErrProcessDone %v", c.what, err,
				errors.Is(err, syscall.ESRCH), errors.Is(err, fs.ErrNotExist), errors.Is(err, os.ErrProcessDone))
		}
		if err.Error() != c.msg {
			t.Errorf("%s: %q, want %q", c.what, err, c.msg)
		}
	}
	// Err is the kernel's answer, and may be nil.
	if err := (&NoProcessError{PID: 5}); !errors.Is(err, syscall.ESRCH) || errors.Unwrap(err) != nil {
		t.Errorf("NoProcessError without Err: %v", err)
	}
}

func TestPidfdPID(t *testing.T) {
	f, err := os.Open("/dev/null")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := Default().PidfdPID(f); !errors.Is(err, fs.ErrInvalid) || errors.Is(err, os.ErrProcessDone) {
		t.Errorf("PidfdPID of /dev/null: %v", err)
	}
	for _, c := range []struct {
		fixture string
		pid     int
	}{{"fdinfo-6.18-pidfd", 0}, {"fdinfo-6.18-pidfd-exited", -1}} {
		info, err := parseFDInfo(readFixture(t, c.fixture))
		if err != nil || !info.Pidfd || (c.pid != 0 && info.PidfdPID != c.pid) || (c.pid == 0 && info.PidfdPID <= 0) {
			t.Errorf("%s: %+v, %v", c.fixture, info, err)
		}
	}
}

// otherThread returns the id of a thread of this process that is not the
// main thread: a goroutine locks its thread until the test ends, and if
// that is the main thread, a second one (which then cannot get it) does.
func otherThread(t *testing.T) int {
	t.Helper()
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	for range 2 {
		tidc := make(chan int)
		go func() {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			tidc <- syscall.Gettid()
			<-release
		}()
		if tid := <-tidc; tid != os.Getpid() {
			return tid
		}
	}
	t.Fatal("no thread but the main one")
	return 0
}
