package procfs

import (
	"iter"
	"strconv"
	"syscall"

	"github.com/lxgo/lx/internal/parse"
)

// SignalSet is a set of signals 1..64 as /proc/PID/status prints them
// (SigPnd, ShdPnd, SigBlk, SigIgn, SigCgt: 16 hex digits) and as the
// obsolete decimal fields 31-34 of /proc/PID/stat hold them: signal n is
// bit n-1. All architectures lx supports have 64 signals (_NSIG).
type SignalSet uint64

// Has reports whether sig is in the set.
func (s SignalSet) Has(sig syscall.Signal) bool {
	return sig >= 1 && sig <= 64 && s&(1<<(sig-1)) != 0
}

// Signals yields the signals in the set, in increasing order.
func (s SignalSet) Signals() iter.Seq[syscall.Signal] {
	return func(yield func(syscall.Signal) bool) {
		for i := range 64 {
			if s&(1<<i) != 0 && !yield(syscall.Signal(i+1)) {
				return
			}
		}
	}
}

// signalNames are the names of signals 1-31 on amd64, 386, arm64 and
// riscv64 (the generic numbering of include/uapi/asm-generic/signal.h,
// which x86 shares for these).
var signalNames = [32]string{"", "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT",
	"SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM",
	"SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU",
	"SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS"}

// signalName returns "SIGINT" for 1-31 and "SIG34" for the real-time
// signals (their SIGRTMIN-relative names differ between the kernel, where
// SIGRTMIN is 32, and glibc, which reserves 32 and 33).
func signalName(b []byte, sig int) []byte {
	if sig > 0 && sig < len(signalNames) {
		return append(b, signalNames[sig]...)
	}
	return strconv.AppendInt(append(b, "SIG"...), int64(sig), 10)
}

// String lists the signals, "SIGINT,SIGTERM,SIG34"; the empty set is "".
func (s SignalSet) String() string {
	var b []byte
	for i := range 64 {
		if s&(1<<i) == 0 {
			continue
		}
		if len(b) > 0 {
			b = append(b, ',')
		}
		b = signalName(b, i+1)
	}
	return string(b)
}

func parseSignalSet(v []byte) (SignalSet, error) {
	n, err := parse.Hex(v)
	return SignalSet(n), err
}
