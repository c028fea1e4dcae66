package pidfd

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"syscall"

	"github.com/lxgo/lx/internal/feature"
	"github.com/lxgo/lx/internal/poll"
	"github.com/lxgo/lx/internal/sys"
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

// SigCode is a siginfo si_code. Negative codes mean "sent by a user
// process"; positive ones are kernel-generated and signal-specific
// (SEGV_MAPERR, ...).
type SigCode int32

// si_code values valid for every signal (include/uapi/asm-generic/siginfo.h).
const (
	CodeUser    SigCode = 0    // SI_USER: kill(2)
	CodeKernel  SigCode = 0x80 // SI_KERNEL
	CodeQueue   SigCode = -1   // SI_QUEUE: sigqueue(3)
	CodeTimer   SigCode = -2   // SI_TIMER: POSIX timer expiry
	CodeMesgq   SigCode = -3   // SI_MESGQ: message queue state change
	CodeAsyncIO SigCode = -4   // SI_ASYNCIO: AIO completion
	CodeSigIO   SigCode = -5   // SI_SIGIO: queued SIGIO
	CodeTkill   SigCode = -6   // SI_TKILL: tkill(2)/tgkill(2)
)

// String returns the SI_* name of the generic codes and the number for the
// signal-specific ones.
func (c SigCode) String() string {
	switch c {
	case CodeUser:
		return "SI_USER"
	case CodeKernel:
		return "SI_KERNEL"
	case CodeQueue:
		return "SI_QUEUE"
	case CodeTimer:
		return "SI_TIMER"
	case CodeMesgq:
		return "SI_MESGQ"
	case CodeAsyncIO:
		return "SI_ASYNCIO"
	case CodeSigIO:
		return "SI_SIGIO"
	case CodeTkill:
		return "SI_TKILL"
	}
	return strconv.Itoa(int(c))
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
	// Code is si_code; the zero value means CodeQueue (SI_QUEUE), since
	// SI_USER is what a nil SigInfo already sends.
	Code SigCode
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
//
// Permission is that of kill(2): the caller's real or effective UID must
// match the target's real or saved UID, or the caller needs CAP_KILL in
// the target's user namespace. The pidfd must refer to a process in the
// caller's PID namespace or a descendant of it. After the process has been
// reaped, Signal returns an error matching os.ErrProcessDone and
// syscall.ESRCH; a zombie accepts (and ignores) signals.
func (f *FD) Signal(sig syscall.Signal, opts *SignalOptions) error {
	var scope SignalScope
	var si *SigInfo
	if opts != nil {
		scope, si = opts.Scope, opts.Info
	}
	flags, err := scope.flag()
	if err != nil {
		return fmt.Errorf("pidfd send %s: %w", signalName(sig), err)
	}
	var info *sys.Siginfo
	if si != nil {
		if si.Int != 0 && si.Ptr != 0 {
			return fmt.Errorf("pidfd send %s: SigInfo sets both Int and Ptr; si_value holds one", signalName(sig))
		}
		code := si.Code
		if code == 0 {
			code = CodeQueue
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
		return struct{}{}, sys.PidfdSendSignal(fd, sig, info, flags)
	})
	if err == nil {
		return nil
	}
	name := signalName(sig)
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
		if info != nil && (info.Code >= 0 || info.Code == int32(CodeTkill)) {
			return fmt.Errorf("pidfd send %s: siginfo code %v is allowed only for a thread signalling itself; use a negative code such as SI_QUEUE: %w", name, SigCode(info.Code), err)
		}
	}
	return fmt.Errorf("pidfd send %s: %w", name, err)
}

// Kill sends SIGKILL to the process. It is Signal(syscall.SIGKILL, nil).
func (f *FD) Kill() error { return f.Signal(syscall.SIGKILL, nil) }

// signalNames are the kernel's names of the standard signals. The values
// come from package syscall, which has each architecture's numbering.
// (The signal package will own this table; pidfd then uses its type.)
var signalNames = map[syscall.Signal]string{
	syscall.SIGHUP: "SIGHUP", syscall.SIGINT: "SIGINT", syscall.SIGQUIT: "SIGQUIT",
	syscall.SIGILL: "SIGILL", syscall.SIGTRAP: "SIGTRAP", syscall.SIGABRT: "SIGABRT",
	syscall.SIGBUS: "SIGBUS", syscall.SIGFPE: "SIGFPE", syscall.SIGKILL: "SIGKILL",
	syscall.SIGUSR1: "SIGUSR1", syscall.SIGSEGV: "SIGSEGV", syscall.SIGUSR2: "SIGUSR2",
	syscall.SIGPIPE: "SIGPIPE", syscall.SIGALRM: "SIGALRM", syscall.SIGTERM: "SIGTERM",
	syscall.SIGSTKFLT: "SIGSTKFLT", syscall.SIGCHLD: "SIGCHLD", syscall.SIGCONT: "SIGCONT",
	syscall.SIGSTOP: "SIGSTOP", syscall.SIGTSTP: "SIGTSTP", syscall.SIGTTIN: "SIGTTIN",
	syscall.SIGTTOU: "SIGTTOU", syscall.SIGURG: "SIGURG", syscall.SIGXCPU: "SIGXCPU",
	syscall.SIGXFSZ: "SIGXFSZ", syscall.SIGVTALRM: "SIGVTALRM", syscall.SIGPROF: "SIGPROF",
	syscall.SIGWINCH: "SIGWINCH", syscall.SIGIO: "SIGIO", syscall.SIGPWR: "SIGPWR",
	syscall.SIGSYS: "SIGSYS",
}

// signalName returns sig's kernel name ("SIGTERM"); signal 0, real-time
// signals (which have numbers, not names) and unknown values print as
// "signal N".
func signalName(sig syscall.Signal) string {
	if name, ok := signalNames[sig]; ok {
		return name
	}
	return "signal " + strconv.Itoa(int(sig))
}
