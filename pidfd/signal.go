package pidfd

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"

	"github.com/lxgo/lx/internal/feature"
	"github.com/lxgo/lx/internal/poll"
	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/signal"
)

// SignalScope says which tasks a signal sent through a pidfd reaches
// (the PIDFD_SIGNAL_* flags of pidfd_send_signal(2), Linux 6.9).
type SignalScope uint8

const (
	// ScopeDefault sends to the thread group of a process pidfd, or to
	// the thread of a PIDFD_THREAD pidfd.
	ScopeDefault SignalScope = iota
	// ScopeThread sends to the thread the pidfd refers to (for a process
	// pidfd, the thread-group leader), as tgkill(2) does.
	ScopeThread
	// ScopeThreadGroup sends to the whole thread group, as kill(2) does,
	// even through a PIDFD_THREAD pidfd.
	ScopeThreadGroup
	// ScopeProcessGroup treats the target's PID as a process group id and
	// sends to every process in that group, as kill(-pid) does: the
	// target must lead its process group, or the call fails with ESRCH.
	ScopeProcessGroup
)

var scopeNames = [...]string{"default", "thread", "thread-group", "process-group"}

func (s SignalScope) String() string {
	if int(s) < len(scopeNames) {
		return scopeNames[s]
	}
	return "SignalScope(" + strconv.Itoa(int(s)) + ")"
}

func (s SignalScope) flag() (int, error) {
	switch s {
	case ScopeDefault:
		return 0, nil
	case ScopeThread:
		return sys.PIDFD_SIGNAL_THREAD, nil
	case ScopeThreadGroup:
		return sys.PIDFD_SIGNAL_THREAD_GROUP, nil
	case ScopeProcessGroup:
		return sys.PIDFD_SIGNAL_PROCESS_GROUP, nil
	}
	return 0, fmt.Errorf("invalid signal scope %d", s)
}

// SigInfo is the siginfo a sender may choose, as with rt_sigqueueinfo(2):
// the code and the si_value union. lx fills si_signo with the signal and
// si_pid/si_uid with the caller's PID and real UID, as sigqueue(3) does.
//
// Kernel rule: a siginfo must carry a negative code (SI_QUEUE and below,
// but not SI_TKILL), so that user space cannot impersonate the kernel;
// otherwise the call fails with EPERM. The only exception is a thread
// signalling itself: the calling OS thread is the pidfd's task and the
// scope is not ScopeProcessGroup. (In Go that needs a locked thread and a
// PIDFD_THREAD pidfd for it, or the main thread.)
type SigInfo struct {
	// Code is si_code; the zero value means signal.CodeQueue (SI_QUEUE),
	// since SI_USER is what a nil SigInfo already sends.
	Code signal.Code
	// Int is si_value.sival_int.
	Int int32
	// Ptr is si_value.sival_ptr, an address meaningful to the receiver.
	// Set at most one of Int and Ptr.
	Ptr uintptr
}

// SignalOptions modify Signal. nil means ScopeDefault and no siginfo.
type SignalOptions struct {
	Scope SignalScope
	// Info, if not nil, is delivered as the signal's siginfo (the
	// receiver sees it with SA_SIGINFO, signalfd or sigwaitinfo).
	Info *SigInfo
}

// Signal sends sig through the pidfd (pidfd_send_signal(2), Linux 5.1;
// scopes 6.9). Signal 0 checks existence and permission without sending.
// sig must be 0..signal.RTMax (64); any other value gives an error
// matching fs.ErrInvalid before any system call. sig is a signal.Signal
// rather than a syscall.Signal so that errors name it as the kernel does
// ("SIGTERM", "SIGRTMIN+1"); a syscall.Signal s converts with
// signal.Signal(s).
//
// Permission is that of kill(2): the caller's real or effective UID must
// match the target's real or saved UID, or the caller needs CAP_KILL in
// the target's user namespace. The pidfd must refer to a process in the
// caller's PID namespace or a descendant of it. After the process has been
// reaped, Signal returns an error matching os.ErrProcessDone and
// syscall.ESRCH; a zombie accepts (and ignores) signals.
func (f *FD) Signal(sig signal.Signal, opts *SignalOptions) error {
	name := signalName(sig)
	if sig < 0 || sig > signal.RTMax {
		return fmt.Errorf("pidfd send %s: not a signal number (0..%d): %w", name, int(signal.RTMax), fs.ErrInvalid)
	}
	var scope SignalScope
	var si *SigInfo
	if opts != nil {
		scope, si = opts.Scope, opts.Info
	}
	flags, err := scope.flag()
	if err != nil {
		return fmt.Errorf("pidfd send %s: %w", name, err)
	}
	var info *sys.Siginfo
	if si != nil {
		if si.Int != 0 && si.Ptr != 0 {
			return fmt.Errorf("pidfd send %s: SigInfo sets both Int and Ptr; si_value holds one", name)
		}
		code := si.Code
		if code == 0 {
			code = signal.CodeQueue
		}
		value := si.Ptr
		if si.Ptr == 0 {
			value = uintptr(uint32(si.Int)) // sival_int: the low 32 bits (little-endian arches)
		}
		info = &sys.Siginfo{
			Signo: int32(sig), Code: int32(code),
			Pid: int32(os.Getpid()), Uid: uint32(os.Getuid()),
			Value: value,
		}
	}
	_, err = poll.ControlT(f.pfd, "pidfd_send_signal", func(fd int) (struct{}, error) {
		return struct{}{}, sys.PidfdSendSignal(fd, sig.Sys(), info, flags)
	})
	if err == nil {
		return nil
	}
	switch sys.Errno(err) {
	case sys.ESRCH:
		if scope == ScopeProcessGroup {
			return fmt.Errorf("pidfd send %s to process group %d: %w (the process has exited or does not lead a process group)", name, f.pid, err)
		}
		return fmt.Errorf("pidfd send %s: %w", name, processDone(err))
	case sys.ENOSYS:
		return fmt.Errorf("pidfd send %s: %w", name, feature.PidfdSendSignal.Unsupported(err))
	case sys.EINVAL:
		if flags != 0 {
			if perr := feature.PidfdSignalScope.Check(); errors.Is(perr, errors.ErrUnsupported) {
				return fmt.Errorf("pidfd send %s: %w", name, perr)
			}
		}
	case sys.EPERM:
		if info != nil && (info.Code >= 0 || info.Code == int32(signal.CodeTkill)) {
			return fmt.Errorf("pidfd send %s: siginfo code %s is allowed only for a thread signalling itself; use a negative code such as SI_QUEUE: %w", name, signal.Code(info.Code).Name(sig), err)
		}
	}
	return fmt.Errorf("pidfd send %s: %w", name, err)
}

// Kill sends SIGKILL to the process. It is Signal(signal.Kill, nil).
func (f *FD) Kill() error { return f.Signal(signal.Kill, nil) }

// signalName names sig in errors: the kernel's name ("SIGTERM"), or
// "signal 0" for the existence check.
func signalName(sig signal.Signal) string {
	if sig == 0 {
		return "signal 0"
	}
	return sig.String()
}
