package seccomp

import (
	"fmt"
	"io/fs"
	"slices"
)

// Compile validates the policy (Validate) and compiles it to a classic
// BPF program for seccomp(2) SECCOMP_SET_MODE_FILTER.
//
// The program checks seccomp_data.arch (BadArch on a mismatch) and, on
// ArchAMD64, rejects x32's numbers (BadArch too); it then finds the
// system call among the rules' calls by binary search over their
// numbers, so a call costs a logarithmic number of jumps. Only the
// rules of a call with conditions load arguments; a call whose first
// rule has none reaches its return without loading any, so a call the
// policy always allows stays in the kernel's action cache (Linux 5.11,
// which runs the filter once per architecture and number and skips it
// for calls it allows without looking at their arguments).
//
// The error wraps fs.ErrInvalid for an invalid policy or one that needs
// more than MaxInstructions instructions, and says so.
func (p *Policy) Compile() (Program, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	var c compiler
	byNr := make(map[Syscall][]Rule)
	for _, r := range p.Rules {
		byNr[r.Syscall] = append(byNr[r.Syscall], r)
	}
	nrs := make([]Syscall, 0, len(byNr))
	for nr := range byNr {
		nrs = append(nrs, nr)
	}
	slices.Sort(nrs)

	badArch := c.newLabel()
	c.ins(bpfLD|bpfW|bpfABS, 4)
	c.jump(bpfJEQ, uint32(p.Arch), next, badArch)
	c.ins(bpfLD|bpfW|bpfABS, 0)
	if p.Arch == ArchAMD64 {
		dispatch := c.newLabel()
		c.jump(bpfJGE, X32SyscallBit, next, dispatch)
		c.jump(bpfJEQ, uint32(skipSyscall), dispatch, badArch)
		c.mark(dispatch)
	}
	bodies := make([]label, len(nrs))
	for i := range bodies {
		bodies[i] = c.newLabel()
	}
	c.search(nrs, bodies, p.Default)
	for i, nr := range nrs {
		c.mark(bodies[i])
		c.rules(byNr[nr], p.Arch.Is64Bit(), p.Default)
	}
	c.mark(badArch)
	c.ret(p.badArch())
	prog, err := c.assemble()
	if err != nil {
		return nil, fmt.Errorf("seccomp: compile: %w", err)
	}
	return prog, nil
}

// linearMax is the most system calls a leaf of the search compares one
// after another: a jge that halves three costs as much as it saves.
const linearMax = 3

// search emits the dispatch on the number, which the accumulator holds,
// to bodies[i] for nrs[i]; a number not in nrs returns def.
func (c *compiler) search(nrs []Syscall, bodies []label, def Action) {
	if len(nrs) <= linearMax {
		for i, nr := range nrs {
			c.jump(bpfJEQ, uint32(nr), bodies[i], next)
		}
		c.ret(def)
		return
	}
	mid := len(nrs) / 2
	upper := c.newLabel()
	c.jump(bpfJGE, uint32(nrs[mid]), upper, next)
	c.search(nrs[:mid], bodies[:mid], def)
	c.mark(upper)
	c.search(nrs[mid:], bodies[mid:], def)
}

// rules emits a call's rules in order: each tests its conditions and
// returns its action, or goes on to the next; after the last, def.
func (c *compiler) rules(rules []Rule, wide bool, def Action) {
	for _, r := range rules {
		if len(r.Conds) == 0 {
			c.ret(r.Action)
			return // the rules after it never decide
		}
		fail := c.newLabel()
		for _, cond := range r.Conds {
			c.cond(cond, wide, fail)
		}
		c.ret(r.Action)
		c.mark(fail)
	}
	c.ret(def)
}

// cond emits a condition that falls through when it holds and jumps to
// fail when not. On a 64-bit architecture it compares the high words,
// then the low words where the high ones are equal; on a 32-bit one the
// low words only.
func (c *compiler) cond(cond Cond, wide bool, fail label) {
	lo := 16 + 8*uint32(cond.Arg)
	hi := lo + 4 // little-endian
	vlo, vhi := uint32(cond.Value), uint32(cond.Value>>32)
	mlo, mhi := uint32(cond.Mask), uint32(cond.Mask>>32)
	pass := c.newLabel()
	if wide {
		c.ins(bpfLD|bpfW|bpfABS, hi)
		switch cond.Op {
		case OpEqual:
			c.jump(bpfJEQ, vhi, next, fail)
		case OpNotEqual:
			c.jump(bpfJEQ, vhi, next, pass)
		case OpGreater, OpGreaterEqual:
			c.jump(bpfJGT, vhi, pass, next)
			c.jump(bpfJEQ, vhi, next, fail)
		case OpLess, OpLessEqual:
			c.jump(bpfJGT, vhi, fail, next)
			c.jump(bpfJEQ, vhi, next, pass)
		case OpMaskedEqual:
			c.ins(bpfALU|bpfAND|bpfK, mhi)
			c.jump(bpfJEQ, vhi, next, fail)
		}
	}
	c.ins(bpfLD|bpfW|bpfABS, lo)
	switch cond.Op {
	case OpEqual:
		c.jump(bpfJEQ, vlo, next, fail)
	case OpNotEqual:
		c.jump(bpfJEQ, vlo, fail, next)
	case OpGreater:
		c.jump(bpfJGT, vlo, next, fail)
	case OpGreaterEqual:
		c.jump(bpfJGE, vlo, next, fail)
	case OpLess:
		c.jump(bpfJGE, vlo, fail, next)
	case OpLessEqual:
		c.jump(bpfJGT, vlo, fail, next)
	case OpMaskedEqual:
		c.ins(bpfALU|bpfAND|bpfK, mlo)
		c.jump(bpfJEQ, vlo, next, fail)
	}
	c.mark(pass)
}

// label names a place in the program; next is the instruction after a
// jump.
type label int

const next label = 0

// item is an instruction whose jump targets are labels, or a label's
// place (mark).
type item struct {
	in     Instruction
	jt, jf label // a conditional jump's targets
	mark   label // not 0: this item is the place of label mark
	// farT and farF: the target is more than 255 instructions on, so
	// the jump goes through a ja placed after it.
	farT, farF bool
}

type compiler struct {
	items  []item
	labels int
}

func (c *compiler) newLabel() label {
	c.labels++
	return label(c.labels)
}

func (c *compiler) ins(op uint16, k uint32) {
	c.items = append(c.items, item{in: Instruction{Op: op, K: k}})
}

func (c *compiler) ret(a Action) { c.ins(bpfRET|bpfK, uint32(a)) }

func (c *compiler) jump(op uint16, k uint32, jt, jf label) {
	c.items = append(c.items, item{in: Instruction{Op: bpfJMP | op | bpfK, K: k}, jt: jt, jf: jf})
}

func (c *compiler) mark(l label) { c.items = append(c.items, item{mark: l}) }

func (it *item) isJump() bool { return it.mark == 0 && it.in.Op&0x07 == bpfJMP }

// size is how many instructions the item takes.
func (it *item) size() int {
	switch {
	case it.mark != 0:
		return 0
	case it.farT && it.farF:
		return 3
	case it.farT || it.farF:
		return 2
	}
	return 1
}

// assemble resolves the labels. A conditional jump reaches 255
// instructions on; one whose target is further goes through a
// trampoline, "ja target" right after it (a ja reaches 2^32). Each
// trampoline moves what follows, so the layout repeats until no jump
// needs a new one.
func (c *compiler) assemble() (Program, error) {
	pos := make([]int, c.labels+1)
	at := make([]int, len(c.items)) // each item's first instruction
	for {
		n := 0
		for i := range c.items {
			at[i] = n
			if m := c.items[i].mark; m != 0 {
				pos[m] = n
			}
			n += c.items[i].size()
		}
		if n > MaxInstructions {
			return nil, fmt.Errorf("the policy needs %d instructions, more than the kernel's %d (BPF_MAXINSNS): %w", n, MaxInstructions, fs.ErrInvalid)
		}
		grown := false
		for i := range c.items {
			it := &c.items[i]
			if !it.isJump() {
				continue
			}
			// Offsets are from the instruction after the jump itself.
			if it.jt != next && !it.farT && pos[it.jt]-(at[i]+1) > 255 {
				it.farT, grown = true, true
			}
			if it.jf != next && !it.farF && pos[it.jf]-(at[i]+1) > 255 {
				it.farF, grown = true, true
			}
		}
		if !grown {
			return c.emit(pos, at), nil
		}
	}
}

func (c *compiler) emit(pos, at []int) Program {
	prog := make(Program, 0, len(c.items))
	for i := range c.items {
		it := c.items[i]
		if it.mark != 0 {
			continue
		}
		if !it.isJump() {
			prog = append(prog, it.in)
			continue
		}
		p := at[i]
		end := p + it.size() // where "next" is
		target := func(l label) int {
			if l == next {
				return end
			}
			return pos[l]
		}
		in := it.in
		var tramps []int
		switch {
		case it.farT && it.farF:
			in.Jt, in.Jf = 0, 1
			tramps = []int{target(it.jt), target(it.jf)}
		case it.farT:
			in.Jt, in.Jf = 0, uint8(target(it.jf)-(p+1))
			tramps = []int{target(it.jt)}
		case it.farF:
			in.Jt, in.Jf = uint8(target(it.jt)-(p+1)), 0
			tramps = []int{target(it.jf)}
		default:
			in.Jt, in.Jf = uint8(target(it.jt)-(p+1)), uint8(target(it.jf)-(p+1))
		}
		prog = append(prog, in)
		for j, t := range tramps {
			prog = append(prog, Instruction{Op: bpfJMP | bpfJA, K: uint32(t - (p + 1 + j + 1))})
		}
	}
	return prog
}
