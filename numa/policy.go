package numa

import (
	"fmt"
	"io/fs"
	"strconv"
	"strings"

	"github.com/lxgo/lx/cpuset"
	"github.com/lxgo/lx/internal/sys"
)

// Mode is a memory policy mode, MPOL_* of <linux/mempolicy.h>
// (set_mempolicy(2)). Its text form is the kernel's, as
// /proc/PID/numa_maps and tmpfs's mpol= option spell it: "default",
// "prefer", "bind", "interleave", "local", "prefer (many)",
// "weighted interleave". A mode newer than lx is its number.
type Mode int

// The modes. Go names drop the MPOL_ prefix; Mode is kept because
// Default is the package's FS.
const (
	// ModeDefault removes a thread's policy (the system default,
	// allocation on the local node) or, for a region, the region's own
	// policy (the thread's then applies). Takes no nodes.
	ModeDefault Mode = sys.MPOL_DEFAULT
	// ModePreferred allocates on the one given node, falling back to
	// others when it is full.
	ModePreferred Mode = sys.MPOL_PREFERRED
	// ModeBind allocates only on the given nodes; an allocation they
	// cannot satisfy fails (the OOM killer, SIGBUS).
	ModeBind Mode = sys.MPOL_BIND
	// ModeInterleave spreads pages over the given nodes, one after the
	// other.
	ModeInterleave Mode = sys.MPOL_INTERLEAVE
	// ModeLocal allocates on the node of the CPU that faults (Linux
	// 3.8). Takes no nodes.
	ModeLocal Mode = sys.MPOL_LOCAL
	// ModePreferredMany allocates on the nearest of the given nodes,
	// falling back to others (Linux 5.15).
	ModePreferredMany Mode = sys.MPOL_PREFERRED_MANY
	// ModeWeightedInterleave interleaves by the weights of
	// /sys/kernel/mm/mempolicy/weighted_interleave/nodeN (Linux 6.9).
	ModeWeightedInterleave Mode = sys.MPOL_WEIGHTED_INTERLEAVE
)

// modeNames are the kernel's policy_modes[] of mm/mempolicy.c.
var modeNames = [...]string{
	ModeDefault:            "default",
	ModePreferred:          "prefer",
	ModeBind:               "bind",
	ModeInterleave:         "interleave",
	ModeLocal:              "local",
	ModePreferredMany:      "prefer (many)",
	ModeWeightedInterleave: "weighted interleave",
}

// String returns the kernel's name of m, or its number.
func (m Mode) String() string {
	if m >= 0 && int(m) < len(modeNames) {
		return modeNames[m]
	}
	return strconv.Itoa(int(m))
}

// MarshalText returns String.
func (m Mode) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalText sets m from its text form, as ParseMode does.
func (m *Mode) UnmarshalText(b []byte) error {
	v, err := ParseMode(string(b))
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// ParseMode parses a mode's kernel name, or the decimal number of a mode
// lx has no name for. Errors name the input and match fs.ErrInvalid.
func ParseMode(s string) (Mode, error) {
	for i, n := range modeNames {
		if s == n {
			return Mode(i), nil
		}
	}
	if v, err := strconv.ParseUint(s, 10, 15); err == nil && v >= uint64(len(modeNames)) {
		return Mode(v), nil
	}
	return 0, fmt.Errorf("numa: unknown memory policy mode %q: %w", s, fs.ErrInvalid)
}

// Flags are the mode flags of a memory policy, MPOL_F_* of
// <linux/mempolicy.h>. Their text form is the kernel's numa_maps one,
// the names joined by "|" ("static", "relative|balancing"), with a
// trailing hexadecimal number for bits lx has no name for, and "none"
// for no flags.
type Flags uint32

const (
	// StaticNodes keeps the nodes as given when the thread's cpuset
	// changes, instead of remapping them (MPOL_F_STATIC_NODES, 2.6.26).
	StaticNodes Flags = sys.MPOL_F_STATIC_NODES
	// RelativeNodes reads the nodes as positions within the cpuset's
	// allowed nodes (MPOL_F_RELATIVE_NODES, 2.6.26).
	RelativeNodes Flags = sys.MPOL_F_RELATIVE_NODES
	// NumaBalancing lets automatic NUMA balancing (sysctl
	// kernel.numa_balancing) move pages among the policy's nodes
	// (MPOL_F_NUMA_BALANCING, 5.12, for ModeBind; the kernel answers
	// EINVAL for a mode it does not allow it with).
	NumaBalancing Flags = sys.MPOL_F_NUMA_BALANCING
)

var flagNames = []struct {
	f    Flags
	name string
}{{StaticNodes, "static"}, {RelativeNodes, "relative"}, {NumaBalancing, "balancing"}}

// String returns the text form of f.
func (f Flags) String() string {
	if f == 0 {
		return "none"
	}
	var b strings.Builder
	for _, n := range flagNames {
		if f&n.f != 0 {
			if b.Len() > 0 {
				b.WriteByte('|')
			}
			b.WriteString(n.name)
			f &^= n.f
		}
	}
	if f != 0 {
		if b.Len() > 0 {
			b.WriteByte('|')
		}
		b.WriteString("0x")
		b.WriteString(strconv.FormatUint(uint64(f), 16))
	}
	return b.String()
}

// MarshalText returns String.
func (f Flags) MarshalText() ([]byte, error) { return []byte(f.String()), nil }

// UnmarshalText sets f from its text form, as ParseFlags does.
func (f *Flags) UnmarshalText(b []byte) error {
	v, err := ParseFlags(string(b))
	if err != nil {
		return err
	}
	*f = v
	return nil
}

// ParseFlags parses the text form of Flags; "" is no flags, like
// "none". Errors name the input and match fs.ErrInvalid.
func ParseFlags(s string) (Flags, error) {
	if s == "" || s == "none" {
		return 0, nil
	}
	var f Flags
	for _, part := range strings.Split(s, "|") {
		known := false
		for _, n := range flagNames {
			if part == n.name {
				f |= n.f
				known = true
			}
		}
		if known {
			continue
		}
		hex, ok := strings.CutPrefix(part, "0x")
		v, err := strconv.ParseUint(hex, 16, 32)
		if !ok || err != nil || v == 0 {
			return 0, fmt.Errorf("numa: unknown memory policy flag %q in %q: %w", part, s, fs.ErrInvalid)
		}
		f |= Flags(v)
	}
	return f, nil
}

// Policy is a memory policy: a mode, its flags, and its nodes. Nodes
// holds node numbers (not CPUs): the one node of ModePreferred, the set
// of the other modes, empty for ModeDefault and ModeLocal.
//
// Its text form is the kernel's (mpol_to_str, as /proc/PID/numa_maps
// and tmpfs's mpol= print it): MODE[=FLAGS][:NODES], such as "default",
// "bind:0-1", "interleave=static:0,2", "prefer (many):1".
type Policy struct {
	Mode  Mode
	Flags Flags
	Nodes cpuset.Set
}

// String returns the text form of p.
func (p Policy) String() string {
	s := p.Mode.String()
	if p.Flags != 0 {
		s += "=" + p.Flags.String()
	}
	if !p.Nodes.IsEmpty() {
		s += ":" + p.Nodes.String()
	}
	return s
}

// MarshalText returns String.
func (p Policy) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// UnmarshalText sets p from its text form, as ParsePolicy does.
func (p *Policy) UnmarshalText(b []byte) error {
	v, err := ParsePolicy(string(b))
	if err != nil {
		return err
	}
	*p = v
	return nil
}

// ParsePolicy parses the text form of a Policy. It checks only the
// form; the nodes are checked against the possible nodes when the policy
// is applied.
func ParsePolicy(s string) (Policy, error) {
	var p Policy
	head, nodes, hasNodes := strings.Cut(s, ":")
	mode, flags, hasFlags := strings.Cut(head, "=")
	var err error
	if p.Mode, err = ParseMode(mode); err != nil {
		return Policy{}, fmt.Errorf("numa: policy %q: %w", s, err)
	}
	if hasFlags {
		if p.Flags, err = ParseFlags(flags); err != nil || p.Flags == 0 {
			return Policy{}, fmt.Errorf("numa: policy %q: bad flags %q: %w", s, flags, fs.ErrInvalid)
		}
	}
	if hasNodes {
		if p.Nodes, err = cpuset.Parse(nodes); err != nil || p.Nodes.IsEmpty() {
			return Policy{}, fmt.Errorf("numa: policy %q: bad nodes %q: %w", s, nodes, fs.ErrInvalid)
		}
		if p.Nodes.Len() > MaxNode+1 {
			return Policy{}, fmt.Errorf("numa: policy %q: node %d above %d: %w", s, p.Nodes.Len()-1, MaxNode, fs.ErrInvalid)
		}
	}
	return p, nil
}
