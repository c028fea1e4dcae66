package abi

// From include/uapi/asm-generic/siginfo.h (the same on every architecture
// lx builds for), which x/sys does not carry.

// si_code values of SIGCHLD for a child that ended, as waitid(2) reports
// them.
const (
	CLD_EXITED = 1 // the child called exit(2) or returned from main
	CLD_KILLED = 2 // a signal killed it
	CLD_DUMPED = 3 // a signal killed it and it dumped core
)

// si_code values of SIGCHLD for a child that stopped, as waitid(2)
// reports them with WSTOPPED.
const (
	CLD_TRAPPED = 4 // a traced child stopped for its tracer (a ptrace stop)
	CLD_STOPPED = 5 // the child stopped (job control)
)
