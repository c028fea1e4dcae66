package seccomp

import (
	"fmt"
	"io/fs"
	"strconv"
)

// MaxArgs is the number of system call arguments a filter sees
// (seccomp_data.args).
const MaxArgs = 6

// Op is how a Cond compares a system call argument with its Value. The
// comparisons are unsigned, as the kernel's BPF jumps are: a negative
// int argument compares as a large number.
type Op uint8

// The comparisons (libseccomp's SCMP_CMP_ operators).
const (
	OpEqual        Op = iota + 1 // arg == Value
	OpNotEqual                   // arg != Value
	OpLess                       // arg < Value
	OpLessEqual                  // arg <= Value
	OpGreater                    // arg > Value
	OpGreaterEqual               // arg >= Value
	OpMaskedEqual                // arg & Mask == Value
)

var opNames = [...]string{"", "==", "!=", "<", "<=", ">", ">=", "&=="}

// String returns the operator as Go writes it ("<="), "&==" for
// OpMaskedEqual, or "op(N)" for an unknown value.
func (o Op) String() string {
	if o != 0 && int(o) < len(opNames) {
		return opNames[o]
	}
	return "op(" + strconv.Itoa(int(o)) + ")"
}

// Cond is a condition on one system call argument.
//
// On a 32-bit Arch (Arch.Is64Bit false) a system call argument is 32
// bits wide; seccomp_data.args still holds 64, and what the upper half
// holds is not the caller's to choose (the kernel zero-extends, a
// compat entry may differ). Conditions there compare the low 32 bits
// only, and a Value or Mask wider than 32 bits is an error. On a 64-bit
// Arch they compare all 64 bits.
type Cond struct {
	Arg   uint8  // the argument, 0..5
	Op    Op     // the comparison
	Value uint64 // what the argument is compared with
	Mask  uint64 // for OpMaskedEqual: the bits of the argument compared
}

// String returns the condition in the form "arg1 & 0xff == 0x2", "arg0 < 0x10".
func (c Cond) String() string {
	if c.Op == OpMaskedEqual {
		return fmt.Sprintf("arg%d & %#x == %#x", c.Arg, c.Mask, c.Value)
	}
	return fmt.Sprintf("arg%d %v %#x", c.Arg, c.Op, c.Value)
}

func (c Cond) match(arg uint64, wide bool) bool {
	v, m := c.Value, c.Mask
	if !wide {
		arg, v, m = uint64(uint32(arg)), uint64(uint32(v)), uint64(uint32(m))
	}
	switch c.Op {
	case OpEqual:
		return arg == v
	case OpNotEqual:
		return arg != v
	case OpLess:
		return arg < v
	case OpLessEqual:
		return arg <= v
	case OpGreater:
		return arg > v
	case OpGreaterEqual:
		return arg >= v
	case OpMaskedEqual:
		return arg&m == v
	}
	return false
}

// Rule decides a system call's Action when all its conditions hold
// (none: always).
type Rule struct {
	Syscall Syscall // the number on the Policy's Arch (Arch.Lookup)
	Action  Action
	Conds   []Cond // at most 6 (MaxArgs) conditions, all of which must hold
}

// Policy is a seccomp filter before compilation: for system calls of one
// architecture, the first Rule on the call whose conditions hold decides;
// a call no rule decides gets Default. Calls of another architecture (and
// on ArchAMD64 the numbers from X32SyscallBit up, x32's, except -1) get
// BadArch.
//
// The zero Action is RetKillThread: a Policy needs its Default set.
type Policy struct {
	Arch    Arch    // the architecture filtered; another is BadArch's
	Default Action  // for calls no rule decides
	BadArch *Action // for calls of another architecture; nil: RetKillProcess
	Rules   []Rule  // in order: the first that matches decides
}

// Data is struct seccomp_data of include/uapi/linux/seccomp.h: what a
// filter reads about a system call.
type Data struct {
	Nr                 Syscall   // the system call number
	Arch               Arch      // the calling ABI
	InstructionPointer uint64    // the address of the call
	Args               [6]uint64 // the arguments
}

// skipSyscall is system call number -1, which a ptrace(2) tracer sets to
// skip a call and the kernel then runs through the filters again: on
// ArchAMD64 it is not an x32 call.
const skipSyscall Syscall = 0xffffffff

func (p *Policy) badArch() Action {
	if p.BadArch == nil {
		return RetKillProcess
	}
	return *p.BadArch
}

// Evaluate returns the Action the policy decides for d, without BPF: the
// definition the compiled program (Compile) agrees with. An invalid
// policy (Validate) evaluates as written.
func (p *Policy) Evaluate(d Data) Action {
	if d.Arch != p.Arch || (p.Arch == ArchAMD64 && d.Nr >= X32SyscallBit && d.Nr != skipSyscall) {
		return p.badArch()
	}
	wide := p.Arch.Is64Bit()
rules:
	for _, r := range p.Rules {
		if r.Syscall != d.Nr {
			continue
		}
		for _, c := range r.Conds {
			if int(c.Arg) >= MaxArgs || !c.match(d.Args[c.Arg], wide) {
				continue rules
			}
		}
		return r.Action
	}
	return p.Default
}

// Validate checks the policy: a known Arch, valid actions, rules on
// system calls in the Arch's table, at most 6 conditions each on
// arguments 0..5 with known operators, and values that fit a 32-bit
// Arch's arguments. The error wraps fs.ErrInvalid and names the rule
// and field.
func (p *Policy) Validate() error {
	max, ok := p.Arch.MaxSyscall()
	if !ok {
		return fmt.Errorf("seccomp: policy: unknown architecture %v: %w", p.Arch, fs.ErrInvalid)
	}
	if !p.Default.Valid() {
		return fmt.Errorf("seccomp: policy: default action %v: %w", p.Default, fs.ErrInvalid)
	}
	if !p.badArch().Valid() {
		return fmt.Errorf("seccomp: policy: bad-architecture action %v: %w", p.badArch(), fs.ErrInvalid)
	}
	for i, r := range p.Rules {
		if _, ok := p.Arch.Name(r.Syscall); !ok || r.Syscall > max {
			return fmt.Errorf("seccomp: policy: rule %d: system call %d is not in %v's table: %w", i, r.Syscall, p.Arch, fs.ErrInvalid)
		}
		if !r.Action.Valid() {
			return fmt.Errorf("seccomp: policy: rule %d: action %v: %w", i, r.Action, fs.ErrInvalid)
		}
		if len(r.Conds) > MaxArgs {
			return fmt.Errorf("seccomp: policy: rule %d: %d conditions, more than %d: %w", i, len(r.Conds), MaxArgs, fs.ErrInvalid)
		}
		for j, c := range r.Conds {
			switch {
			case c.Arg >= MaxArgs:
				return fmt.Errorf("seccomp: policy: rule %d: condition %d: argument %d is not 0..%d: %w", i, j, c.Arg, MaxArgs-1, fs.ErrInvalid)
			case c.Op == 0 || int(c.Op) >= len(opNames):
				return fmt.Errorf("seccomp: policy: rule %d: condition %d: unknown operator %v: %w", i, j, c.Op, fs.ErrInvalid)
			case c.Op != OpMaskedEqual && c.Mask != 0:
				return fmt.Errorf("seccomp: policy: rule %d: condition %d: a mask with operator %v: %w", i, j, c.Op, fs.ErrInvalid)
			case !p.Arch.Is64Bit() && (c.Value>>32 != 0 || c.Mask>>32 != 0):
				return fmt.Errorf("seccomp: policy: rule %d: condition %d: %v is wider than %v's 32-bit arguments: %w", i, j, c, p.Arch, fs.ErrInvalid)
			}
		}
	}
	return nil
}
