package cgroup

import (
	"fmt"
	"io/fs"
	"strconv"
	"strings"

	"github.com/lxgo/lx/cpuset"
	"github.com/lxgo/lx/internal/parse"
)

// The cpuset controller's files, cpuset.* (cgroup-v2.rst "Cpuset", Linux
// 5.0): the CPUs and memory nodes a cgroup's tasks may use, as lists
// ("0-3,8"). They exist in non-root cgroups whose parent enabled
// "cpuset" (the .effective ones in the root too).

// CPUSetCPUs reads cpuset.cpus: the CPUs asked for, empty when the cgroup
// uses its parent's.
func (c *Cgroup) CPUSetCPUs() (cpuset.Set, error) { return c.readSet("cpuset.cpus") }

// SetCPUSetCPUs writes cpuset.cpus (an empty set means "as the parent")
// and returns what the kernel stored. CPUs beyond the parent's are
// allowed in the file but not used (see CPUSetCPUsEffective).
func (c *Cgroup) SetCPUSetCPUs(s cpuset.Set) (cpuset.Set, error) {
	return c.setSet("cpuset.cpus", s)
}

// CPUSetCPUsEffective reads cpuset.cpus.effective: the CPUs the cgroup's
// tasks may run on, granted by the parent.
func (c *Cgroup) CPUSetCPUsEffective() (cpuset.Set, error) {
	return c.readSet("cpuset.cpus.effective")
}

// CPUSetMems reads cpuset.mems: the memory nodes asked for, empty when
// the cgroup uses its parent's.
func (c *Cgroup) CPUSetMems() (cpuset.Set, error) { return c.readSet("cpuset.mems") }

// SetCPUSetMems writes cpuset.mems and returns what the kernel stored.
// Memory already allocated moves only if memory_migrate is on (v1) or by
// the kernel's own policy; new allocations follow at once.
func (c *Cgroup) SetCPUSetMems(s cpuset.Set) (cpuset.Set, error) {
	return c.setSet("cpuset.mems", s)
}

// CPUSetMemsEffective reads cpuset.mems.effective: the memory nodes the
// cgroup's tasks may allocate on.
func (c *Cgroup) CPUSetMemsEffective() (cpuset.Set, error) {
	return c.readSet("cpuset.mems.effective")
}

func (c *Cgroup) readSet(name string) (cpuset.Set, error) {
	v, err := readFile(c, name, func(b []byte) (cpuset.Set, error) {
		s, err := cpuset.ParseBytes(parse.Trim(b))
		if err != nil {
			return cpuset.Set{}, parseErr(0, "", err)
		}
		return s, nil
	})
	if err != nil {
		return cpuset.Set{}, fmt.Errorf("cgroup %s read: %w", name, err)
	}
	return v, nil
}

func (c *Cgroup) setSet(name string, s cpuset.Set) (cpuset.Set, error) {
	b, err := s.AppendText(nil)
	if err != nil {
		return cpuset.Set{}, fmt.Errorf("cgroup %s set: %w", name, err)
	}
	// A newline for the empty set: the kernel strips it, and a write of
	// no bytes at all is not one it sees.
	b = append(b, '\n')
	if err := c.writeFile(name, b); err != nil {
		return cpuset.Set{}, fmt.Errorf("cgroup %s set %v: %w", name, s, err)
	}
	return c.readSet(name)
}

// PartitionType is what cpuset.cpus.partition asks for (Linux 5.2).
type PartitionType int

// The partition types.
const (
	// Member is an ordinary cgroup in its parent's partition.
	Member PartitionType = iota + 1
	// Root makes the cgroup the root of a partition of its own: its
	// CPUs are taken from the parent's exclusively.
	Root
	// Isolated is a partition root whose CPUs have no load balancing
	// (Linux 5.15).
	Isolated
)

var partitionNames = [...]string{Member: "member", Root: "root", Isolated: "isolated"}

// String returns the kernel's word ("root"), or "PartitionType(N)".
func (t PartitionType) String() string {
	if t > 0 && int(t) < len(partitionNames) {
		return partitionNames[t]
	}
	return "PartitionType(" + strconv.Itoa(int(t)) + ")"
}

// Partition is cpuset.cpus.partition as the kernel reports it.
type Partition struct {
	Type PartitionType
	// Invalid is true when a Root or Isolated partition cannot be one
	// now ("root invalid"): its CPUs then are the parent's again.
	Invalid bool
	// Reason is why, when the kernel says (6.1 does: "root invalid
	// (cpuset.cpus is empty)"); empty otherwise.
	Reason string
}

// String returns the kernel's text: "root", "isolated invalid (reason)".
func (p Partition) String() string {
	s := p.Type.String()
	if p.Invalid {
		s += " invalid"
		if p.Reason != "" {
			s += " (" + p.Reason + ")"
		}
	}
	return s
}

// MarshalText returns String's text.
func (p Partition) MarshalText() ([]byte, error) {
	if p.Type <= 0 || int(p.Type) >= len(partitionNames) {
		return nil, fmt.Errorf("cgroup partition marshal: unknown type %d: %w", int(p.Type), fs.ErrInvalid)
	}
	return []byte(p.String()), nil
}

// UnmarshalText sets *p from the kernel's text (ParsePartition).
func (p *Partition) UnmarshalText(text []byte) error {
	v, err := ParsePartition(text)
	if err != nil {
		return err
	}
	*p = v
	return nil
}

// ParsePartition parses cpuset.cpus.partition: "member", "root" or
// "isolated", optionally followed by " invalid" and " (reason)", with an
// optional trailing newline.
func ParsePartition[T ~string | ~[]byte](s T) (Partition, error) {
	text := strings.TrimSuffix(string(s), "\n")
	word, rest, _ := strings.Cut(text, " ")
	var p Partition
	for i, name := range partitionNames {
		if i > 0 && name == word {
			p.Type = PartitionType(i)
		}
	}
	if p.Type != 0 && rest != "" {
		inv, reason, _ := strings.Cut(rest, " ")
		if inv == "invalid" {
			p.Invalid = true
			if reason != "" {
				r, ok := strings.CutPrefix(reason, "(")
				if r, ok2 := strings.CutSuffix(r, ")"); ok && ok2 {
					p.Reason = r
				} else {
					p.Type = 0
				}
			}
		} else {
			p.Type = 0
		}
	}
	if p.Type == 0 {
		return Partition{}, fmt.Errorf("cgroup cpuset.cpus.partition %q: want member, root or isolated, maybe invalid (reason): %w", s, strconv.ErrSyntax)
	}
	return p, nil
}

// CPUSetPartition reads cpuset.cpus.partition (Linux 5.2).
func (c *Cgroup) CPUSetPartition() (Partition, error) {
	v, err := readFile(c, "cpuset.cpus.partition", func(b []byte) (Partition, error) {
		p, err := ParsePartition(b)
		if err != nil {
			return Partition{}, parseErr(0, "", err)
		}
		return p, nil
	})
	if err != nil {
		return Partition{}, fmt.Errorf("cgroup cpuset.cpus.partition read: %w", err)
	}
	return v, nil
}

// SetCPUSetPartition writes cpuset.cpus.partition and returns what the
// kernel then reports, which may be an invalid partition with its reason
// rather than an error.
func (c *Cgroup) SetCPUSetPartition(t PartitionType) (Partition, error) {
	if t <= 0 || int(t) >= len(partitionNames) {
		return Partition{}, fmt.Errorf("cgroup cpuset.cpus.partition set %v: %w", t, fs.ErrInvalid)
	}
	if err := c.writeFile("cpuset.cpus.partition", []byte(partitionNames[t])); err != nil {
		return Partition{}, fmt.Errorf("cgroup cpuset.cpus.partition set %v: %w", t, err)
	}
	return c.CPUSetPartition()
}
