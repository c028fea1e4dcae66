package seccomp

import (
	"errors"
	"io/fs"
	"strings"
	"syscall"
	"testing"
)

func mustErrno(t testing.TB, e syscall.Errno) Action {
	t.Helper()
	a, err := RetErrno(e)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestEvaluate(t *testing.T) {
	eperm := mustErrno(t, syscall.EPERM)
	trap := RetTrap
	p := &Policy{Arch: ArchAMD64, Default: eperm, Rules: []Rule{
		{Syscall: 39, Action: RetAllow},
		{Syscall: 1, Action: RetLog, Conds: []Cond{{Arg: 0, Op: OpEqual, Value: 2}}},
		{Syscall: 1, Action: RetAllow, Conds: []Cond{{Arg: 0, Op: OpLess, Value: 1 << 40}, {Arg: 2, Op: OpMaskedEqual, Mask: 0xff00000000, Value: 0x100000000}}},
	}}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		d    Data
		want Action
	}{
		{Data{Nr: 39, Arch: ArchAMD64}, RetAllow},
		{Data{Nr: 39, Arch: Arch386}, RetKillProcess},
		{Data{Nr: 39 | X32SyscallBit, Arch: ArchAMD64}, RetKillProcess},
		{Data{Nr: 40, Arch: ArchAMD64}, eperm},
		{Data{Nr: 0xffffffff, Arch: ArchAMD64}, eperm}, // -1, a tracer's skip
		{Data{Nr: 0xfffffffe, Arch: ArchAMD64}, RetKillProcess},
		{Data{Nr: 1, Arch: ArchAMD64, Args: [6]uint64{2}}, RetLog},
		{Data{Nr: 1, Arch: ArchAMD64, Args: [6]uint64{3, 0, 0x30100000000}}, RetAllow},
		{Data{Nr: 1, Arch: ArchAMD64, Args: [6]uint64{3, 0, 0x200000000}}, eperm},
		{Data{Nr: 1, Arch: ArchAMD64, Args: [6]uint64{1 << 40, 0, 0x100000000}}, eperm},
	} {
		if got := p.Evaluate(c.d); got != c.want {
			t.Errorf("Evaluate(%+v) = %v, want %v", c.d, got, c.want)
		}
	}
	p.BadArch = &trap
	if got := p.Evaluate(Data{Nr: 39, Arch: ArchARM64}); got != RetTrap {
		t.Errorf("BadArch: %v", got)
	}
	// A 32-bit architecture compares the low 32 bits only.
	p32 := &Policy{Arch: Arch386, Default: RetAllow, Rules: []Rule{{Syscall: 4, Action: eperm, Conds: []Cond{{Arg: 1, Op: OpGreater, Value: 10}}}}}
	for args, want := range map[[6]uint64]Action{{0, 11}: eperm, {0, 10}: RetAllow, {0, 1<<32 | 5}: RetAllow, {0, 0xffffffff00000000}: RetAllow, {0, 0xffffffff0000000b}: eperm} {
		if got := p32.Evaluate(Data{Nr: 4, Arch: Arch386, Args: args}); got != want {
			t.Errorf("386 args %#x: %v, want %v", args, got, want)
		}
	}
}

func TestValidate(t *testing.T) {
	bad := Action(0x7fff0001)
	for _, c := range []struct {
		p    Policy
		want string
	}{
		{Policy{Arch: 0x1234, Default: RetAllow}, "unknown architecture 0x1234"},
		{Policy{Arch: ArchAMD64, Default: bad}, "default action 0x7fff0001"},
		{Policy{Arch: ArchAMD64, Default: RetAllow, BadArch: &bad}, "bad-architecture action"},
		{Policy{Arch: ArchAMD64, Default: RetAllow, Rules: []Rule{{Syscall: 4000, Action: RetAllow}}}, "rule 0: system call 4000"},
		{Policy{Arch: ArchAMD64, Default: RetAllow, Rules: []Rule{{Syscall: 0, Action: RetAllow}, {Syscall: 1, Action: bad}}}, "rule 1: action 0x7fff0001"},
		{Policy{Arch: ArchAMD64, Default: RetAllow, Rules: []Rule{{Syscall: 0, Action: RetLog, Conds: make([]Cond, 7)}}}, "7 conditions"},
		{Policy{Arch: ArchAMD64, Default: RetAllow, Rules: []Rule{{Syscall: 0, Action: RetLog, Conds: []Cond{{Arg: 6, Op: OpEqual}}}}}, "argument 6"},
		{Policy{Arch: ArchAMD64, Default: RetAllow, Rules: []Rule{{Syscall: 0, Action: RetLog, Conds: []Cond{{Arg: 0}}}}}, "unknown operator op(0)"},
		{Policy{Arch: ArchAMD64, Default: RetAllow, Rules: []Rule{{Syscall: 0, Action: RetLog, Conds: []Cond{{Arg: 0, Op: 8}}}}}, "unknown operator op(8)"},
		{Policy{Arch: ArchAMD64, Default: RetAllow, Rules: []Rule{{Syscall: 0, Action: RetLog, Conds: []Cond{{Arg: 0, Op: OpEqual, Mask: 1}}}}}, "a mask"},
		{Policy{Arch: ArchARM, Default: RetAllow, Rules: []Rule{{Syscall: 0, Action: RetLog, Conds: []Cond{{Arg: 1, Op: OpEqual, Value: 1 << 32}}}}}, "arg1 == 0x100000000 is wider than arm's"},
		{Policy{Arch: Arch386, Default: RetAllow, Rules: []Rule{{Syscall: 0, Action: RetLog, Conds: []Cond{{Arg: 1, Op: OpMaskedEqual, Mask: 1 << 33}}}}}, "wider"},
	} {
		err := c.p.Validate()
		if !errors.Is(err, fs.ErrInvalid) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Validate(%+v) = %v; want %q", c.p, err, c.want)
		}
	}
	if s := (Cond{Arg: 1, Op: OpMaskedEqual, Mask: 0xff, Value: 2}).String(); s != "arg1 & 0xff == 0x2" {
		t.Errorf("Cond.String() = %q", s)
	}
}
