package seccomp

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Instruction is one classic BPF instruction, struct sock_filter of
// include/uapi/linux/filter.h, in its memory layout: an opcode (the
// BPF_ class, size, mode, operation and source bits of
// include/uapi/linux/bpf_common.h), the jump offsets if true and if
// false, and the constant K.
type Instruction struct {
	Op uint16 // code
	Jt uint8  // jt: instructions skipped when a conditional jump holds
	Jf uint8  // jf: instructions skipped when it does not
	K  uint32 // k
}

// Program is a classic BPF program for seccomp(2) SECCOMP_SET_MODE_FILTER,
// as Compile makes it: at most MaxInstructions instructions over a Data.
type Program []Instruction

// MaxInstructions is BPF_MAXINSNS of include/uapi/linux/bpf_common.h: the
// most instructions the kernel accepts in one classic BPF program.
const MaxInstructions = 4096

// The opcode bits of include/uapi/linux/bpf_common.h and filter.h.
const (
	bpfLD   = 0x00
	bpfLDX  = 0x01
	bpfST   = 0x02
	bpfSTX  = 0x03
	bpfALU  = 0x04
	bpfJMP  = 0x05
	bpfRET  = 0x06
	bpfMISC = 0x07

	bpfW   = 0x00
	bpfIMM = 0x00
	bpfABS = 0x20
	bpfMEM = 0x60
	bpfLEN = 0x80

	bpfADD = 0x00
	bpfSUB = 0x10
	bpfMUL = 0x20
	bpfDIV = 0x30
	bpfOR  = 0x40
	bpfAND = 0x50
	bpfLSH = 0x60
	bpfRSH = 0x70
	bpfNEG = 0x80
	bpfXOR = 0xa0

	bpfJA   = 0x00
	bpfJEQ  = 0x10
	bpfJGT  = 0x20
	bpfJGE  = 0x30
	bpfJSET = 0x40

	bpfK = 0x00
	bpfX = 0x08
	bpfA = 0x10 // BPF_A: ret's source

	bpfTAX = 0x00
	bpfTXA = 0x80

	bpfMemWords = 16 // BPF_MEMWORDS: the scratch memory
)

// dataSize is sizeof(struct seccomp_data), what BPF_LEN loads.
const dataSize = 64

// load returns the 32-bit word at offset off of d in the little-endian
// layout of struct seccomp_data; the five architectures are
// little-endian.
func (d *Data) load(off uint32) (uint32, bool) {
	switch {
	case off%4 != 0 || off >= dataSize:
		return 0, false
	case off == 0:
		return uint32(d.Nr), true
	case off == 4:
		return uint32(d.Arch), true
	case off < 16:
		return uint32(d.InstructionPointer >> (8 * (off - 8))), true
	}
	i := (off - 16) / 8
	return uint32(d.Args[i] >> (8 * ((off - 16) % 8))), true
}

// errProgram is what Run reports for a program the kernel would refuse
// or that does not end in a return.
var errProgram = errors.New("invalid program")

// Run executes the program over d as the kernel's seccomp filter would
// and returns its Action. It accepts the instructions seccomp accepts
// (seccomp_check_filter in kernel/seccomp.c): word loads of d, immediate,
// length and scratch-memory loads and stores, ALU operations, jumps and
// returns. The error, for any other instruction, a load outside d, a
// jump past the end or a program that runs off its end, names the
// instruction.
func (p Program) Run(d Data) (Action, error) {
	a, _, err := p.run(d)
	return a, err
}

// runStats is what run saw on the program's path.
type runStats struct {
	steps    int  // instructions executed
	argLoads bool // a load of instruction_pointer or args
}

// run is Run that also reports what the path did.
func (p Program) run(d Data) (Action, runStats, error) {
	var acc, x uint32
	var mem [bpfMemWords]uint32
	var st runStats
	for pc := 0; pc < len(p); pc++ {
		st.steps++
		in := p[pc]
		bad := func(why string) (Action, runStats, error) {
			return 0, st, fmt.Errorf("seccomp: instruction %d (%s): %s: %w", pc, in.disasm(pc), why, errProgram)
		}
		switch in.Op {
		case bpfLD | bpfW | bpfABS:
			v, ok := d.load(in.K)
			if !ok {
				return bad("load outside seccomp_data")
			}
			st.argLoads = st.argLoads || in.K >= 8
			acc = v
		case bpfLD | bpfW | bpfLEN:
			acc = dataSize
		case bpfLDX | bpfW | bpfLEN:
			x = dataSize
		case bpfLD | bpfIMM:
			acc = in.K
		case bpfLDX | bpfIMM:
			x = in.K
		case bpfLD | bpfMEM, bpfLDX | bpfMEM, bpfST, bpfSTX:
			if in.K >= bpfMemWords {
				return bad("scratch memory index out of range")
			}
			switch in.Op {
			case bpfLD | bpfMEM:
				acc = mem[in.K]
			case bpfLDX | bpfMEM:
				x = mem[in.K]
			case bpfST:
				mem[in.K] = acc
			default:
				mem[in.K] = x
			}
		case bpfMISC | bpfTAX:
			x = acc
		case bpfMISC | bpfTXA:
			acc = x
		case bpfRET | bpfK:
			return Action(in.K), st, nil
		case bpfRET | bpfA:
			return Action(acc), st, nil
		case bpfJMP | bpfJA:
			if uint64(pc)+1+uint64(in.K) >= uint64(len(p)) {
				return bad("jump past the end")
			}
			pc += int(in.K)
		default:
			switch in.Op & 0x07 {
			case bpfALU:
				src := in.K
				if in.Op&bpfX != 0 {
					src = x
				}
				switch in.Op &^ bpfX {
				case bpfALU | bpfADD:
					acc += src
				case bpfALU | bpfSUB:
					acc -= src
				case bpfALU | bpfMUL:
					acc *= src
				case bpfALU | bpfDIV:
					if src == 0 {
						// Classic BPF ends the program with 0 on a
						// division by zero: SECCOMP_RET_KILL_THREAD.
						return 0, st, nil
					}
					acc /= src
				case bpfALU | bpfOR:
					acc |= src
				case bpfALU | bpfAND:
					acc &= src
				case bpfALU | bpfLSH:
					acc <<= src & 31
				case bpfALU | bpfRSH:
					acc >>= src & 31
				case bpfALU | bpfXOR:
					acc ^= src
				case bpfALU | bpfNEG:
					if in.Op&bpfX != 0 {
						return bad("unknown opcode")
					}
					acc = -acc
				default:
					return bad("unknown opcode")
				}
			case bpfJMP:
				src := in.K
				if in.Op&bpfX != 0 {
					src = x
				}
				var hold bool
				switch in.Op &^ bpfX {
				case bpfJMP | bpfJEQ:
					hold = acc == src
				case bpfJMP | bpfJGT:
					hold = acc > src
				case bpfJMP | bpfJGE:
					hold = acc >= src
				case bpfJMP | bpfJSET:
					hold = acc&src != 0
				default:
					return bad("unknown opcode")
				}
				if pc+1+int(max(in.Jt, in.Jf)) >= len(p) {
					return bad("jump past the end")
				}
				if hold {
					pc += int(in.Jt)
				} else {
					pc += int(in.Jf)
				}
			default:
				return bad("unknown opcode")
			}
		}
	}
	return 0, st, fmt.Errorf("seccomp: the program runs off its end after %d instructions: %w", len(p), errProgram)
}

// String returns the program's disassembly, one instruction a line:
// its index, then the instruction in the syntax of the kernel's bpf_asm
// (tools/bpf), jump targets as absolute indexes, a return's constant as
// its Action, and a load from seccomp_data with the field named.
func (p Program) String() string {
	var b strings.Builder
	for i, in := range p {
		fmt.Fprintf(&b, "%04d: %s\n", i, in.disasm(i))
	}
	return b.String()
}

var aluNames = map[uint16]string{bpfADD: "add", bpfSUB: "sub", bpfMUL: "mul", bpfDIV: "div", bpfOR: "or", bpfAND: "and", bpfLSH: "lsh", bpfRSH: "rsh", bpfXOR: "xor"}
var jmpNames = map[uint16]string{bpfJEQ: "jeq", bpfJGT: "jgt", bpfJGE: "jge", bpfJSET: "jset"}

// disasm returns the instruction at index pc in bpf_asm's syntax.
func (in Instruction) disasm(pc int) string {
	k := "#" + hex(in.K)
	switch in.Op {
	case bpfLD | bpfW | bpfABS:
		return "ld [" + strconv.FormatUint(uint64(in.K), 10) + "]" + fieldName(in.K)
	case bpfLD | bpfW | bpfLEN:
		return "ld #len"
	case bpfLDX | bpfW | bpfLEN:
		return "ldx #len"
	case bpfLD | bpfIMM:
		return "ld " + k
	case bpfLDX | bpfIMM:
		return "ldx " + k
	case bpfLD | bpfMEM:
		return "ld M[" + strconv.FormatUint(uint64(in.K), 10) + "]"
	case bpfLDX | bpfMEM:
		return "ldx M[" + strconv.FormatUint(uint64(in.K), 10) + "]"
	case bpfST:
		return "st M[" + strconv.FormatUint(uint64(in.K), 10) + "]"
	case bpfSTX:
		return "stx M[" + strconv.FormatUint(uint64(in.K), 10) + "]"
	case bpfMISC | bpfTAX:
		return "tax"
	case bpfMISC | bpfTXA:
		return "txa"
	case bpfRET | bpfK:
		return "ret " + Action(in.K).String()
	case bpfRET | bpfA:
		return "ret a"
	case bpfJMP | bpfJA:
		return "ja " + strconv.FormatUint(uint64(pc)+1+uint64(in.K), 10)
	case bpfALU | bpfNEG:
		return "neg"
	}
	src := k
	if in.Op&bpfX != 0 {
		src = "x"
	}
	switch in.Op & 0x07 {
	case bpfALU:
		if n, ok := aluNames[in.Op&0xf0]; ok {
			return n + " " + src
		}
	case bpfJMP:
		if n, ok := jmpNames[in.Op&0xf0]; ok {
			return fmt.Sprintf("%s %s, %d, %d", n, src, pc+1+int(in.Jt), pc+1+int(in.Jf))
		}
	}
	return fmt.Sprintf(".word %#04x, %d, %d, %s", in.Op, in.Jt, in.Jf, hex(in.K))
}

func hex(v uint32) string { return "0x" + strconv.FormatUint(uint64(v), 16) }

// fieldName names the seccomp_data word at off for the disassembly.
func fieldName(off uint32) string {
	switch {
	case off == 0:
		return "\t; nr"
	case off == 4:
		return "\t; arch"
	case off == 8:
		return "\t; instruction_pointer low"
	case off == 12:
		return "\t; instruction_pointer high"
	case off >= 16 && off < dataSize && off%4 == 0:
		half := " low"
		if off%8 != 0 {
			half = " high"
		}
		return "\t; args[" + strconv.FormatUint(uint64(off-16)/8, 10) + "]" + half
	}
	return ""
}
