package signal

import "testing"

func TestCodeString(t *testing.T) {
	for c, want := range map[Code]string{
		CodeUser: "SI_USER", CodeKernel: "SI_KERNEL", CodeQueue: "SI_QUEUE", CodeTimer: "SI_TIMER",
		CodeMesgq: "SI_MESGQ", CodeAsyncIO: "SI_ASYNCIO", CodeSigIO: "SI_SIGIO", CodeTkill: "SI_TKILL",
		CodeDethread: "SI_DETHREAD", CodeAsyncNL: "SI_ASYNCNL", 1: "1", -8: "-8", 0x7fffffff: "2147483647",
	} {
		if got := c.String(); got != want {
			t.Errorf("Code(%d).String() = %q, want %q", int32(c), got, want)
		}
	}
	if CodeUser.FromKernel() || CodeQueue.FromKernel() || !CodeKernel.FromKernel() || !SegvMapErr.FromKernel() {
		t.Error("FromKernel wrong")
	}
}

func TestCodeName(t *testing.T) {
	for _, c := range []struct {
		code Code
		sig  Signal
		want string
	}{
		{SegvMapErr, Segv, "SEGV_MAPERR"},
		{SegvCPErr, Segv, "SEGV_CPERR"},
		{11, Segv, "11"},
		{CldExited, Chld, "CLD_EXITED"},
		{CldContinued, Chld, "CLD_CONTINUED"},
		{IllIllOpc, Ill, "ILL_ILLOPC"},
		{IllBadIAddr, Ill, "ILL_BADIADDR"},
		{10, Ill, "10"}, // ia64's __ILL_BREAK
		{FPEIntDiv, FPE, "FPE_INTDIV"},
		{9, FPE, "9"}, // ia64's __FPE_DECOVF
		{FPEFltUnk, FPE, "FPE_FLTUNK"},
		{FPECondTrap, FPE, "FPE_CONDTRAP"},
		{BusMCEErrAO, Bus, "BUS_MCEERR_AO"},
		{TrapPerf, Trap, "TRAP_PERF"},
		{3<<8 | 5, Trap, "773"}, // PTRACE_EVENT_EXEC
		{SysSeccomp, Sys, "SYS_SECCOMP"},
		{SysUserDispatch, Sys, "SYS_USER_DISPATCH"},
		{PollIn, IO, "POLL_IN"},
		{PollHup, 40, "POLL_HUP"}, // a real-time signal chosen with F_SETSIG
		{PollErr, Usr1, "POLL_ERR"},
		{7, IO, "7"},
		{CodeUser, Segv, "SI_USER"},
		{CodeKernel, Segv, "SI_KERNEL"},
		{CodeTkill, Term, "SI_TKILL"},
		{-100, Term, "-100"},
		{1, 0, "POLL_IN"},
		{1, 200, "POLL_IN"},
		{1, -3, "POLL_IN"},
	} {
		if got := c.code.Name(c.sig); got != c.want {
			t.Errorf("Code(%d).Name(%v) = %q, want %q", int32(c.code), c.sig, got, c.want)
		}
	}
}
