package seccomp

import (
	"errors"
	"io/fs"
	"math"
	"math/rand/v2"
	"strings"
	"syscall"
	"testing"
)

// samples returns the argument values worth trying against p's
// conditions: each value and its neighbours in the low and the high
// word, 0, the maximum, and high-word variations of each.
func samples(p *Policy) []uint64 {
	set := map[uint64]bool{0: true, 1: true, math.MaxUint64: true, math.MaxUint32: true, 1 << 32: true}
	for _, r := range p.Rules {
		for _, c := range r.Conds {
			for _, v := range []uint64{c.Value, c.Value & c.Mask, c.Mask, c.Value | ^c.Mask} {
				for _, d := range []uint64{0, 1, math.MaxUint64, 1 << 32, math.MaxUint32 << 32} {
					set[v+d] = true
					set[v^(d&(math.MaxUint32<<32))] = true
				}
			}
		}
	}
	out := make([]uint64, 0, len(set))
	for v := range set {
		out = append(out, v)
	}
	return out
}

// agree checks that the compiled program decides as the policy does for
// every number of the policy's architecture (and a few beyond), other
// architectures, and argument values sampled around the conditions.
func agree(t testing.TB, p *Policy, prog Program, rnd *rand.Rand, perCall int) {
	t.Helper()
	max, _ := p.Arch.MaxSyscall()
	vals := samples(p)
	conds := make(map[Syscall]bool)
	for _, r := range p.Rules {
		if len(r.Conds) > 0 {
			conds[r.Syscall] = true
		}
	}
	check := func(d Data) {
		want := p.Evaluate(d)
		got, err := prog.Run(d)
		if err != nil || got != want {
			t.Fatalf("for %+v the program returns %v, %v; the policy %v\n%v", d, got, err, want, prog)
		}
	}
	nrs := []Syscall{max + 1, 4095, X32SyscallBit - 1, X32SyscallBit, X32SyscallBit | 1, math.MaxUint32, 1 << 31}
	for nr := Syscall(0); nr <= max; nr++ {
		nrs = append(nrs, nr)
	}
	for _, nr := range nrs {
		for _, a := range Arches() {
			check(Data{Nr: nr, Arch: a})
		}
		check(Data{Nr: nr, Arch: p.Arch, Args: [6]uint64{1, 2, 3, 4, 5, 6}})
		if !conds[nr] {
			continue
		}
		for range perCall {
			d := Data{Nr: nr, Arch: p.Arch, InstructionPointer: rnd.Uint64()}
			for i := range d.Args {
				d.Args[i] = vals[rnd.IntN(len(vals))]
			}
			check(d)
		}
	}
}

func TestCompileAgrees(t *testing.T) {
	eperm := mustErrno(t, syscall.EPERM)
	trap := RetTrap
	for _, arch := range Arches() {
		openat, _ := arch.Lookup("openat")
		mkdirat, _ := arch.Lookup("mkdirat")
		getpid, _ := arch.Lookup("getpid")
		write, _ := arch.Lookup("write")
		var v uint64 = 0x1_0000_0010
		if !arch.Is64Bit() {
			v = 0x10
		}
		p := &Policy{Arch: arch, Default: RetAllow, Rules: []Rule{
			{Syscall: mkdirat, Action: eperm},
			{Syscall: getpid, Action: RetTrace(3), Conds: []Cond{{Arg: 0, Op: OpNotEqual, Value: v}}},
			{Syscall: getpid, Action: RetLog, Conds: []Cond{{Arg: 5, Op: OpEqual, Value: v}}},
			{Syscall: write, Action: RetAllow, Conds: []Cond{{Arg: 0, Op: OpEqual, Value: 1}}},
			{Syscall: write, Action: eperm, Conds: []Cond{{Arg: 0, Op: OpLess, Value: v}, {Arg: 1, Op: OpLessEqual, Value: v}, {Arg: 2, Op: OpGreater, Value: v}}},
			{Syscall: write, Action: RetTrap, Conds: []Cond{{Arg: 3, Op: OpGreaterEqual, Value: v}, {Arg: 4, Op: OpMaskedEqual, Mask: v | 0xff, Value: v}}},
			{Syscall: openat, Action: RetUserNotif, Conds: []Cond{{Arg: 2, Op: OpMaskedEqual, Mask: 3, Value: 1}}},
			{Syscall: openat, Action: RetKillThread},
			{Syscall: openat, Action: RetAllow}, // never decides
		}}
		for _, bad := range []*Action{nil, &trap} {
			p.BadArch = bad
			prog, err := p.Compile()
			if err != nil {
				t.Fatal(err)
			}
			agree(t, p, prog, rand.New(rand.NewPCG(1, 2)), 3000)
		}
	}
}

// TestCompileCache checks that a call the policy allows unconditionally
// reaches its return without loading an argument: the kernel's action
// cache (Linux 5.11) keeps only such calls.
func TestCompileCache(t *testing.T) {
	p := &Policy{Arch: ArchAMD64, Default: mustErrno(t, syscall.ENOSYS)}
	for nr := Syscall(0); nr < 300; nr++ {
		r := Rule{Syscall: nr, Action: RetAllow}
		if nr%3 == 0 {
			r.Conds = []Cond{{Arg: uint8(nr % 6), Op: OpEqual, Value: uint64(nr)}}
		}
		p.Rules = append(p.Rules, r)
	}
	prog, err := p.Compile()
	if err != nil {
		t.Fatal(err)
	}
	for nr := Syscall(0); nr < 400; nr++ {
		loads := argLoads(prog, Data{Nr: nr, Arch: ArchAMD64})
		if want := nr < 300 && nr%3 == 0; loads != want {
			t.Errorf("nr %d: loads arguments %v, want %v", nr, loads, want)
		}
	}
	agree(t, p, prog, rand.New(rand.NewPCG(3, 4)), 20)
}

// argLoads reports whether the program loads anything but nr and arch
// on its path for d.
func argLoads(prog Program, d Data) bool {
	_, st, _ := prog.run(d)
	return st.argLoads
}

// TestCompileFar compiles policies whose jumps span more than 255
// instructions, which need ja trampolines.
func TestCompileFar(t *testing.T) {
	for _, arch := range []Arch{ArchAMD64, ArchARM} {
		p := &Policy{Arch: arch, Default: RetLog}
		for nr := Syscall(0); nr < 120; nr++ {
			if _, ok := arch.Name(nr); !ok {
				continue
			}
			var conds []Cond
			for i := range 4 {
				conds = append(conds, Cond{Arg: uint8(i), Op: Op(1 + (int(nr)+i)%7), Value: uint64(nr) * 3, Mask: 0})
				if conds[i].Op == OpMaskedEqual {
					conds[i].Mask = 0xfff
				}
			}
			p.Rules = append(p.Rules, Rule{Syscall: nr, Action: RetTrace(uint16(nr)), Conds: conds}, Rule{Syscall: nr, Action: RetAllow, Conds: conds[:1]})
		}
		prog, err := p.Compile()
		if err != nil {
			t.Fatal(err)
		}
		if len(prog) < 1000 {
			t.Fatalf("%v: %d instructions: the test needs far jumps", arch, len(prog))
		}
		tramps := 0
		for _, in := range prog {
			if in.Op == bpfJMP|bpfJA {
				tramps++
			}
		}
		if tramps == 0 {
			t.Fatalf("%v: no trampolines in %d instructions", arch, len(prog))
		}
		agree(t, p, prog, rand.New(rand.NewPCG(5, 6)), 200)
	}
}

func TestCompileTooLarge(t *testing.T) {
	p := &Policy{Arch: ArchAMD64, Default: RetAllow}
	for nr := Syscall(0); nr < 300; nr++ {
		if _, ok := ArchAMD64.Name(nr); ok {
			p.Rules = append(p.Rules, Rule{Syscall: nr, Action: RetLog, Conds: []Cond{{Op: OpEqual}, {Arg: 1, Op: OpEqual}, {Arg: 2, Op: OpEqual}, {Arg: 3, Op: OpEqual}}})
		}
	}
	prog, err := p.Compile()
	if !errors.Is(err, fs.ErrInvalid) || !strings.Contains(err.Error(), "more than the kernel's 4096") {
		t.Fatalf("Compile = %d instructions, %v", len(prog), err)
	}
	if _, err := (&Policy{Arch: ArchAMD64, Default: 1}).Compile(); !errors.Is(err, fs.ErrInvalid) {
		t.Fatalf("Compile of an invalid policy: %v", err)
	}
}

func TestRunRejects(t *testing.T) {
	ret := Instruction{Op: bpfRET | bpfK, K: uint32(RetAllow)}
	for _, c := range []struct {
		prog Program
		want string
	}{
		{Program{}, "runs off its end"},
		{Program{{Op: bpfLD | bpfW | bpfABS, K: 64}, ret}, "load outside"},
		{Program{{Op: bpfLD | bpfW | bpfABS, K: 2}, ret}, "load outside"},
		{Program{{Op: bpfJMP | bpfJEQ, Jt: 1}, ret}, "jump past the end"},
		{Program{{Op: bpfJMP | bpfJA, K: 1}, ret}, "jump past the end"},
		{Program{{Op: bpfLD | bpfMEM, K: 16}, ret}, "scratch memory"},
		{Program{{Op: 0x28}, ret}, "unknown opcode"}, // BPF_LD|BPF_H|BPF_ABS
		{Program{{Op: bpfLD | bpfIMM}}, "runs off its end"},
	} {
		if a, err := c.prog.Run(Data{}); !errors.Is(err, errProgram) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Run(%v) = %v, %v; want %q", c.prog, a, err, c.want)
		}
	}
	// What seccomp allows beyond Compile's instructions.
	prog := Program{
		{Op: bpfLD | bpfW | bpfLEN}, {Op: bpfMISC | bpfTAX}, {Op: bpfLD | bpfIMM, K: 6},
		{Op: bpfALU | bpfMUL | bpfK, K: 3}, {Op: bpfALU | bpfADD | bpfX}, {Op: bpfST, K: 2}, // 82
		{Op: bpfLDX | bpfMEM, K: 2}, {Op: bpfALU | bpfSUB | bpfK, K: 2}, {Op: bpfALU | bpfOR | bpfK, K: 1}, // 81
		{Op: bpfALU | bpfXOR | bpfK, K: 1}, {Op: bpfALU | bpfLSH | bpfK, K: 1}, {Op: bpfALU | bpfRSH | bpfK, K: 1}, // 80
		{Op: bpfALU | bpfNEG}, {Op: bpfALU | bpfNEG}, {Op: bpfALU | bpfDIV | bpfK, K: 2}, // 40
		{Op: bpfJMP | bpfJSET | bpfK, K: 8, Jt: 1}, ret,
		{Op: bpfALU | bpfOR | bpfK, K: uint32(retErrno)}, {Op: bpfRET | bpfA},
	}
	if a, err := prog.Run(Data{}); err != nil || a != retErrno|40 {
		t.Fatalf("Run = %v, %v; want errno(40)", a, err)
	}
	if a, err := (Program{{Op: bpfLDX | bpfIMM}, {Op: bpfALU | bpfDIV | bpfX}, ret}).Run(Data{}); err != nil || a != RetKillThread {
		t.Errorf("division by zero: %v, %v", a, err)
	}
}

func TestDisassemble(t *testing.T) {
	p := &Policy{Arch: ArchAMD64, Default: mustErrno(t, syscall.EPERM), Rules: []Rule{
		{Syscall: 39, Action: RetAllow}, // getpid
		{Syscall: 1, Action: RetAllow, Conds: []Cond{{Arg: 0, Op: OpLessEqual, Value: 2}}}, // write to stdout or stderr
		{Syscall: 1, Action: RetLog},
	}}
	prog, err := p.Compile()
	if err != nil {
		t.Fatal(err)
	}
	const want = `0000: ld [4]	; arch
0001: jeq #0xc000003e, 2, 16
0002: ld [0]	; nr
0003: jge #0x40000000, 4, 5
0004: jeq #0xffffffff, 5, 16
0005: jeq #0x1, 8, 6
0006: jeq #0x27, 15, 7
0007: ret errno(1)
0008: ld [20]	; args[0] high
0009: jgt #0x0, 14, 10
0010: jeq #0x0, 11, 13
0011: ld [16]	; args[0] low
0012: jgt #0x2, 14, 13
0013: ret allow
0014: ret log
0015: ret allow
0016: ret kill-process
`
	if got := prog.String(); got != want {
		t.Errorf("disassembly:\n%s\nwant:\n%s", got, want)
	}
	odd := Program{{Op: bpfLD | bpfIMM, K: 7}, {Op: bpfMISC | bpfTAX}, {Op: bpfJMP | bpfJSET | bpfX, Jf: 1}, {Op: bpfJMP | bpfJA}, {Op: 0xffff, K: 1}, {Op: bpfRET | bpfA}}
	const wantOdd = "0000: ld #0x7\n0001: tax\n0002: jset x, 3, 4\n0003: ja 4\n0004: .word 0xffff, 0, 0, 0x1\n0005: ret a\n"
	if got := odd.String(); got != wantOdd {
		t.Errorf("disassembly:\n%s\nwant:\n%s", got, wantOdd)
	}
}

func FuzzCompile(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15})
	f.Add([]byte("\x01\x05\x00\x07\x02\x01\x00\x00\x00\x00\x00\x00\x01\x00\xff\xff\xff\xff"))
	f.Fuzz(func(t *testing.T, b []byte) {
		p := policyFrom(b)
		prog, err := p.Compile()
		if err != nil {
			if !errors.Is(err, fs.ErrInvalid) {
				t.Fatalf("Compile = %v", err)
			}
			return
		}
		agree(t, p, prog, rand.New(rand.NewPCG(uint64(len(b)), 7)), 20)
	})
}

// policyFrom builds a policy from fuzz input, byte by byte.
func policyFrom(b []byte) *Policy {
	take := func() byte {
		if len(b) == 0 {
			return 0
		}
		v := b[0]
		b = b[1:]
		return v
	}
	arches := Arches()
	actions := []Action{RetAllow, RetLog, RetTrap, retErrno | 1, RetTrace(9), RetKillThread, RetKillProcess, RetUserNotif, 0x7fff0001}
	p := &Policy{Arch: arches[int(take())%len(arches)], Default: actions[int(take())%len(actions)]}
	for len(b) > 0 {
		r := Rule{Syscall: Syscall(take()) * 2, Action: actions[int(take())%len(actions)]}
		for n := int(take()) % 8; n > 0 && len(b) > 0; n-- {
			var v uint64
			for range int(take()) % 9 {
				v = v<<8 | uint64(take())
			}
			c := Cond{Arg: take() % 7, Op: Op(take() % 9), Value: v}
			if c.Op == OpMaskedEqual {
				c.Mask = v | uint64(take())<<40
			}
			r.Conds = append(r.Conds, c)
		}
		p.Rules = append(p.Rules, r)
	}
	return p
}
