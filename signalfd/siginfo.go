package signalfd

import (
	"encoding/binary"
	"fmt"
	"io"
	"strconv"
	"syscall"
	"time"

	"github.com/lxgo/lx/cred"
	"github.com/lxgo/lx/internal/abi"
	"github.com/lxgo/lx/internal/flagtext"
	"github.com/lxgo/lx/seccomp"
	"github.com/lxgo/lx/signal"
)

// Size is the size of one record a signalfd read returns (struct
// signalfd_siginfo).
const Size = 128

// Layout says which fields of a Siginfo the kernel filled: the siginfo
// layout (include/linux/signal.h, enum siginfo_layout) that the signal
// and its si_code select. signalfd(2) copies only that layout's fields
// and zeroes the others.
type Layout uint8

const (
	// LayoutKill (SIL_KILL): a signal sent with kill(2), tgkill(2)
	// and the like, or by the kernel without details: PID and UID.
	LayoutKill Layout = iota
	// LayoutTimer (SIL_TIMER, si_code SI_TIMER): a POSIX timer's
	// expiry: TimerID, Overrun and Value.
	LayoutTimer
	// LayoutPoll (SIL_POLL): SIGIO/SIGPOLL, or a signal chosen with
	// fcntl(2) F_SETSIG, for an fd that became ready: Band and FD.
	LayoutPoll
	// LayoutFault (SIL_FAULT and its variants but the next): a
	// hardware fault (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP): Addr,
	// and TrapNo on the architectures that have it (sparc, alpha).
	LayoutFault
	// LayoutFaultMCE (SIL_FAULT_MCEERR): SIGBUS for a memory error
	// (BUS_MCEERR_AR, BUS_MCEERR_AO): Addr and AddrLSB.
	LayoutFaultMCE
	// LayoutChild (SIL_CHLD): SIGCHLD: PID and UID of the child,
	// Status, UserTime and SystemTime.
	LayoutChild
	// LayoutRT (SIL_RT): sigqueue(3), rt_sigqueueinfo(2),
	// pidfd_send_signal(2) with a siginfo, and every other si_code
	// below zero: PID, UID and Value.
	LayoutRT
	// LayoutSys (SIL_SYS): SIGSYS from a seccomp filter
	// (SECCOMP_RET_TRAP) or syscall user dispatch: CallAddr, Syscall
	// and Arch.
	LayoutSys
)

var layoutNames = [...]string{"kill", "timer", "poll", "fault", "fault-mce", "child", "rt", "sys"}

// String returns the layout's short name ("kill", "child", "sys"), the
// kernel's SIL_* name without its prefix, lower case.
func (l Layout) String() string {
	if int(l) < len(layoutNames) {
		return layoutNames[l]
	}
	return "Layout(" + strconv.Itoa(int(l)) + ")"
}

// The si_code limits of include/uapi/asm-generic/siginfo.h (NSIGILL,
// ...) as of Linux 6.6: codes up to these select the signal's own layout.
const (
	nsigILL  = 11
	nsigFPE  = 15
	nsigSEGV = 10
	nsigBUS  = 5
	nsigTRAP = 6
	nsigCHLD = 6
	nsigPOLL = 6
	nsigSYS  = 2
)

// LayoutOf returns the layout the kernel uses for signal sig with code
// code: kernel/signal.c's siginfo_layout(), for the architectures lx
// supports (no sparc or alpha special cases). A kernel older than 6.6
// knows fewer fault codes (SEGV_CPERR is 6.6's): for those it uses
// LayoutPoll or LayoutKill where this says LayoutFault.
func LayoutOf(sig signal.Signal, code signal.Code) Layout {
	if code > signal.CodeUser && code < signal.CodeKernel {
		limit, l := signal.Code(0), LayoutKill
		switch sig {
		case signal.Ill:
			limit, l = nsigILL, LayoutFault
		case signal.FPE:
			limit, l = nsigFPE, LayoutFault
		case signal.Segv:
			limit, l = nsigSEGV, LayoutFault
		case signal.Bus:
			limit, l = nsigBUS, LayoutFault
		case signal.Trap:
			limit, l = nsigTRAP, LayoutFault
		case signal.Chld:
			limit, l = nsigCHLD, LayoutChild
		case signal.IO:
			limit, l = nsigPOLL, LayoutPoll
		case signal.Sys:
			limit, l = nsigSYS, LayoutSys
		}
		if limit != 0 && code <= limit {
			if sig == signal.Bus && (code == signal.BusMCEErrAR || code == signal.BusMCEErrAO) {
				return LayoutFaultMCE
			}
			return l
		}
		if code <= nsigPOLL {
			return LayoutPoll
		}
		return LayoutKill
	}
	switch {
	case code == signal.CodeTimer:
		return LayoutTimer
	case code == signal.CodeSigIO:
		return LayoutPoll
	case code < 0:
		return LayoutRT
	}
	return LayoutKill
}

// Origin says who can have sent a signal, and so whether its PID and UID
// can be believed. The rule is the kernel's (rt_sigqueueinfo(2),
// pidfd_send_signal(2)): a process that sends a signal with a siginfo of
// its own making may choose any si_code below zero except SI_TKILL, and
// every other field, but a code of zero or above and SI_TKILL only when
// it signals itself.
type Origin uint8

const (
	// FromKernel: si_code above zero (SI_KERNEL and the per-signal
	// codes). The kernel sent it (a fault, a child's exit, a seccomp
	// trap), or the receiving process itself did.
	FromKernel Origin = iota + 1
	// FromProcess: SI_USER or SI_TKILL, a signal sent with kill(2),
	// tgkill(2), tkill(2) or pidfd_send_signal(2) without a siginfo.
	// The kernel filled in PID and UID: they name the sending process
	// and its real user (in the receiver's namespaces), unless the
	// receiving process sent the signal to itself.
	FromProcess
	// Unverified: any other si_code below zero (SI_QUEUE, SI_TIMER,
	// SI_MESGQ, SI_ASYNCIO, SI_SIGIO, ...). A process may have sent it
	// with rt_sigqueueinfo(2) and chosen every field, PID and UID
	// included; only the kernel's own senders (timers, message queues,
	// AIO) fill them truthfully, and nothing tells them apart.
	Unverified
)

// String returns "kernel", "process" or "unverified".
func (o Origin) String() string {
	switch o {
	case FromKernel:
		return "kernel"
	case FromProcess:
		return "process"
	case Unverified:
		return "unverified"
	}
	return "Origin(" + strconv.Itoa(int(o)) + ")"
}

// OriginOf returns the origin of a signal with code code.
func OriginOf(code signal.Code) Origin {
	switch {
	case code > 0:
		return FromKernel
	case code == signal.CodeUser, code == signal.CodeTkill:
		return FromProcess
	}
	return Unverified
}

// Band is the si_band of a LayoutPoll signal: the poll(2) events of the
// fd (POLLIN, POLLOUT, ...). signalfd_siginfo keeps its low 32 bits,
// which hold every event.
type Band uint32

// poll(2) event bits of include/uapi/asm-generic/poll.h (the values of
// every architecture lx supports).
const (
	PollIn     Band = 0x1
	PollPri    Band = 0x2
	PollOut    Band = 0x4
	PollErr    Band = 0x8
	PollHup    Band = 0x10
	PollNval   Band = 0x20
	PollRdNorm Band = 0x40
	PollRdBand Band = 0x80
	PollWrNorm Band = 0x100
	PollWrBand Band = 0x200
	PollMsg    Band = 0x400
	PollRdHup  Band = 0x2000
)

var bandText = flagtext.Format[Band]{Sep: '|', None: "0", Flags: []flagtext.Flag[Band]{
	{Bits: PollIn, Name: "POLLIN"}, {Bits: PollPri, Name: "POLLPRI"}, {Bits: PollOut, Name: "POLLOUT"},
	{Bits: PollErr, Name: "POLLERR"}, {Bits: PollHup, Name: "POLLHUP"}, {Bits: PollNval, Name: "POLLNVAL"},
	{Bits: PollRdNorm, Name: "POLLRDNORM"}, {Bits: PollRdBand, Name: "POLLRDBAND"},
	{Bits: PollWrNorm, Name: "POLLWRNORM"}, {Bits: PollWrBand, Name: "POLLWRBAND"},
	{Bits: PollMsg, Name: "POLLMSG"}, {Bits: PollRdHup, Name: "POLLRDHUP"},
}}

// String returns the events as "POLLIN|POLLRDNORM", unknown bits as a
// hexadecimal number at the end, "0" for none.
func (b Band) String() string { return bandText.String(b) }

// MarshalText is String.
func (b Band) MarshalText() ([]byte, error) { return bandText.Append(nil, b), nil }

// UnmarshalText reads String's form.
func (b *Band) UnmarshalText(text []byte) error { return bandText.Unmarshal(b, text, "poll band") }

// Value is the sigval a signal carries (sigqueue(3), a POSIX timer's
// sigev_value): the kernel copies both views of the union.
type Value struct {
	Int int32  // sival_int
	Ptr uint64 // sival_ptr, whose low 32 bits are sival_int on little-endian machines
}

// Siginfo is one signal read from a signalfd: struct signalfd_siginfo
// decoded. Which fields are set depends on Layout(): the others are zero,
// as the kernel leaves them.
type Siginfo struct {
	Signal signal.Signal
	// Code is si_code: why the signal was sent; Code.Name(Signal)
	// gives its name.
	Code signal.Code
	// Errno is si_errno, an error number some senders attach (0 for
	// almost every signal).
	Errno syscall.Errno

	// PID and UID (LayoutKill, LayoutRT, LayoutChild) are the sender's
	// process id and real user id, or the child's for SIGCHLD, in the
	// receiver's namespaces. See Origin for when they can be believed.
	PID int
	UID cred.UID

	// Value (LayoutRT, LayoutTimer) is the value sent with the signal.
	Value Value

	// TimerID and Overrun (LayoutTimer) are the kernel's id of the
	// POSIX timer and the number of expirations beyond the first that
	// the signal stands for.
	TimerID int
	Overrun int

	// Status (LayoutChild) is si_status: the exit code for CLD_EXITED,
	// else the signal that killed, stopped or continued the child (see
	// ExitCode and ChildSignal).
	Status int
	// UserTime and SystemTime (LayoutChild) are the CPU time the child
	// used, in the kernel's clock ticks (10ms).
	UserTime, SystemTime time.Duration

	// Addr (LayoutFault, LayoutFaultMCE) is the faulting address.
	Addr uint64
	// AddrLSB (LayoutFaultMCE) is the least significant bit of Addr
	// that the memory error covers: the corrupted range is 1<<AddrLSB
	// bytes (a page: 12).
	AddrLSB int
	// TrapNo (LayoutFault) is the trap number on the architectures
	// whose kernels report one (sparc, alpha): 0 elsewhere.
	TrapNo int

	// Band and FD (LayoutPoll) are the events and the file descriptor
	// that became ready.
	Band Band
	FD   int

	// CallAddr, Syscall and Arch (LayoutSys) are the address of the
	// system call instruction, the system call number and its ABI.
	CallAddr uint64
	Syscall  seccomp.Syscall
	Arch     seccomp.Arch
}

// Layout returns the layout of s's signal and code: which fields are set.
func (s *Siginfo) Layout() Layout { return LayoutOf(s.Signal, s.Code) }

// Origin returns who can have sent s: see Origin.
func (s *Siginfo) Origin() Origin { return OriginOf(s.Code) }

// ExitCode returns the exit code of a child that exited (SIGCHLD with
// CLD_EXITED), and whether s is such a signal.
func (s *Siginfo) ExitCode() (int, bool) {
	if s.Signal != signal.Chld || s.Code != signal.CldExited {
		return 0, false
	}
	return s.Status, true
}

// ChildSignal returns the signal that killed (CLD_KILLED, CLD_DUMPED),
// stopped (CLD_STOPPED, CLD_TRAPPED) or continued (CLD_CONTINUED) a
// child, and whether s is such a SIGCHLD.
func (s *Siginfo) ChildSignal() (signal.Signal, bool) {
	if s.Signal != signal.Chld || s.Code < signal.CldKilled || s.Code > signal.CldContinued {
		return 0, false
	}
	return signal.Signal(s.Status), true
}

// clockTick is the unit of ssi_utime and ssi_stime: USER_HZ is 100 on
// every architecture lx supports.
const clockTick = 10 * time.Millisecond

// ParseSiginfo decodes one struct signalfd_siginfo (the first Size bytes
// of b, in the host's byte order), reading the fields of its layout only.
// b shorter than Size is an error matching io.ErrUnexpectedEOF; a CPU
// time too large for a time.Duration is an error naming the field.
func ParseSiginfo(b []byte) (Siginfo, error) {
	var s Siginfo
	if len(b) < Size {
		return s, fmt.Errorf("signalfd siginfo: %d bytes, want %d: %w", len(b), Size, io.ErrUnexpectedEOF)
	}
	b = b[:Size]
	u32 := func(off int) uint32 { return binary.NativeEndian.Uint32(b[off:]) }
	u64 := func(off int) uint64 { return binary.NativeEndian.Uint64(b[off:]) }
	s.Signal = signal.Signal(u32(abi.SsiSigno))
	s.Errno = syscall.Errno(int32(u32(abi.SsiErrno)))
	s.Code = signal.Code(int32(u32(abi.SsiCode)))
	switch s.Layout() {
	case LayoutKill:
		s.PID, s.UID = int(u32(abi.SsiPid)), cred.UID(u32(abi.SsiUid))
	case LayoutRT:
		s.PID, s.UID = int(u32(abi.SsiPid)), cred.UID(u32(abi.SsiUid))
		s.Value = Value{Int: int32(u32(abi.SsiInt)), Ptr: u64(abi.SsiPtr)}
	case LayoutTimer:
		s.TimerID, s.Overrun = int(u32(abi.SsiTid)), int(u32(abi.SsiOverrun))
		s.Value = Value{Int: int32(u32(abi.SsiInt)), Ptr: u64(abi.SsiPtr)}
	case LayoutPoll:
		s.Band, s.FD = Band(u32(abi.SsiBand)), int(int32(u32(abi.SsiFd)))
	case LayoutFault:
		s.Addr, s.TrapNo = u64(abi.SsiAddr), int(u32(abi.SsiTrapno))
	case LayoutFaultMCE:
		s.Addr, s.AddrLSB = u64(abi.SsiAddr), int(binary.NativeEndian.Uint16(b[abi.SsiAddrLsb:]))
	case LayoutChild:
		s.PID, s.UID = int(u32(abi.SsiPid)), cred.UID(u32(abi.SsiUid))
		s.Status = int(int32(u32(abi.SsiStatus)))
		var err error
		if s.UserTime, err = ticks("ssi_utime", u64(abi.SsiUtime)); err != nil {
			return Siginfo{}, err
		}
		if s.SystemTime, err = ticks("ssi_stime", u64(abi.SsiStime)); err != nil {
			return Siginfo{}, err
		}
	case LayoutSys:
		s.CallAddr = u64(abi.SsiCallAddr)
		s.Syscall = seccomp.Syscall(u32(abi.SsiSyscall))
		s.Arch = seccomp.Arch(u32(abi.SsiArch))
	}
	return s, nil
}

// ticks converts a clock-tick count to a Duration.
func ticks(field string, n uint64) (time.Duration, error) {
	if n > uint64(1<<63-1)/uint64(clockTick) {
		return 0, fmt.Errorf("signalfd siginfo: %s %d ticks overflows a duration", field, n)
	}
	return time.Duration(n) * clockTick, nil
}
