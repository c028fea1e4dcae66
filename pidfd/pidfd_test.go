package pidfd

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/lxgo/lx/internal/feature"
	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/internal/testutil"
	"github.com/lxgo/lx/kernel"
)

// fdFlags returns the "flags:" word of /proc/self/fdinfo for the pidfd.
func fdFlags(t *testing.T, f interface {
	SyscallConn() (syscall.RawConn, error)
}) string {
	t.Helper()
	rc, err := f.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var b []byte
	var rerr error
	rc.Control(func(fd uintptr) {
		b, rerr = os.ReadFile("/proc/self/fdinfo/" + strconv.Itoa(int(fd)))
	})
	if rerr != nil {
		t.Fatal(rerr)
	}
	for l := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(l, "flags:"); ok {
			return strings.TrimSpace(v)
		}
	}
	t.Fatalf("no flags in fdinfo:\n%s", b)
	return ""
}

// flagsHave reports whether the octal fdinfo flags word has bit.
func flagsHave(t *testing.T, flags string, bit int) bool {
	t.Helper()
	var v int
	for _, c := range flags {
		if c < '0' || c > '7' {
			t.Fatalf("bad flags %q", flags)
		}
		v = v*8 + int(c-'0')
	}
	return v&bit != 0
}

func TestOpenFlags(t *testing.T) {
	_, c := sleeper(t)
	fd, err := Open(c.PID(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer fd.Close()
	if fd.PID() != c.PID() {
		t.Errorf("PID() = %d, want %d", fd.PID(), c.PID())
	}
	flags := fdFlags(t, fd)
	if !flagsHave(t, flags, sys.O_CLOEXEC) || !flagsHave(t, flags, sys.O_NONBLOCK) {
		t.Errorf("flags %s: want O_CLOEXEC|O_NONBLOCK", flags)
	}
	// The adopted CLONE_PIDFD fd gets the same treatment.
	if flags := fdFlags(t, c); !flagsHave(t, flags, sys.O_CLOEXEC) || !flagsHave(t, flags, sys.O_NONBLOCK) {
		t.Errorf("FromCmd flags %s: want O_CLOEXEC|O_NONBLOCK", flags)
	}
}

func TestOpenErrors(t *testing.T) {
	for _, pid := range []int{0, -1} {
		if _, err := Open(pid, nil); err == nil || !strings.Contains(err.Error(), "invalid pid") {
			t.Errorf("Open(%d) = %v, want invalid pid", pid, err)
		}
	}
	// A reaped child's PID is free: ESRCH (unless reused in between,
	// which the test cannot rule out, so only check the error kind).
	cmd := exec.Command("/bin/sh", "-c", "exit 0")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	if fd, err := Open(cmd.Process.Pid, nil); err == nil {
		fd.Close()
		t.Logf("pid %d was reused already", cmd.Process.Pid)
	} else if !errors.Is(err, syscall.ESRCH) || strings.Contains(err.Error(), "OpenOptions.Thread") {
		t.Errorf("Open(reaped) = %v, want ESRCH without a thread hint", err)
	}
}

// Regression: a pid above 2^31-1 reached pidfd_open cut to 32 bits, so
// Open(1<<32 + child) opened the child and Kill killed it, and
// Open(1<<32 + 1) opened init. Such a pid is now an error matching
// fs.ErrInvalid that names it, and no process is touched.
func TestOpenPIDOutOfRange(t *testing.T) {
	_, c := sleeper(t)
	child := c.PID()
	maxPID := kernel.MaxPID
	pids := []int{-child, maxPID + 1} // 2147483648 (on 32-bit the sum wraps, and is still invalid)
	if strconv.IntSize == 64 {
		shift := 32 // a variable, so that 1<<shift compiles on 32-bit too
		pids = append(pids, 1<<shift+child, 1<<shift+1, -1<<shift+child)
	}
	for _, pid := range pids {
		fd, err := Open(pid, nil)
		if err == nil {
			fd.Close() // never Kill: it may be another process
			t.Errorf("Open(%d) succeeded (pid %d?)", pid, fd.PID())
			continue
		}
		if !errors.Is(err, fs.ErrInvalid) || !strings.Contains(err.Error(), strconv.Itoa(pid)) {
			t.Errorf("Open(%d) = %v, want fs.ErrInvalid naming the pid", pid, err)
		}
		if strings.Contains(err.Error(), "thread") {
			t.Errorf("Open(%d) = %v: the thread hint is not the cause", pid, err)
		}
	}
	if exited, err := c.Exited(); err != nil || exited {
		t.Fatalf("child Exited() = %v, %v after the out-of-range opens", exited, err)
	}
	if err := c.Signal(0, nil); err != nil {
		t.Errorf("child gone: %v", err)
	}
}

// Open without OpenOptions.Thread on a thread that is not its process's
// leader fails (EINVAL before 6.9, ENOENT since) with advice to use
// OpenOptions.Thread that names the process.
func TestOpenThreadHint(t *testing.T) {
	tids := make(chan int)
	release := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		runtime.LockOSThread()
		tids <- sys.Gettid()
		<-release
		// Exit with the thread locked: the runtime terminates it.
	}()
	tid := <-tids
	defer func() { close(release); <-done }()
	if tid == os.Getpid() {
		t.Skip("goroutine ran on the main thread")
	}
	// pidfd_open itself must exist; its EINVAL below is the answer for a
	// thread before 6.9, not a missing feature.
	testutil.SkipIfUnsupported(t, feature.PidfdOpen.Check(), kernel.Version{})
	fd, err := Open(tid, nil)
	if err == nil {
		fd.Close()
		t.Fatalf("Open(%d), a non-leader thread, without Thread succeeded", tid)
	}
	if !errors.Is(err, syscall.ENOENT) && !errors.Is(err, syscall.EINVAL) {
		t.Errorf("Open(thread) = %v, want ENOENT or EINVAL", err)
	}
	want := "thread of process " + strconv.Itoa(os.Getpid())
	if !strings.Contains(err.Error(), "OpenOptions.Thread") || !strings.Contains(err.Error(), want) {
		t.Errorf("Open(thread) = %v, want the OpenOptions.Thread hint naming process %d", err, os.Getpid())
	}
}

func TestSelf(t *testing.T) {
	fd := self(t)
	if fd.PID() != os.Getpid() {
		t.Errorf("PID() = %d, want %d", fd.PID(), os.Getpid())
	}
	exited, err := fd.Exited()
	if err != nil || exited {
		t.Errorf("Exited() = %v, %v; want false", exited, err)
	}
}

func TestCloseIdempotent(t *testing.T) {
	fd, err := Self()
	if err != nil {
		t.Fatal(err)
	}
	if err := fd.Close(); err != nil {
		t.Fatal(err)
	}
	if err := fd.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := fd.Signal(0, nil); !errors.Is(err, os.ErrClosed) {
		t.Errorf("Signal after Close: %v, want os.ErrClosed", err)
	}
}

func TestFromProcess(t *testing.T) {
	cmd := exec.Command("/bin/sh", "-c", "exit 5")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Release()
	fd, err := FromProcess(cmd.Process)
	if err != nil {
		t.Fatal(err)
	}
	defer fd.Close()
	if st := wait(t, fd); st.Reason != Exited || st.Code != 5 || st.PID != cmd.Process.Pid {
		t.Errorf("status %+v, want exit 5 of %d", st, cmd.Process.Pid)
	}
	if _, err := FromProcess(nil); err == nil {
		t.Error("FromProcess(nil) succeeded")
	}
}

func TestFromCmd(t *testing.T) {
	pidfd := -1
	cmd := exec.Command("/bin/sh", "-c", "exit 4")
	cmd.SysProcAttr = &syscall.SysProcAttr{PidFD: &pidfd}
	if _, err := FromCmd(cmd); err == nil {
		t.Error("FromCmd before Start succeeded")
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Release()
	fd, err := FromCmd(cmd)
	if err != nil {
		t.Fatal(err)
	}
	defer fd.Close()
	if pidfd != -1 {
		t.Errorf("FromCmd left SysProcAttr.PidFD = %d, want -1", pidfd)
	}
	if _, err := FromCmd(cmd); err == nil {
		t.Error("second FromCmd succeeded")
	}
	if st := wait(t, fd); st.Code != 4 {
		t.Errorf("status %v, want exit status 4", st)
	}
	if _, err := FromCmd(exec.Command("/bin/true")); err == nil {
		t.Error("FromCmd without PidFD succeeded")
	}
}

func TestFromFile(t *testing.T) {
	pidfd := -1
	cmd := exec.Command("/bin/sh", "-c", "exit 6")
	cmd.SysProcAttr = &syscall.SysProcAttr{PidFD: &pidfd}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Release()
	// A blocking pidfd in an *os.File, as received from elsewhere.
	fd, err := FromFile(os.NewFile(uintptr(pidfd), "received"))
	if err != nil {
		t.Fatal(err)
	}
	defer fd.Close()
	if fd.PID() != cmd.Process.Pid {
		t.Errorf("PID() = %d, want %d", fd.PID(), cmd.Process.Pid)
	}
	if st := wait(t, fd); st.Code != 6 {
		t.Errorf("status %v, want exit status 6", st)
	}

	// Not a pidfd.
	f, err := os.Open("/dev/null")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := FromFile(f); !errors.Is(err, errNotPidfd) {
		t.Errorf("FromFile(/dev/null) = %v, want not a pidfd", err)
	}
	if err := f.Close(); !errors.Is(err, os.ErrClosed) {
		t.Errorf("FromFile did not close its argument: %v", err)
	}
}

// FromFileWithPID adopts the pidfd of a clone without asking the
// kernel who it is, and makes it non-blocking.
func TestFromFileWithPID(t *testing.T) {
	clone := -1
	pid, err := syscall.ForkExec("/bin/sh", []string{"sh", "-c", "exit 7"}, &syscall.ProcAttr{Sys: &syscall.SysProcAttr{PidFD: &clone}})
	if err != nil {
		t.Fatal(err)
	}
	if clone < 0 {
		t.Fatalf("no clone pidfd for child %d", pid)
	}
	fd, err := FromFileWithPID(os.NewFile(uintptr(clone), "clone"), pid)
	if err != nil {
		syscall.Kill(pid, syscall.SIGKILL)
		syscall.Wait4(pid, nil, 0, nil)
		t.Fatal(err)
	}
	defer fd.Close()
	if fd.PID() != pid {
		t.Errorf("PID() = %d, want %d", fd.PID(), pid)
	}
	if !flagsHave(t, fdFlags(t, fd), sys.O_NONBLOCK) {
		t.Error("adopted clone pidfd is blocking")
	}
	if st := wait(t, fd); st.Code != 7 {
		t.Errorf("status %v, want exit status 7", st)
	}

	// A pid out of range is refused, and the file is closed all the same.
	bads := []int{0, -1}
	if above := int64(1) << 31; int64(int(above)) == above { // 64-bit int
		bads = append(bads, int(above))
	}
	for _, bad := range bads {
		f, err := os.Open("/dev/null")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := FromFileWithPID(f, bad); !errors.Is(err, fs.ErrInvalid) {
			t.Errorf("FromFileWithPID(pid %d) = %v, want fs.ErrInvalid", bad, err)
		}
		if err := f.Close(); !errors.Is(err, os.ErrClosed) {
			t.Errorf("FromFileWithPID(pid %d) did not close its argument: %v", bad, err)
		}
	}
	if _, err := FromFileWithPID(nil, 1); err == nil {
		t.Error("FromFileWithPID(nil) succeeded")
	}
}

func TestFromFileReaped(t *testing.T) {
	fd := reapedChild(t)
	rc, _ := fd.SyscallConn()
	var dup *sys.FD
	rc.Control(func(raw uintptr) { dup, _ = sys.Dup(int(raw)) })
	got, err := FromFile(dup.File("dup"))
	if err != nil {
		t.Fatal(err)
	}
	defer got.Close()
	if got.PID() != -1 {
		t.Errorf("PID() of a reaped process = %d, want -1", got.PID())
	}
}

// A PIDFD_THREAD pidfd for a thread of this process that is not the
// leader: a locked goroutine's thread.
func TestOpenThread(t *testing.T) {
	tids := make(chan int)
	release := make(chan struct{})
	var once sync.Once
	letGo := func() { once.Do(func() { close(release) }) }
	done := make(chan struct{})
	go func() {
		defer close(done)
		runtime.LockOSThread()
		tids <- sys.Gettid()
		<-release
		// Exit with the thread locked: the runtime terminates it.
	}()
	tid := <-tids
	defer func() { letGo(); <-done }()
	if tid == os.Getpid() {
		t.Skip("goroutine ran on the main thread")
	}
	fd, err := Open(tid, &OpenOptions{Thread: true})
	if err != nil {
		testutil.SkipIfUnsupported(t, err, kernel.V(6, 9))
		t.Fatal(err)
	}
	defer fd.Close()
	if !flagsHave(t, fdFlags(t, fd), sys.PIDFD_THREAD) {
		t.Error("fdinfo flags lack PIDFD_THREAD (O_EXCL)")
	}
	if fd.PID() != tid {
		t.Errorf("PID() = %d, want %d", fd.PID(), tid)
	}
	// Without Thread, a non-leader thread id is rejected.
	if fd2, err := Open(tid, nil); err == nil {
		fd2.Close()
		t.Error("Open(tid) without Thread succeeded")
	} else if !errors.Is(err, syscall.ENOENT) && !errors.Is(err, syscall.EINVAL) {
		// ENOENT since 6.9, EINVAL before.
		t.Errorf("Open(tid) without Thread: %v, want ENOENT or EINVAL", err)
	}
	// A blocking thread pidfd adopted with FromFile stays a thread pidfd.
	braw, err := sys.PidfdOpen(tid, sys.PIDFD_THREAD)
	if err != nil {
		t.Fatal(err)
	}
	adopted, err := FromFile(braw.File("thread"))
	if err != nil {
		t.Fatal(err)
	}
	defer adopted.Close()
	if fl := fdFlags(t, adopted); !flagsHave(t, fl, sys.PIDFD_THREAD) || !flagsHave(t, fl, sys.O_NONBLOCK) {
		t.Errorf("adopted thread pidfd flags %s", fl)
	}
	in, err := fd.Info()
	if err != nil {
		t.Fatal(err)
	}
	if in.PID != tid || in.TGID != os.Getpid() {
		t.Errorf("Info: pid %d tgid %d, want %d %d", in.PID, in.TGID, tid, os.Getpid())
	}
	if err := fd.Signal(0, &SignalOptions{Scope: ScopeThread}); err != nil {
		t.Errorf("Signal(0, thread): %v", err)
	}
	if exited, err := fd.Exited(); err != nil || exited {
		t.Fatalf("Exited() = %v, %v before the thread exits", exited, err)
	}
	// Let the locked goroutine return; its thread exits and the thread
	// pidfd becomes readable.
	letGo()
	<-done
	if err := fd.WaitExited(t.Context()); err != nil {
		t.Fatal(err)
	}
	// Only the parent can reap; a thread of one's own process is not a child.
	if _, err := fd.Wait(t.Context()); !errors.Is(err, syscall.ECHILD) {
		t.Errorf("Wait on a thread pidfd: %v, want ECHILD", err)
	}
}

// FromCmd must not make the runtime's duplicate non-blocking: cmd.Wait
// still works.
func TestFromCmdKeepsCmdWait(t *testing.T) {
	pidfd := -1
	cmd := exec.Command("/bin/sleep", "1000")
	cmd.SysProcAttr = &syscall.SysProcAttr{PidFD: &pidfd}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Release()
	fd, err := FromCmd(cmd)
	if err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatal(err)
	}
	defer fd.Close()
	errc := make(chan error, 1)
	go func() { errc <- cmd.Wait() }() // blocks in waitid until the kill
	if err := fd.Kill(); err != nil {
		t.Fatal(err)
	}
	var ee *exec.ExitError
	if err := <-errc; !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("cmd.Wait after FromCmd = %v, want signal: killed", err)
	}
	if _, err := fd.Wait(t.Context()); !isDone(err) {
		t.Errorf("Wait after cmd.Wait = %v, want os.ErrProcessDone", err)
	}
}

// FromFile leaves a shared blocking description blocking.
func TestFromFileSharedFlags(t *testing.T) {
	_, c := sleeper(t)
	raw, err := sys.PidfdOpen(c.PID(), 0) // blocking
	if err != nil {
		t.Fatal(err)
	}
	other, err := sys.Dup(raw.Int()) // another holder of the description
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	fd, err := FromFile(raw.File("shared"))
	if err != nil {
		t.Fatal(err)
	}
	defer fd.Close()
	if fl, err := sys.FcntlGetfl(other.Int()); err != nil || fl&sys.O_NONBLOCK != 0 {
		t.Errorf("the other holder's flags = %#o, %v; want blocking", fl, err)
	}
	if !flagsHave(t, fdFlags(t, fd), sys.O_NONBLOCK) {
		t.Error("adopted pidfd is blocking")
	}
	if same, err := SameProcess(fd, c); err == nil && !same {
		t.Error("adopted pidfd refers to another process")
	}
	c.Kill()
	if err := fd.WaitExited(t.Context()); err != nil {
		t.Fatal(err)
	}
}
