package sys

import (
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/lxgo/lx/internal/abi"
)

// ptrace(2): the little a parent needs to hold a child stopped before
// its program's first instruction and let it go again. A child started
// with syscall.SysProcAttr.Ptrace calls PTRACE_TRACEME and stops with
// SIGTRAP once execve(2) has succeeded; the tracer is the thread that
// forked it.

// PtraceDetach ends the tracing of pid, which must be in a ptrace stop
// (see WaitStop), and resumes it, delivering sig (0 for none: the SIGTRAP
// of an exec stop is then discarded). Only the tracing thread may call
// it; anyone else gets ESRCH.
func PtraceDetach(pid int, sig syscall.Signal) error {
	_, err := Syscall6("ptrace PTRACE_DETACH", unix.SYS_PTRACE, unix.PTRACE_DETACH, uintptr(pid), 0, uintptr(sig), 0, 0)
	return err
}

// StopResult is what WaitStop saw.
type StopResult struct {
	// Stopped: the child is in a ptrace stop with signal Sig. Otherwise
	// it has ended (Code is CLD_EXITED, CLD_KILLED or CLD_DUMPED) and is
	// left unreaped.
	Stopped bool
	Sig     syscall.Signal
	Code    int32
}

// WaitStop waits until the traced child pid stops or ends, without
// reaping it (waitid(2) P_PID with WSTOPPED|WEXITED|WNOWAIT|__WALL). The
// caller must be its tracer, or a ptrace stop is not reported to it.
func WaitStop(pid int) (StopResult, error) {
	var si unix.Siginfo
	err := retry(func() error {
		return unix.Waitid(unix.P_PID, pid, &si, unix.WSTOPPED|unix.WEXITED|unix.WNOWAIT|unix.WALL, nil)
	})
	if err != nil {
		return StopResult{}, wrap("waitid", err)
	}
	_, _, status := sigchld(&si)
	r := StopResult{Code: si.Code, Sig: syscall.Signal(status)}
	r.Stopped = si.Code == abi.CLD_TRAPPED || si.Code == abi.CLD_STOPPED
	return r, nil
}

// WaitExitedNoReap blocks until the child a pidfd (P_PIDFD, Linux 5.4)
// or a PID (P_PID) refers to has ended, and leaves it unreaped
// (waitid(2) WEXITED|WNOWAIT|__WALL), for a thread that must live exactly
// as long as its child. ECHILD means someone else reaped it first.
func WaitExitedNoReap(idType, id int) error {
	var si unix.Siginfo
	err := retry(func() error { return unix.Waitid(idType, id, &si, unix.WEXITED|unix.WNOWAIT|unix.WALL, nil) })
	return wrap("waitid", err)
}
