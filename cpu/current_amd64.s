#include "textflag.h"

// func rdpid() uint64
// RDPID reads IA32_TSC_AUX into a register, zero-extended.
TEXT ·rdpid(SB), NOSPLIT|NOFRAME, $0-8
	RDPID AX
	MOVQ AX, ret+0(FP)
	RET

// func rdtscp() uint64
// RDTSCP also reads the time stamp counter (EDX:EAX), which is dropped;
// IA32_TSC_AUX is in ECX.
TEXT ·rdtscp(SB), NOSPLIT|NOFRAME, $0-8
	RDTSCP
	MOVL CX, CX
	MOVQ CX, ret+0(FP)
	RET

// func current() (cpu, node int, err error)
// Current's fast path in one call: when the chosen method (the Go
// variable method, an atomic.Uint32 whose value is at offset 0; an
// aligned 32-bit load is atomic on amd64) is MethodRDPID (1), read
// TSC_AUX and split it as Linux lays it out, node<<12 | cpu; otherwise
// tail-call currentSlow, which has the same results.
TEXT ·current(SB), NOSPLIT|NOFRAME, $0-32
	MOVL ·method(SB), AX
	CMPL AX, $1
	JNE  slow
	RDPID AX
	MOVQ AX, BX
	ANDQ $0xfff, AX
	SHRQ $12, BX
	MOVQ AX, cpu+0(FP)
	MOVQ BX, node+8(FP)
	MOVQ $0, err_itable+16(FP)
	MOVQ $0, err_data+24(FP)
	RET
slow:
	JMP ·currentSlow(SB)
