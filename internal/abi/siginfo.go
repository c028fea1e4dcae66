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
