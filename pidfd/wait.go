package pidfd

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/lxgo/lx/internal/abi"
	"github.com/lxgo/lx/internal/feature"
	"github.com/lxgo/lx/internal/poll"
	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/signal"
)

// ErrNotChild is matched (with errors.Is) by the error Wait returns for a
// running process that is not a child of the caller: only the parent (or a
// subreaper that inherited it) can reap a process. Use WaitExited to wait
// for any process's exit. The error also matches syscall.ECHILD.
var ErrNotChild = errors.New("process is not a child of the caller")

// ExitReason says how a process ended: the CLD_* si_code of SIGCHLD. The
// zero value means no exit has been seen.
type ExitReason uint8

const (
	Exited ExitReason = abi.CLD_EXITED // called exit(2) or returned from main
	Killed ExitReason = abi.CLD_KILLED // killed by a signal
	Dumped ExitReason = abi.CLD_DUMPED // killed by a signal and dumped core
)

// String returns "exited", "killed" or "dumped"; the zero value is "none".
func (r ExitReason) String() string {
	switch r {
	case 0:
		return "none"
	case Exited:
		return "exited"
	case Killed:
		return "killed"
	case Dumped:
		return "dumped"
	}
	return "ExitReason(" + strconv.Itoa(int(r)) + ")"
}

// ExitStatus is how a process ended. The zero value, which Wait and
// TryWait return with an error or before the process has exited, is no
// status at all.
type ExitStatus struct {
	Reason ExitReason
	// Code is the exit code (0 to 255) when Reason is Exited.
	Code int
	// Signal is the signal that killed the process when Reason is Killed
	// or Dumped (Sys converts it for package os and syscall).
	Signal signal.Signal
	// PID is the process id that was reaped; 0 when the status came from
	// PIDFD_GET_INFO.
	PID int
	// Rusage is the resource usage of the process and its waited-for
	// descendants, from waitid(2); nil when the status came from
	// PIDFD_GET_INFO.
	Rusage *Rusage
}

// Success reports whether the process exited with code 0.
func (s ExitStatus) Success() bool { return s.Reason == Exited && s.Code == 0 }

// CoreDumped reports whether the process was killed and dumped core.
func (s ExitStatus) CoreDumped() bool { return s.Reason == Dumped }

// String formats s in the shape of os.ProcessState, with the signal's
// kernel name: "exit status 3", "signal: SIGTERM", "signal: SIGSEGV (core
// dumped)"; the zero value is "no exit status".
func (s ExitStatus) String() string {
	switch s.Reason {
	case 0:
		return "no exit status"
	case Exited:
		return "exit status " + strconv.Itoa(s.Code)
	case Killed:
		return "signal: " + s.Signal.String()
	case Dumped:
		return "signal: " + s.Signal.String() + " (core dumped)"
	}
	return s.Reason.String()
}

// exitFromWaitStatus decodes a wait(2) status word, as PIDFD_GET_INFO's
// exit_code holds.
func exitFromWaitStatus(ws int32) ExitStatus {
	if ws&0x7f == 0 {
		return ExitStatus{Reason: Exited, Code: int(ws>>8) & 0xff}
	}
	r := Killed
	if ws&0x80 != 0 {
		r = Dumped
	}
	return ExitStatus{Reason: r, Signal: signal.Signal(ws & 0x7f)}
}

// Rusage is struct rusage (getrusage(2)) in base units.
type Rusage struct {
	UserTime, SystemTime time.Duration
	// MaxRSS is the peak resident set size in bytes.
	MaxRSS int64
	// MinorFaults and MajorFaults count page faults without and with I/O.
	MinorFaults, MajorFaults int64
	// InBlocks and OutBlocks count file system blocks (512 bytes) read
	// and written.
	InBlocks, OutBlocks int64
	// VoluntarySwitches and InvoluntarySwitches count context switches.
	VoluntarySwitches, InvoluntarySwitches int64
}

// Wait waits for the process to exit, reaps it and returns its status
// (waitid(2) with P_PIDFD, Linux 5.4). The goroutine parks in the runtime
// poller until the pidfd is readable; no OS thread is blocked.
//
// Only the parent can reap. For a running process that is not a child of
// the caller, Wait returns at once with an error matching ErrNotChild and
// syscall.ECHILD. If the process has already exited and been reaped by
// someone else (os/exec's Cmd.Wait, another Wait on this FD or a dup of
// it), Wait returns an error matching os.ErrProcessDone and syscall.ECHILD;
// [FD.Info] can still report the exit status there (Linux 6.15).
//
// When ctx is done first, Wait returns ctx.Err() and the process is left
// alone. When the FD is closed, Wait returns an error matching
// os.ErrClosed.
func (f *FD) Wait(ctx context.Context) (ExitStatus, error) {
	backoff := time.Millisecond
	for {
		st, ok, err := f.TryWait()
		if err != nil || ok {
			return st, err
		}
		exited, err := f.Exited()
		if err != nil {
			return ExitStatus{}, fmt.Errorf("pidfd wait: %w", err)
		}
		if !exited {
			if err := f.pfd.WaitReadable(ctx); err != nil {
				return ExitStatus{}, fmt.Errorf("pidfd wait: %w", err)
			}
			continue
		}
		// Readable, yet not waitable: a ptraced child whose tracer has
		// not reaped it yet, or the moment between exit and
		// notification. The level stays readable, so back off instead
		// of spinning on the poller.
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return ExitStatus{}, fmt.Errorf("pidfd wait: %w", ctx.Err())
		case <-t.C:
		}
		backoff = min(2*backoff, 100*time.Millisecond)
	}
}

// TryWait reaps the process if it has exited, without blocking
// (waitid(2) with WNOHANG). ok is false while the process is still
// running. Errors are those of Wait.
func (f *FD) TryWait() (st ExitStatus, ok bool, err error) {
	c, err := poll.ControlT(f.pfd, "waitid", func(fd int) (sys.WaitResult, error) {
		return sys.Waitid(sys.P_PIDFD, fd, sys.WEXITED|sys.WNOHANG|sys.WALL)
	})
	if err != nil {
		return ExitStatus{}, false, f.waitError(err)
	}
	if c.Pid == 0 {
		return ExitStatus{}, false, nil
	}
	st = ExitStatus{Reason: ExitReason(c.Code), PID: c.Pid, Rusage: &Rusage{
		UserTime:            c.Rusage.Utime,
		SystemTime:          c.Rusage.Stime,
		MaxRSS:              c.Rusage.MaxrssKB * 1024,
		MinorFaults:         c.Rusage.Minflt,
		MajorFaults:         c.Rusage.Majflt,
		InBlocks:            c.Rusage.Inblock,
		OutBlocks:           c.Rusage.Oublock,
		VoluntarySwitches:   c.Rusage.Nvcsw,
		InvoluntarySwitches: c.Rusage.Nivcsw,
	}}
	if st.Reason == Exited {
		st.Code = int(c.Status)
	} else {
		st.Signal = signal.Signal(c.Status)
	}
	return st, true, nil
}

func (f *FD) waitError(err error) error {
	switch sys.Errno(err) {
	case sys.ECHILD:
		exited, xerr := f.Exited()
		if xerr == nil && !exited {
			return fmt.Errorf("pidfd wait %d: %w (%w)", f.pid, ErrNotChild, err)
		}
		return fmt.Errorf("pidfd wait %d: exited and not waitable by the caller (already reaped, or not a child): %w", f.pid, processDone(err))
	case sys.EINVAL:
		if perr := feature.PidfdWaitid.Check(); errors.Is(perr, errors.ErrUnsupported) {
			err = perr
		}
	}
	return fmt.Errorf("pidfd wait %d: %w", f.pid, err)
}

// WaitExited waits until the process has exited (for a PIDFD_THREAD pidfd,
// until the thread has exited), without reaping it. It works for any
// process, child or not, and parks the goroutine in the poller. A process
// that has exited may still be a zombie: its parent reaps it.
func (f *FD) WaitExited(ctx context.Context) error {
	if err := f.pfd.WaitReadable(ctx); err != nil {
		return fmt.Errorf("pidfd wait exited: %w", err)
	}
	return nil
}

// Exited reports, without blocking, whether the process has exited (the
// pidfd is readable, poll(2)).
func (f *FD) Exited() (bool, error) {
	ok, err := f.pfd.Readable()
	if err != nil {
		return false, fmt.Errorf("pidfd exited: %w", err)
	}
	return ok, nil
}
