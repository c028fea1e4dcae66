package sys

import (
	"os"
	"runtime"
	"strings"
	"syscall"
	"testing"
)

// TestPtraceStopLimitDetach holds a child started with SysProcAttr.Ptrace
// at its exec stop, lowers a limit of it, lets it go, and waits for it to
// end without reaping it: what package spawn does for Rlimits.
func TestPtraceStopLimitDetach(t *testing.T) {
	runtime.LockOSThread() // the tracer is the forking thread
	defer runtime.UnlockOSThread()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	pid, err := syscall.ForkExec("/bin/sh", []string{"sh", "-c", "ulimit -n -H"}, &syscall.ProcAttr{
		Files: []uintptr{0, w.Fd(), 2},
		Sys:   &syscall.SysProcAttr{Ptrace: true, Pdeathsig: syscall.SIGKILL},
	})
	w.Close()
	if err != nil {
		t.Fatal(err)
	}
	st, err := WaitStop(pid)
	if err != nil || !st.Stopped || st.Sig != syscall.SIGTRAP {
		Kill(pid, syscall.SIGKILL)
		Waitid(P_PID, pid, WEXITED)
		t.Fatalf("WaitStop = %+v, %v; want the exec stop (SIGTRAP)", st, err)
	}
	if err := Prlimit(pid, syscall.RLIMIT_NOFILE, 100, 123); err != nil {
		t.Error(err)
	}
	if err := PtraceDetach(pid, 0); err != nil {
		t.Fatal(err)
	}
	if err := WaitExitedNoReap(P_PID, pid); err != nil {
		t.Fatal(err)
	}
	// Still there to be reaped.
	c, err := Waitid(P_PID, pid, WEXITED|WNOHANG)
	if err != nil || c.Pid != pid || c.Status != 0 {
		t.Errorf("reap after WaitExitedNoReap: %+v, %v", c, err)
	}
	b := make([]byte, 64)
	n, _ := r.Read(b)
	if got := strings.TrimSpace(string(b[:n])); got != "123" {
		t.Errorf("child's hard NOFILE limit %q, want 123", got)
	}
}

// WaitStop of a traced child that is killed before its stop reports the
// end and leaves the child to be reaped.
func TestWaitStopEnded(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	pid, err := syscall.ForkExec("/bin/sh", []string{"sh", "-c", "exit 3"}, &syscall.ProcAttr{Sys: &syscall.SysProcAttr{Ptrace: true}})
	if err != nil {
		t.Fatal(err)
	}
	st, err := WaitStop(pid)
	if err != nil || !st.Stopped {
		t.Fatalf("WaitStop = %+v, %v", st, err)
	}
	if err := Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if err := PtraceDetach(pid, 0); err != nil && Errno(err) != ESRCH {
		t.Fatal(err)
	}
	st, err = WaitStop(pid)
	if err != nil || st.Stopped {
		t.Fatalf("WaitStop after SIGKILL = %+v, %v; want an end", st, err)
	}
	if c, err := Waitid(P_PID, pid, WEXITED); err != nil || c.Pid != pid || c.Status != int32(syscall.SIGKILL) {
		t.Errorf("reap: %+v, %v", c, err)
	}
}
