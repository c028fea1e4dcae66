#include "textflag.h"

// statNumbersVec is statNumbers (stat.go) for amd64 with SSSE3, SSE4.1
// and BMI1: the same results, ok or not, for every input (the tests
// compare the two), without the per-field branches of the Go scanner.
//
// Why: right after the read(2) of a stat file, the kernel's work has
// evicted the branch predictors' history, and the Go scanner's choice
// of a case per field (a 0, one digit, two to six, a sign, a long
// number) is mispredicted field after field (docs/performance.md, the
// fifth round). Here no branch depends on a field's digits: each field
// is converted whole, sixteen digits at a time, and the only branches
// are taken by lines the kernel does not print (a sign, more than
// sixteen digits: RLIM_INFINITY, once a line) or once per 64 bytes.
//
// How:
//   - The fields' ends: a bitmap of the spaces, 64 bytes at a time
//     (PCMPEQB, PMOVMSKB), with a bit at len(b) for the last field's
//     end. Each field's end is the next set bit (TZCNT, BLSR): the
//     fields do not wait on each other's digits.
//   - A field of n <= 16 digits: the 16 bytes from its start, less '0',
//     moved by PSHUFB (a mask per n, shuf) to the end of the register
//     with zeros before them, then added up in pairs of pairs
//     (PMADDUBSW, PMADDWD, PACKUSDW, PMADDWD; Go's assembler spells
//     PMADDWD PMADDWL) into its first and last eight digits' values. A byte that is not a digit is above 9 after
//     the subtraction: X13 keeps the largest byte of every field,
//     checked once at the end.
//   - 17 to 20 digits: the last 16 so, the first ones a byte at a time,
//     and an overflow check on hi*10^16 + lo.
//
// It reads up to 64 bytes past len(b): the caller (statNumbersArch)
// checks that b's capacity has them. b must not be empty and len(v)
// must be 1 to 64 (neg has a bit per field).
//
// Registers: SI b, DX len(b), DI v, R8 shuf, R9 k, R10 neg, R11 the
// offset of the 64 bytes whose spaces R12 holds (the bits of those
// consumed cleared), R13 the current field's start; AX the field's end,
// CX its length, then its value.

// Shuffle masks: entry n (0..16) moves the n bytes at the start of a
// register to its end and zeroes the others.
#define SHUF(n, off, q) DATA shuf<>+(16*n+off)(SB)/8, $q
SHUF(0, 0, 0x8080808080808080); SHUF(0, 8, 0x8080808080808080)
SHUF(1, 0, 0x8080808080808080); SHUF(1, 8, 0x0080808080808080)
SHUF(2, 0, 0x8080808080808080); SHUF(2, 8, 0x0100808080808080)
SHUF(3, 0, 0x8080808080808080); SHUF(3, 8, 0x0201008080808080)
SHUF(4, 0, 0x8080808080808080); SHUF(4, 8, 0x0302010080808080)
SHUF(5, 0, 0x8080808080808080); SHUF(5, 8, 0x0403020100808080)
SHUF(6, 0, 0x8080808080808080); SHUF(6, 8, 0x0504030201008080)
SHUF(7, 0, 0x8080808080808080); SHUF(7, 8, 0x0605040302010080)
SHUF(8, 0, 0x8080808080808080); SHUF(8, 8, 0x0706050403020100)
SHUF(9, 0, 0x0080808080808080); SHUF(9, 8, 0x0807060504030201)
SHUF(10, 0, 0x0100808080808080); SHUF(10, 8, 0x0908070605040302)
SHUF(11, 0, 0x0201008080808080); SHUF(11, 8, 0x0a09080706050403)
SHUF(12, 0, 0x0302010080808080); SHUF(12, 8, 0x0b0a090807060504)
SHUF(13, 0, 0x0403020100808080); SHUF(13, 8, 0x0c0b0a0908070605)
SHUF(14, 0, 0x0504030201008080); SHUF(14, 8, 0x0d0c0b0a09080706)
SHUF(15, 0, 0x0605040302010080); SHUF(15, 8, 0x0e0d0c0b0a090807)
SHUF(16, 0, 0x0706050403020100); SHUF(16, 8, 0x0f0e0d0c0b0a0908)
GLOBL shuf<>(SB), RODATA|NOPTR, $272

DATA vconst<>+0(SB)/8, $0x2020202020202020  // spaces
DATA vconst<>+8(SB)/8, $0x2020202020202020
DATA vconst<>+16(SB)/8, $0x3030303030303030 // '0'
DATA vconst<>+24(SB)/8, $0x3030303030303030
DATA vconst<>+32(SB)/8, $0x0909090909090909 // 9
DATA vconst<>+40(SB)/8, $0x0909090909090909
DATA vconst<>+48(SB)/8, $0x010a010a010a010a // bytes 10, 1
DATA vconst<>+56(SB)/8, $0x010a010a010a010a
DATA vconst<>+64(SB)/8, $0x0001006400010064 // words 100, 1
DATA vconst<>+72(SB)/8, $0x0001006400010064
DATA vconst<>+80(SB)/8, $0x0001271000012710 // words 10000, 1
DATA vconst<>+88(SB)/8, $0x0001271000012710
GLOBL vconst<>(SB), RODATA|NOPTR, $96

// The space bits of b[R11:R11+64] into R12.
#define CHUNK \
	MOVOU (SI)(R11*1), X0; \
	PCMPEQB X7, X0; \
	PMOVMSKB X0, R12; \
	MOVOU 16(SI)(R11*1), X0; \
	PCMPEQB X7, X0; \
	PMOVMSKB X0, AX; \
	SHLQ $16, AX; \
	ORQ AX, R12; \
	MOVOU 32(SI)(R11*1), X0; \
	PCMPEQB X7, X0; \
	PMOVMSKB X0, AX; \
	SHLQ $32, AX; \
	ORQ AX, R12; \
	MOVOU 48(SI)(R11*1), X0; \
	PCMPEQB X7, X0; \
	PMOVMSKB X0, AX; \
	SHLQ $48, AX; \
	ORQ AX, R12

// Digits in X0 (their values, right-aligned, zeros before) to CX; the
// largest byte so far into X13.
#define CONVERT \
	PMAXUB X0, X13; \
	PMADDUBSW X10, X0; \
	PMADDWL X11, X0; \
	PACKUSDW X0, X0; \
	PMADDWL X12, X0; \
	MOVQ X0, BX; \
	MOVL BX, CX; \
	SHRQ $32, BX; \
	IMUL3Q $100000000, CX, CX; \
	ADDQ BX, CX

// func statNumbersVec(b []byte, v []uint64) (neg uint64, k, end int, ok bool)
// The frame: the end of a long field at 0(SP), the value of its last
// 16 digits at 8(SP).
TEXT ·statNumbersVec(SB), NOSPLIT, $24-73
	MOVQ b_base+0(FP), SI
	MOVQ b_len+8(FP), DX
	MOVQ v_base+24(FP), DI
	LEAQ shuf<>(SB), R8
	MOVOU vconst<>+0(SB), X7
	MOVOU vconst<>+16(SB), X8
	MOVOU vconst<>+32(SB), X9
	MOVOU vconst<>+48(SB), X10
	MOVOU vconst<>+64(SB), X11
	MOVOU vconst<>+80(SB), X12
	PXOR X13, X13
	XORQ R9, R9
	XORQ R10, R10
	CMPB (SI), $0x20
	JNE fail
	XORQ R11, R11
	CHUNK
	MOVQ DX, CX
	CMPQ CX, $64
	JAE first
	MOVQ $1, AX
	SHLQ CX, AX
	LEAQ -1(AX), BX
	ANDQ BX, R12
	ORQ AX, R12
first:
	BLSRQ R12, R12
	MOVQ $1, R13

loop:
	TESTQ R12, R12
	JZ refill
next:
	TZCNTQ R12, AX
	BLSRQ R12, R12
	ADDQ R11, AX
	MOVQ AX, CX
	SUBQ R13, CX
	CMPB (SI)(R13*1), $0x2d
	JEQ negative
	LEAQ -1(CX), BX
	CMPQ BX, $15
	JA long
conv:
	MOVOU (SI)(R13*1), X0
	PSUBB X8, X0
	SHLQ $4, CX
	MOVOU (R8)(CX*1), X1
	PSHUFB X1, X0
	CONVERT
	MOVQ CX, (DI)(R9*8)
stored:
	LEAQ 1(AX), R13
	INCQ R9
	CMPQ R9, v_len+32(FP)
	JNE loop
	MOVQ AX, CX
	JMP finish

negative:
	INCQ R13
	DECQ CX
	LEAQ -1(CX), BX
	CMPQ BX, $5
	JAE fail
	BTSQ R9, R10
	JMP conv

long:
	TESTQ CX, CX
	JZ fail
	CMPQ CX, $20
	JA fail
	MOVQ AX, 0(SP)
	LEAQ -16(AX), BX
	MOVOU (SI)(BX*1), X0
	PSUBB X8, X0
	CONVERT
	MOVQ CX, 8(SP)
	// The digits before the last 16: one to four.
	XORQ BX, BX
	MOVQ R13, AX
	MOVQ 0(SP), DX
	SUBQ $16, DX
hi:
	MOVBLZX (SI)(AX*1), CX
	SUBQ $0x30, CX
	CMPQ CX, $9
	JA fail
	IMUL3Q $10, BX, BX
	ADDQ CX, BX
	INCQ AX
	CMPQ AX, DX
	JB hi
	MOVQ BX, AX
	MOVQ $10000000000000000, CX
	MULQ CX
	JO fail
	ADDQ 8(SP), AX
	JC fail
	MOVQ AX, (DI)(R9*8)
	MOVQ b_len+8(FP), DX
	MOVQ 0(SP), AX
	JMP stored

refill:
	ADDQ $64, R11
	CMPQ R11, DX
	JHI end
	CHUNK
	MOVQ DX, CX
	SUBQ R11, CX
	CMPQ CX, $64
	JAE loop
	MOVQ $1, AX
	SHLQ CX, AX
	LEAQ -1(AX), BX
	ANDQ BX, R12
	ORQ AX, R12
	JMP next

end:
	MOVQ DX, CX
finish:
	PSUBUSB X9, X13
	PTEST X13, X13
	JNZ fail
	MOVQ R10, neg+48(FP)
	MOVQ R9, k+56(FP)
	MOVQ CX, end+64(FP)
	MOVB $1, ok+72(FP)
	RET

fail:
	MOVQ $0, neg+48(FP)
	MOVQ $0, k+56(FP)
	MOVQ $0, end+64(FP)
	MOVB $0, ok+72(FP)
	RET
