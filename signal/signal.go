// Package signal holds the value types of Linux signals (signal(7)): a
// signal number with the kernel's names, a set of signals as
// /proc/PID/status and /proc/PID/stat show them, and the si_code of a
// siginfo (sigaction(2)).
//
// The package is pure: no system calls. Sending signals is pidfd's (and
// later packages') job; reading a process's pending, blocked, ignored and
// caught sets is procfs's.
//
// # Numbering
//
// Signal numbers differ between architectures. lx supports the generic
// numbering of include/uapi/asm-generic/signal.h, which amd64, 386, arm,
// arm64 and riscv64 share for signals 1..31 (x86 and arm have their own
// header with the same numbers), with 64 signals (_NSIG). alpha, mips,
// parisc and sparc number signals differently and are not supported.
//
// # Names
//
// Go constants drop the kernel's SIG prefix, which the package name
// already says, and spell the rest in Go's mixed caps: SIGTERM is
// signal.Term, SIGCHLD signal.Chld, SIGFPE signal.FPE. Every concept
// package of lx follows that rule (capability.SysAdmin, rlimit.NoFile).
// Text forms are the kernel's names, "SIGTERM".
//
// # Real-time signals
//
// The kernel's real-time signals are 32..64 (its SIGRTMIN is 32). The C
// libraries keep the lowest for themselves: glibc uses 32 and 33 for its
// threads and defines SIGRTMIN as 34 (musl as 35), and every tool on a
// glibc system names real-time signals relative to 34: bash's kill -l,
// util-linux's kill, procps. lx follows glibc, so that a name means the
// same number to lx and to the programs it signals: RTMin is 34, String
// prints 34..49 as "SIGRTMIN" and "SIGRTMIN+1".."SIGRTMIN+15" and 50..64
// as "SIGRTMAX-14".."SIGRTMAX" (bash's split), and 32 and 33 as "SIG32"
// and "SIG33". Signal.IsRealtime still reports the kernel's range.
package signal

import (
	"fmt"
	"strconv"
	"syscall"
)

// Signal is a signal number. It is its own type so that it prints as the
// kernel names it ("SIGTERM"; syscall.Signal prints strsignal's
// "terminated") and has a text form; Sys converts it for the syscall and
// os packages. Signal deliberately has no Signal method, so it is not an
// os.Signal: os.Process.Signal accepts only a syscall.Signal and would
// reject it at run time.
type Signal int

// The signals, numbered as in include/uapi/asm-generic/signal.h.
const (
	Hup    Signal = 1  // SIGHUP: hangup of the controlling terminal, or "reload"
	Int    Signal = 2  // SIGINT: interrupt from the keyboard (^C)
	Quit   Signal = 3  // SIGQUIT: quit from the keyboard (^\), core dump
	Ill    Signal = 4  // SIGILL: illegal instruction
	Trap   Signal = 5  // SIGTRAP: breakpoint or trace trap
	Abrt   Signal = 6  // SIGABRT (SIGIOT): abort(3)
	Bus    Signal = 7  // SIGBUS: bad memory access (unaligned, past the end of a mapped file)
	FPE    Signal = 8  // SIGFPE: arithmetic exception
	Kill   Signal = 9  // SIGKILL: kill; cannot be caught, blocked or ignored
	Usr1   Signal = 10 // SIGUSR1: for the program
	Segv   Signal = 11 // SIGSEGV: invalid memory reference
	Usr2   Signal = 12 // SIGUSR2: for the program
	Pipe   Signal = 13 // SIGPIPE: write to a pipe or socket without readers
	Alrm   Signal = 14 // SIGALRM: alarm(2) timer
	Term   Signal = 15 // SIGTERM: termination request
	StkFlt Signal = 16 // SIGSTKFLT: unused (coprocessor stack fault)
	Chld   Signal = 17 // SIGCHLD (SIGCLD): a child stopped, continued or exited
	Cont   Signal = 18 // SIGCONT: continue if stopped
	Stop   Signal = 19 // SIGSTOP: stop; cannot be caught, blocked or ignored
	Tstp   Signal = 20 // SIGTSTP: stop from the keyboard (^Z)
	Ttin   Signal = 21 // SIGTTIN: terminal read from a background process
	Ttou   Signal = 22 // SIGTTOU: terminal write from a background process
	Urg    Signal = 23 // SIGURG: urgent data on a socket (also Go's preemption signal)
	Xcpu   Signal = 24 // SIGXCPU: RLIMIT_CPU soft limit exceeded
	Xfsz   Signal = 25 // SIGXFSZ: RLIMIT_FSIZE exceeded
	Vtalrm Signal = 26 // SIGVTALRM: ITIMER_VIRTUAL timer
	Prof   Signal = 27 // SIGPROF: ITIMER_PROF timer
	Winch  Signal = 28 // SIGWINCH: terminal window size changed
	IO     Signal = 29 // SIGIO (SIGPOLL): I/O possible
	Pwr    Signal = 30 // SIGPWR: power failure
	Sys    Signal = 31 // SIGSYS: bad system call (seccomp SECCOMP_RET_TRAP)

	// RTMin is glibc's SIGRTMIN, the lowest real-time signal programs may
	// use; the kernel's real-time range starts at 32 (see the package
	// documentation).
	RTMin Signal = 34
	// RTMax is SIGRTMAX, the highest signal number (_NSIG).
	RTMax Signal = 64
)

// kernelRTMin is the kernel's SIGRTMIN.
const kernelRTMin = 32

// names are the kernel's names of signals 1..31.
var names = [32]string{"", "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT",
	"SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM",
	"SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU",
	"SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS"}

// aliases are the other names signal.h and util-linux's kill accept.
var aliases = [...]struct {
	name string
	sig  Signal
}{{"IOT", Abrt}, {"CLD", Chld}, {"POLL", IO}}

// Sys returns s as a syscall.Signal, for os.Process.Signal, os/signal
// and syscall.Kill.
func (s Signal) Sys() syscall.Signal { return syscall.Signal(s) }

// IsRealtime reports whether s is a real-time signal to the kernel,
// 32..64: queued rather than merged, delivered lowest first.
func (s Signal) IsRealtime() bool { return s >= kernelRTMin && s <= RTMax }

// String returns the signal's name: "SIGTERM"; "SIGRTMIN", "SIGRTMIN+3",
// "SIGRTMAX-1" for 34..64 (glibc's numbering, see the package
// documentation); "SIG32", "SIG33", and "SIG" followed by the number for
// any number that is not a signal ("SIG0", "SIG65").
func (s Signal) String() string {
	if s > 0 && s < kernelRTMin {
		return names[s]
	}
	return string(s.appendName(nil))
}

// appendName appends s's String to b.
func (s Signal) appendName(b []byte) []byte {
	switch {
	case s > 0 && s < kernelRTMin:
		return append(b, names[s]...)
	case s == RTMin:
		return append(b, "SIGRTMIN"...)
	case s == RTMax:
		return append(b, "SIGRTMAX"...)
	case s > RTMin && s <= (RTMin+RTMax)/2:
		return strconv.AppendInt(append(b, "SIGRTMIN+"...), int64(s-RTMin), 10)
	case s > (RTMin+RTMax)/2 && s < RTMax:
		return strconv.AppendInt(append(b, "SIGRTMAX-"...), int64(RTMax-s), 10)
	}
	return strconv.AppendInt(append(b, "SIG"...), int64(s), 10)
}

// MarshalText returns String's text.
func (s Signal) MarshalText() ([]byte, error) { return s.appendName(nil), nil }

// UnmarshalText sets *s from text Parse accepts.
func (s *Signal) UnmarshalText(text []byte) error {
	v, err := Parse(string(text))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// Parse returns the signal text names, as kill(1) accepts it: a name
// with or without "SIG" in any ASCII case ("TERM", "SIGTERM", "sigterm";
// the aliases IOT, CLD and POLL), a number 0..64 ("15", "SIG15"; 0 is
// kill's existence check), or a real-time signal relative to glibc's
// SIGRTMIN (34) or SIGRTMAX (64): "RTMIN", "RTMIN+3", "SIGRTMAX-1". The
// error wraps strconv.ErrSyntax, or strconv.ErrRange for a number beyond
// 64 or a real-time offset outside 34..64.
func Parse(text string) (Signal, error) {
	s, err := parseSignal(text)
	if err != nil {
		return 0, fmt.Errorf("signal: invalid signal %q: %w", text, err)
	}
	return s, nil
}

func parseSignal(text string) (Signal, error) {
	t := text
	if len(t) > 3 && equalFold(t[:3], "SIG") {
		t = t[3:]
	}
	if len(t) > 0 && isDigit(t[0]) {
		n, err := number(t)
		if err == nil && n > int(RTMax) {
			err = strconv.ErrRange
		}
		return Signal(n), err
	}
	for s := Hup; s < kernelRTMin; s++ {
		if equalFold(t, names[s][3:]) {
			return s, nil
		}
	}
	for _, a := range aliases {
		if equalFold(t, a.name) {
			return a.sig, nil
		}
	}
	if len(t) < 5 {
		return 0, strconv.ErrSyntax
	}
	var base, sign Signal
	switch {
	case equalFold(t[:5], "RTMIN"):
		base, sign = RTMin, 1
	case equalFold(t[:5], "RTMAX"):
		base, sign = RTMax, -1
	default:
		return 0, strconv.ErrSyntax
	}
	t = t[5:]
	if t == "" {
		return base, nil
	}
	if (sign > 0 && t[0] != '+') || (sign < 0 && t[0] != '-') {
		return 0, strconv.ErrSyntax
	}
	n, err := number(t[1:])
	if err != nil {
		return 0, err
	}
	if n > int(RTMax-RTMin) {
		return 0, strconv.ErrRange
	}
	return base + sign*Signal(n), nil
}

// number parses a decimal number of at most a few digits; larger values
// are strconv.ErrRange, anything but digits strconv.ErrSyntax.
func number(t string) (int, error) {
	if t == "" {
		return 0, strconv.ErrSyntax
	}
	n := 0
	for i := range len(t) {
		if !isDigit(t[i]) {
			return 0, strconv.ErrSyntax
		}
		if n < 1000 {
			n = n*10 + int(t[i]-'0')
		}
	}
	if n >= 1000 {
		return 0, strconv.ErrRange
	}
	return n, nil
}

func isDigit(c byte) bool { return c-'0' <= 9 }

// equalFold reports whether s and t are equal with ASCII letters folded
// to one case (no Unicode folding: the Kelvin sign is not a 'K').
func equalFold(s, t string) bool {
	if len(s) != len(t) {
		return false
	}
	for i := range len(s) {
		a, b := s[i], t[i]
		if a-'a' <= 'z'-'a' {
			a -= 'a' - 'A'
		}
		if b-'a' <= 'z'-'a' {
			b -= 'a' - 'A'
		}
		if a != b {
			return false
		}
	}
	return true
}
