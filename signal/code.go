package signal

import "strconv"

// Code is the si_code of a siginfo: why a signal was sent. Codes up to
// zero say a process sent it (kill(2), sigqueue(3), tgkill(2), ...),
// CodeKernel that the kernel did without a more precise reason, and
// positive codes are the kernel's reasons, which mean different things
// for different signals (1 is SEGV_MAPERR for SIGSEGV and CLD_EXITED for
// SIGCHLD): Name decodes them for the signal they came with. Numbers are
// include/uapi/asm-generic/siginfo.h's, shared by every architecture lx
// supports.
type Code int32

// Codes valid with every signal (SI_*).
const (
	CodeUser     Code = 0    // SI_USER: kill(2), raise(3)
	CodeKernel   Code = 0x80 // SI_KERNEL: sent by the kernel
	CodeQueue    Code = -1   // SI_QUEUE: sigqueue(3), rt_sigqueueinfo(2), pidfd_send_signal(2) with a siginfo
	CodeTimer    Code = -2   // SI_TIMER: POSIX timer expiry
	CodeMesgq    Code = -3   // SI_MESGQ: POSIX message queue state change
	CodeAsyncIO  Code = -4   // SI_ASYNCIO: AIO completion
	CodeSigIO    Code = -5   // SI_SIGIO: queued SIGIO
	CodeTkill    Code = -6   // SI_TKILL: tkill(2), tgkill(2)
	CodeDethread Code = -7   // SI_DETHREAD: execve(2) killing the other threads
	CodeAsyncNL  Code = -60  // SI_ASYNCNL: glibc's asynchronous name lookup completion
)

// Codes of SIGILL (ILL_*).
const (
	IllIllOpc   Code = 1 // ILL_ILLOPC: illegal opcode
	IllIllOpn   Code = 2 // ILL_ILLOPN: illegal operand
	IllIllAdr   Code = 3 // ILL_ILLADR: illegal addressing mode
	IllIllTrp   Code = 4 // ILL_ILLTRP: illegal trap
	IllPrvOpc   Code = 5 // ILL_PRVOPC: privileged opcode
	IllPrvReg   Code = 6 // ILL_PRVREG: privileged register
	IllCoproc   Code = 7 // ILL_COPROC: coprocessor error
	IllBadStk   Code = 8 // ILL_BADSTK: internal stack error
	IllBadIAddr Code = 9 // ILL_BADIADDR: unimplemented instruction address
)

// Codes of SIGFPE (FPE_*).
const (
	FPEIntDiv   Code = 1  // FPE_INTDIV: integer divide by zero
	FPEIntOvf   Code = 2  // FPE_INTOVF: integer overflow
	FPEFltDiv   Code = 3  // FPE_FLTDIV: floating-point divide by zero
	FPEFltOvf   Code = 4  // FPE_FLTOVF: floating-point overflow
	FPEFltUnd   Code = 5  // FPE_FLTUND: floating-point underflow
	FPEFltRes   Code = 6  // FPE_FLTRES: floating-point inexact result
	FPEFltInv   Code = 7  // FPE_FLTINV: invalid floating-point operation
	FPEFltSub   Code = 8  // FPE_FLTSUB: subscript out of range
	FPEFltUnk   Code = 14 // FPE_FLTUNK: undiagnosed floating-point exception
	FPECondTrap Code = 15 // FPE_CONDTRAP: trap on condition
)

// Codes of SIGSEGV (SEGV_*).
const (
	SegvMapErr  Code = 1  // SEGV_MAPERR: address not mapped
	SegvAccErr  Code = 2  // SEGV_ACCERR: no permission for the mapping
	SegvBndErr  Code = 3  // SEGV_BNDERR: failed address bound checks
	SegvPkuErr  Code = 4  // SEGV_PKUERR: failed protection key checks
	SegvAccADI  Code = 5  // SEGV_ACCADI: ADI not enabled for the mapping (sparc)
	SegvADIDErr Code = 6  // SEGV_ADIDERR: disrupting MCD error (sparc)
	SegvADIPErr Code = 7  // SEGV_ADIPERR: precise MCD exception (sparc)
	SegvMTEAErr Code = 8  // SEGV_MTEAERR: asynchronous arm64 MTE error
	SegvMTESErr Code = 9  // SEGV_MTESERR: synchronous arm64 MTE exception
	SegvCPErr   Code = 10 // SEGV_CPERR: control protection fault, shadow stack (Linux 6.6)
)

// Codes of SIGBUS (BUS_*).
const (
	BusAdrAln   Code = 1 // BUS_ADRALN: invalid address alignment
	BusAdrErr   Code = 2 // BUS_ADRERR: non-existent physical address
	BusObjErr   Code = 3 // BUS_OBJERR: object-specific hardware error
	BusMCEErrAR Code = 4 // BUS_MCEERR_AR: memory error consumed; action required
	BusMCEErrAO Code = 5 // BUS_MCEERR_AO: memory error detected, not consumed; action optional
)

// Codes of SIGTRAP (TRAP_*). ptrace(2) also reports (PTRACE_EVENT_* << 8)
// | SIGTRAP as SIGTRAP codes; Name prints those as numbers.
const (
	TrapBrkpt  Code = 1 // TRAP_BRKPT: breakpoint
	TrapTrace  Code = 2 // TRAP_TRACE: trace trap
	TrapBranch Code = 3 // TRAP_BRANCH: taken branch
	TrapHWBkpt Code = 4 // TRAP_HWBKPT: hardware breakpoint or watchpoint
	TrapUnk    Code = 5 // TRAP_UNK: undiagnosed trap
	TrapPerf   Code = 6 // TRAP_PERF: perf event with sigtrap=1
)

// Codes of SIGCHLD (CLD_*).
const (
	CldExited    Code = 1 // CLD_EXITED: the child exited
	CldKilled    Code = 2 // CLD_KILLED: the child was killed
	CldDumped    Code = 3 // CLD_DUMPED: the child was killed and dumped core
	CldTrapped   Code = 4 // CLD_TRAPPED: a traced child trapped
	CldStopped   Code = 5 // CLD_STOPPED: the child stopped
	CldContinued Code = 6 // CLD_CONTINUED: the stopped child continued
)

// Codes of SIGIO, and of any signal chosen with fcntl(2) F_SETSIG (POLL_*).
const (
	PollIn  Code = 1 // POLL_IN: input available
	PollOut Code = 2 // POLL_OUT: output buffers available
	PollMsg Code = 3 // POLL_MSG: input message available
	PollErr Code = 4 // POLL_ERR: I/O error
	PollPri Code = 5 // POLL_PRI: high-priority input available
	PollHup Code = 6 // POLL_HUP: device disconnected
)

// Codes of SIGSYS (SYS_*).
const (
	SysSeccomp      Code = 1 // SYS_SECCOMP: a seccomp filter returned SECCOMP_RET_TRAP
	SysUserDispatch Code = 2 // SYS_USER_DISPATCH: syscall user dispatch (Linux 5.11)
)

// generic returns the SI_* name of c, or "" when c has none.
func (c Code) generic() string {
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
	case CodeDethread:
		return "SI_DETHREAD"
	case CodeAsyncNL:
		return "SI_ASYNCNL"
	}
	return ""
}

// String returns the SI_* name of a code valid with every signal
// ("SI_USER", "SI_QUEUE", "SI_KERNEL") and the decimal number of any
// other, whose meaning depends on the signal: use Name for those.
func (c Code) String() string {
	if n := c.generic(); n != "" {
		return n
	}
	return strconv.Itoa(int(c))
}

// FromKernel reports whether the kernel, not a process, sent the signal
// (SI_FROMKERNEL: a positive code).
func (c Code) FromKernel() bool { return c > 0 }

// Per-signal code names, indexed by code.
var (
	illNames  = [...]string{1: "ILL_ILLOPC", "ILL_ILLOPN", "ILL_ILLADR", "ILL_ILLTRP", "ILL_PRVOPC", "ILL_PRVREG", "ILL_COPROC", "ILL_BADSTK", "ILL_BADIADDR"}
	fpeNames  = [...]string{1: "FPE_INTDIV", "FPE_INTOVF", "FPE_FLTDIV", "FPE_FLTOVF", "FPE_FLTUND", "FPE_FLTRES", "FPE_FLTINV", "FPE_FLTSUB", 14: "FPE_FLTUNK", "FPE_CONDTRAP"}
	segvNames = [...]string{1: "SEGV_MAPERR", "SEGV_ACCERR", "SEGV_BNDERR", "SEGV_PKUERR", "SEGV_ACCADI", "SEGV_ADIDERR", "SEGV_ADIPERR", "SEGV_MTEAERR", "SEGV_MTESERR", "SEGV_CPERR"}
	busNames  = [...]string{1: "BUS_ADRALN", "BUS_ADRERR", "BUS_OBJERR", "BUS_MCEERR_AR", "BUS_MCEERR_AO"}
	trapNames = [...]string{1: "TRAP_BRKPT", "TRAP_TRACE", "TRAP_BRANCH", "TRAP_HWBKPT", "TRAP_UNK", "TRAP_PERF"}
	cldNames  = [...]string{1: "CLD_EXITED", "CLD_KILLED", "CLD_DUMPED", "CLD_TRAPPED", "CLD_STOPPED", "CLD_CONTINUED"}
	pollNames = [...]string{1: "POLL_IN", "POLL_OUT", "POLL_MSG", "POLL_ERR", "POLL_PRI", "POLL_HUP"}
	sysNames  = [...]string{1: "SYS_SECCOMP", "SYS_USER_DISPATCH"}
)

// Name returns the name of c as a code of signal sig: the SI_* name of a
// code valid with every signal, the signal's own name for a positive
// code ("SEGV_MAPERR" for SIGSEGV, "CLD_EXITED" for SIGCHLD, POLL_* for
// SIGIO and for the other signals without codes of their own, which
// fcntl(2) F_SETSIG sends with POLL_* codes), and otherwise the decimal
// number. Codes used only on architectures lx does not support (ia64's
// __ILL_BREAK, __FPE_DECOVF, ...) print as numbers.
func (c Code) Name(sig Signal) string {
	if n := c.generic(); n != "" {
		return n
	}
	if c > 0 {
		var table []string
		switch sig {
		case Ill:
			table = illNames[:]
		case FPE:
			table = fpeNames[:]
		case Segv:
			table = segvNames[:]
		case Bus:
			table = busNames[:]
		case Trap:
			table = trapNames[:]
		case Chld:
			table = cldNames[:]
		case Sys:
			table = sysNames[:]
		default:
			table = pollNames[:]
		}
		if int(c) < len(table) && table[c] != "" {
			return table[c]
		}
	}
	return strconv.Itoa(int(c))
}
