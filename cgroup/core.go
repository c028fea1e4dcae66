package cgroup

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"slices"
	"strconv"

	"github.com/lxgo/lx/internal/parse"
	"github.com/lxgo/lx/kernel"
)

// The core files, cgroup.*, which every cgroup v2 has whatever its
// controllers (cgroup-v2.rst "Core Interface Files"). cgroup.events,
// cgroup.freeze and cgroup.kill are in freeze.go.

// Procs returns the processes in the cgroup (cgroup.procs): their thread
// group ids as the caller's pid namespace sees them, in no particular
// order, each once. A process that is in no descendant but has threads
// here is listed too. Zombies are not listed. Any user who can read the
// file may.
func (c *Cgroup) Procs() ([]int, error) {
	v, err := readFile(c, "cgroup.procs", parsePIDs)
	if err != nil {
		return nil, fmt.Errorf("cgroup procs read: %w", err)
	}
	return v, nil
}

// Threads returns the threads in the cgroup (cgroup.threads, Linux 4.14).
func (c *Cgroup) Threads() ([]int, error) {
	v, err := readFile(c, "cgroup.threads", parsePIDs)
	if err != nil {
		return nil, fmt.Errorf("cgroup threads read: %w", err)
	}
	return v, nil
}

// parsePIDs parses cgroup.procs and cgroup.threads: one id per line.
func parsePIDs(b []byte) ([]int, error) {
	var ids []int
	for n := 1; len(b) > 0; n++ {
		var line []byte
		line, b = parse.Line(b)
		if len(line) == 0 {
			continue
		}
		v, err := parse.Uint(line)
		if err == nil && (v == 0 || v > kernel.MaxPID) {
			err = errRange("pid", line)
		}
		if err != nil {
			return nil, parseErr(n, "", err)
		}
		ids = append(ids, int(v))
	}
	return ids, nil
}

// MoveProcess moves every thread of process pid into the cgroup by
// writing pid to cgroup.procs. The process need not be a child of the
// caller. The kernel decides (EACCES, EPERM, ENOENT) by the delegation
// rules of the package documentation: write access to this cgroup.procs
// and to that of the common ancestor of the source and this cgroup, and a
// user namespace or cgroup namespace that holds both. A domain cgroup
// with controllers enabled in its cgroup.subtree_control takes no process
// (EBUSY, "no internal processes"), except the root.
//
// The whole process moves: in cgroup v2 the threads of one process share
// a domain cgroup (for threaded subtrees, see MoveThread).
func (c *Cgroup) MoveProcess(pid int) error {
	if err := kernel.CheckPID(pid); err != nil {
		return fmt.Errorf("cgroup move process: %w", err)
	}
	if err := c.writeFile("cgroup.procs", strconv.AppendInt(nil, int64(pid), 10)); err != nil {
		return fmt.Errorf("cgroup move process %d: %w", pid, err)
	}
	return nil
}

// MoveThread moves thread tid into the cgroup by writing it to
// cgroup.threads (Linux 4.14). Only threads of a process whose domain is
// this cgroup's threaded domain may move, and only into a threaded
// cgroup or the domain itself (EOPNOTSUPP otherwise). The rules of
// MoveProcess apply to the write.
func (c *Cgroup) MoveThread(tid int) error {
	if err := kernel.CheckPID(tid); err != nil {
		return fmt.Errorf("cgroup move thread: %w", err)
	}
	if err := c.writeFile("cgroup.threads", strconv.AppendInt(nil, int64(tid), 10)); err != nil {
		return fmt.Errorf("cgroup move thread %d: %w", tid, err)
	}
	return nil
}

// Type is a cgroup's type, the value of cgroup.type (Linux 4.14).
type Type int

// The cgroup types.
const (
	// Domain is a normal cgroup, or a threaded domain's root when it
	// has no threaded children.
	Domain Type = iota + 1
	// DomainThreaded is a domain cgroup that is the root of a threaded
	// subtree.
	DomainThreaded
	// DomainInvalid is a cgroup in an invalid state, which can hold no
	// process and enable no controller; it can be turned into Threaded.
	DomainInvalid
	// Threaded is a member of a threaded subtree: its threads, not its
	// processes, are controlled.
	Threaded
)

var typeNames = [...]string{Domain: "domain", DomainThreaded: "domain threaded", DomainInvalid: "domain invalid", Threaded: "threaded"}

// String returns the kernel's name ("domain threaded"), or "Type(N)".
func (t Type) String() string {
	if t > 0 && int(t) < len(typeNames) {
		return typeNames[t]
	}
	return "Type(" + strconv.Itoa(int(t)) + ")"
}

// MarshalText returns the kernel's name; an unknown Type is an error.
func (t Type) MarshalText() ([]byte, error) {
	if t <= 0 || int(t) >= len(typeNames) {
		return nil, fmt.Errorf("cgroup type marshal: unknown type %d: %w", int(t), fs.ErrInvalid)
	}
	return []byte(typeNames[t]), nil
}

// UnmarshalText sets *t from the kernel's name (ParseType).
func (t *Type) UnmarshalText(text []byte) error {
	v, err := ParseType(text)
	if err != nil {
		return err
	}
	*t = v
	return nil
}

// ParseType parses a cgroup.type value: "domain", "domain threaded",
// "domain invalid" or "threaded", exactly. Anything else is an error
// wrapping strconv.ErrSyntax.
func ParseType[T ~string | ~[]byte](s T) (Type, error) {
	for i, name := range typeNames {
		if i > 0 && name == string(s) {
			return Type(i), nil
		}
	}
	return 0, fmt.Errorf("cgroup type %q: want domain, domain threaded, domain invalid or threaded: %w", s, strconv.ErrSyntax)
}

// Type reads cgroup.type. The root cgroup of the hierarchy has no such
// file and is a Domain.
func (c *Cgroup) Type() (Type, error) {
	t, err := readFile(c, "cgroup.type", func(b []byte) (Type, error) { return ParseType(parse.Trim(b)) })
	if err != nil {
		if c.path == "/" && errors.Is(err, fs.ErrNotExist) {
			return Domain, nil
		}
		return 0, fmt.Errorf("cgroup type read: %w", err)
	}
	return t, nil
}

// SetType writes cgroup.type and returns the type the kernel then
// reports. Only Threaded can be written: it makes the cgroup threaded and
// its parent, unless it is one already, a DomainThreaded root (the parent
// must not have domain children then, EOPNOTSUPP). It cannot be undone.
func (c *Cgroup) SetType(t Type) (Type, error) {
	if t != Threaded {
		return 0, fmt.Errorf("cgroup type set %v: only threaded can be written: %w", t, fs.ErrInvalid)
	}
	if err := c.writeFile("cgroup.type", []byte("threaded")); err != nil {
		return 0, fmt.Errorf("cgroup type set: %w", err)
	}
	return c.Type()
}

// Controller is the name of a cgroup v2 controller, as cgroup.controllers
// lists it. A name lx has no constant for (a controller newer than lx) is
// still a valid Controller.
type Controller string

// The controllers of cgroup v2.
const (
	CPU       Controller = "cpu"        // cpu.*: weights, bandwidth (Linux 4.15)
	CPUSet    Controller = "cpuset"     // cpuset.*: CPUs and memory nodes (5.0)
	IO        Controller = "io"         // io.*: weights and limits per device (4.5)
	Memory    Controller = "memory"     // memory.*: limits, protection, stats (4.5)
	HugeTLB   Controller = "hugetlb"    // hugetlb.*: huge page limits per size (5.6)
	Pids      Controller = "pids"       // pids.*: number of tasks (4.5)
	RDMA      Controller = "rdma"       // rdma.*: RDMA/IB resources (4.11)
	Misc      Controller = "misc"       // misc.*: scalar resources such as SEV ASIDs (5.13)
	PerfEvent Controller = "perf_event" // no files: perf events per cgroup (4.11)
	DMem      Controller = "dmem"       // dmem.*: device memory regions (6.14)
)

// valid reports whether c is a name the kernel could print: lower-case
// letters, digits and underscores.
func (c Controller) valid() bool {
	if c == "" || len(c) > 64 {
		return false
	}
	for i := 0; i < len(c); i++ {
		ch := c[i]
		if !('a' <= ch && ch <= 'z' || '0' <= ch && ch <= '9' || ch == '_') {
			return false
		}
	}
	return true
}

// Controllers is a list of controller names, as cgroup.controllers and
// cgroup.subtree_control hold them, space-separated.
type Controllers []Controller

// Has reports whether c is in the list.
func (cs Controllers) Has(c Controller) bool { return slices.Contains(cs, c) }

// String returns the names separated by spaces, the kernel's text.
func (cs Controllers) String() string {
	b, _ := cs.appendText(nil, "")
	return string(b)
}

func (cs Controllers) appendText(b []byte, prefix string) ([]byte, error) {
	for i, c := range cs {
		if !c.valid() {
			return b, fmt.Errorf("cgroup controller %q: not a controller name: %w", string(c), fs.ErrInvalid)
		}
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, prefix...)
		b = append(b, c...)
	}
	return b, nil
}

// MarshalText returns String's text; a name that is no controller name is
// an error.
func (cs Controllers) MarshalText() ([]byte, error) { return cs.appendText([]byte{}, "") }

// UnmarshalText sets *cs from the kernel's text (ParseControllers).
func (cs *Controllers) UnmarshalText(text []byte) error {
	v, err := ParseControllers(text)
	if err != nil {
		return err
	}
	*cs = v
	return nil
}

// ParseControllers parses a space-separated list of controller names
// ("cpuset cpu io memory"), with an optional trailing newline. A word
// that is not a controller name (lower-case letters, digits and
// underscores) is an error wrapping strconv.ErrSyntax.
func ParseControllers[T ~string | ~[]byte](s T) (Controllers, error) {
	b := parse.Trim([]byte(s))
	cs := Controllers{}
	for {
		var f []byte
		f, b = parse.Field(b)
		if len(f) == 0 {
			return cs, nil
		}
		c := Controller(f)
		if !c.valid() {
			return nil, fmt.Errorf("cgroup controllers %q: %q is not a controller name: %w", s, f, strconv.ErrSyntax)
		}
		cs = append(cs, c)
	}
}

// Controllers reads cgroup.controllers: the controllers that the parent
// enabled for this cgroup (every controller of the hierarchy, for the
// root). Only these can be enabled in SubtreeControl.
func (c *Cgroup) Controllers() (Controllers, error) {
	v, err := readFile(c, "cgroup.controllers", ParseControllers[[]byte])
	if err != nil {
		return nil, fmt.Errorf("cgroup controllers read: %w", err)
	}
	return v, nil
}

// SubtreeControl reads cgroup.subtree_control: the controllers enabled
// for the cgroup's children (the files of an enabled controller appear in
// every child).
func (c *Cgroup) SubtreeControl() (Controllers, error) {
	v, err := readFile(c, "cgroup.subtree_control", ParseControllers[[]byte])
	if err != nil {
		return nil, fmt.Errorf("cgroup subtree control read: %w", err)
	}
	return v, nil
}

// SetSubtreeControl enables the controllers enable and disables the
// controllers disable for the cgroup's children, in one write of
// cgroup.subtree_control ("+cpu +memory -io"), which the kernel applies
// whole or not at all, and returns what the file then holds. A controller
// can be enabled only if it is in Controllers (ENOENT otherwise), and a
// non-root domain cgroup that has processes cannot enable a domain
// controller (EBUSY, "no internal processes"); a controller cannot be
// disabled while a child enabled it further down (EBUSY). Writing needs
// write access to the file: a delegatee may not change its delegated
// cgroup's own file, only those below it.
func (c *Cgroup) SetSubtreeControl(enable, disable Controllers) (Controllers, error) {
	b, err := enable.appendText(nil, "+")
	if err == nil && len(enable) > 0 && len(disable) > 0 {
		b = append(b, ' ')
	}
	if err == nil {
		b, err = disable.appendText(b, "-")
	}
	if err != nil {
		return nil, fmt.Errorf("cgroup subtree control set: %w", err)
	}
	if len(b) > 0 {
		if err := c.writeFile("cgroup.subtree_control", b); err != nil {
			return nil, fmt.Errorf("cgroup subtree control set %q: %w", b, err)
		}
	}
	return c.SubtreeControl()
}

// MaxDepth reads cgroup.max.depth (Linux 4.14): how many levels of
// descendants the cgroup may have; Unlimited by default.
func (c *Cgroup) MaxDepth() (Max, error) {
	v, err := readFile(c, "cgroup.max.depth", parseMaxLine)
	if err != nil {
		return 0, fmt.Errorf("cgroup max depth read: %w", err)
	}
	return v, nil
}

// SetMaxDepth writes cgroup.max.depth and returns what the kernel stored.
// m is Unlimited or 0..2147483647; a mkdir that would go deeper fails
// with EAGAIN.
func (c *Cgroup) SetMaxDepth(m Max) (Max, error) {
	if err := c.setIntMax("cgroup.max.depth", m); err != nil {
		return 0, fmt.Errorf("cgroup max depth set: %w", err)
	}
	return c.MaxDepth()
}

// MaxDescendants reads cgroup.max.descendants (Linux 4.14): how many live
// descendants the cgroup may have; Unlimited by default.
func (c *Cgroup) MaxDescendants() (Max, error) {
	v, err := readFile(c, "cgroup.max.descendants", parseMaxLine)
	if err != nil {
		return 0, fmt.Errorf("cgroup max descendants read: %w", err)
	}
	return v, nil
}

// SetMaxDescendants writes cgroup.max.descendants and returns what the
// kernel stored. m is Unlimited or 0..2147483647; a mkdir beyond it fails
// with EAGAIN.
func (c *Cgroup) SetMaxDescendants(m Max) (Max, error) {
	if err := c.setIntMax("cgroup.max.descendants", m); err != nil {
		return 0, fmt.Errorf("cgroup max descendants set: %w", err)
	}
	return c.MaxDescendants()
}

// setIntMax writes a limit that the kernel keeps in an int.
func (c *Cgroup) setIntMax(name string, m Max) error {
	if m != Unlimited && m > math.MaxInt32 {
		return fmt.Errorf("%s %d: want max or 0..%d: %w", name, uint64(m), math.MaxInt32, fs.ErrInvalid)
	}
	b, _ := m.AppendText(nil)
	return c.writeFile(name, b)
}

// Stat is cgroup.stat (Linux 4.14).
type Stat struct {
	// Descendants is the number of live descendant cgroups
	// (nr_descendants).
	Descendants uint64
	// DyingDescendants is the number of removed descendants that the
	// kernel has not freed yet (nr_dying_descendants).
	DyingDescendants uint64
	// Subsys and DyingSubsys count, per controller, the live and dying
	// controller states in the subtree, this cgroup included
	// (nr_subsys_<controller>, nr_dying_subsys_<controller>; Linux 6.11).
	// nil before 6.11.
	Subsys, DyingSubsys map[Controller]uint64
}

// Stat reads cgroup.stat.
func (c *Cgroup) Stat() (Stat, error) {
	v, err := readFile(c, "cgroup.stat", parseStat)
	if err != nil {
		return Stat{}, fmt.Errorf("cgroup stat read: %w", err)
	}
	return v, nil
}

func parseStat(b []byte) (Stat, error) {
	var st Stat
	err := eachKeyValue(b, func(key []byte, v uint64) error {
		switch k := string(key); {
		case k == "nr_descendants":
			st.Descendants = v
		case k == "nr_dying_descendants":
			st.DyingDescendants = v
		default:
			if name, ok := cutPrefix(key, "nr_dying_subsys_"); ok {
				if st.DyingSubsys == nil {
					st.DyingSubsys = map[Controller]uint64{}
				}
				st.DyingSubsys[Controller(name)] = v
			} else if name, ok := cutPrefix(key, "nr_subsys_"); ok {
				if st.Subsys == nil {
					st.Subsys = map[Controller]uint64{}
				}
				st.Subsys[Controller(name)] = v
			}
		}
		return nil
	})
	return st, err
}

// cutPrefix is strings.CutPrefix for a byte key, without a conversion of
// the key unless it matches.
func cutPrefix(key []byte, prefix string) (string, bool) {
	if len(key) > len(prefix) && string(key[:len(prefix)]) == prefix {
		return string(key[len(prefix):]), true
	}
	return "", false
}
