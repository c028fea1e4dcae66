package numa

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/lxgo/lx/internal/parse"
)

// Meminfo is one node's /sys/devices/system/node/nodeN/meminfo: the
// node's share of what /proc/meminfo reports for the system, in bytes
// (the file says kB, meaning KiB), except the HugePages_ counts. A line
// the running kernel does not print leaves its field 0; lines lx does not
// know are skipped.
type Meminfo struct {
	MemTotal        uint64 // usable RAM of the node
	MemFree         uint64 // completely unused RAM
	MemUsed         uint64 // MemTotal - MemFree
	SwapCached      uint64 // swapped out and back in, still in the swap file (5.9)
	Active          uint64
	Inactive        uint64
	ActiveAnon      uint64 // Active(anon)
	InactiveAnon    uint64 // Inactive(anon)
	ActiveFile      uint64 // Active(file)
	InactiveFile    uint64 // Inactive(file)
	Unevictable     uint64
	Mlocked         uint64
	HighTotal       uint64 // 32-bit kernels with CONFIG_HIGHMEM
	HighFree        uint64
	LowTotal        uint64
	LowFree         uint64
	Dirty           uint64
	Writeback       uint64
	FilePages       uint64 // page cache
	Mapped          uint64
	AnonPages       uint64
	Shmem           uint64
	KernelStack     uint64
	ShadowCallStack uint64 // arm64 with CONFIG_SHADOW_CALL_STACK
	PageTables      uint64
	SecPageTables   uint64 // KVM and IOMMU page tables (6.2)
	NFSUnstable     uint64 // NFS_Unstable: always 0 since 5.8
	Bounce          uint64
	WritebackTmp    uint64
	KReclaimable    uint64
	Slab            uint64
	SReclaimable    uint64
	SUnreclaim      uint64
	AnonHugePages   uint64
	ShmemHugePages  uint64
	ShmemPmdMapped  uint64
	FileHugePages   uint64
	FilePmdMapped   uint64
	Unaccepted      uint64 // memory a confidential guest has not accepted yet (6.5)
	Balloon         uint64 // taken by a balloon driver (6.12)
	HugePagesTotal  uint64 // HugePages_Total: the node's default-size huge page pool, a count
	HugePagesFree   uint64 // HugePages_Free, a count
	HugePagesSurp   uint64 // HugePages_Surp, a count
}

// NodeMeminfo returns node's memory counters from
// /sys/devices/system/node/nodeN/meminfo (no privilege).
func NodeMeminfo(node int) (Meminfo, error) { return Default().NodeMeminfo(node) }

// NodeMeminfo is the package-level NodeMeminfo for this FS.
func (fs FS) NodeMeminfo(node int) (Meminfo, error) {
	var m Meminfo
	if err := checkNode(node); err != nil {
		return m, fmt.Errorf("numa meminfo read: %w", err)
	}
	err := read(fs.nodePath(node, "meminfo"), func(b []byte) error {
		return parseMeminfo(b, node, &m)
	})
	if err != nil {
		return Meminfo{}, fmt.Errorf("numa node %d meminfo read: %w", node, err)
	}
	return m, nil
}

var errNodeNumber = errors.New("line of another node")

// parseMeminfo parses a node meminfo file into m: lines of "Node N Key:
// value kB" (or a bare count for the HugePages_ lines). Every line must
// name node. It allocates nothing on success.
func parseMeminfo(b []byte, node int, m *Meminfo) error {
	*m = Meminfo{}
	for n := 1; len(b) > 0; n++ {
		var line []byte
		line, b = parse.Line(b)
		if len(parse.Trim(line)) == 0 {
			continue
		}
		word, rest := parse.Field(line)
		if string(word) != "Node" {
			return &ParseError{Line: n, Err: fmt.Errorf("line does not start with Node: %q", line)}
		}
		num, rest := parse.Field(rest)
		id, err := parse.Uint(num)
		if err != nil {
			return &ParseError{Line: n, Key: "Node", Err: err}
		}
		if id != uint64(node) {
			return &ParseError{Line: n, Key: "Node", Err: fmt.Errorf("%w: node %d in the file of node %d", errNodeNumber, id, node)}
		}
		key, value, ok := parse.KeyValue(rest, ':')
		key = parse.TrimBlank(key)
		if !ok || len(key) == 0 {
			return &ParseError{Line: n, Err: fmt.Errorf("no key: %q", line)}
		}
		if bytes.HasPrefix(key, []byte("HugePages_")) {
			v, err := parse.Uint(value)
			if err != nil {
				return &ParseError{Line: n, Key: string(key), Err: err}
			}
			switch string(key) {
			case "HugePages_Total":
				m.HugePagesTotal = v
			case "HugePages_Free":
				m.HugePagesFree = v
			case "HugePages_Surp":
				m.HugePagesSurp = v
			}
			continue
		}
		f := m.field(key)
		if f == nil {
			continue
		}
		v, err := parse.KB(value)
		if err != nil {
			return &ParseError{Line: n, Key: string(key), Err: err}
		}
		*f = v
	}
	return nil
}

// field returns the field of key, nil for a key lx does not know.
func (m *Meminfo) field(key []byte) *uint64 {
	switch string(key) {
	case "MemTotal":
		return &m.MemTotal
	case "MemFree":
		return &m.MemFree
	case "MemUsed":
		return &m.MemUsed
	case "SwapCached":
		return &m.SwapCached
	case "Active":
		return &m.Active
	case "Inactive":
		return &m.Inactive
	case "Active(anon)":
		return &m.ActiveAnon
	case "Inactive(anon)":
		return &m.InactiveAnon
	case "Active(file)":
		return &m.ActiveFile
	case "Inactive(file)":
		return &m.InactiveFile
	case "Unevictable":
		return &m.Unevictable
	case "Mlocked":
		return &m.Mlocked
	case "HighTotal":
		return &m.HighTotal
	case "HighFree":
		return &m.HighFree
	case "LowTotal":
		return &m.LowTotal
	case "LowFree":
		return &m.LowFree
	case "Dirty":
		return &m.Dirty
	case "Writeback":
		return &m.Writeback
	case "FilePages":
		return &m.FilePages
	case "Mapped":
		return &m.Mapped
	case "AnonPages":
		return &m.AnonPages
	case "Shmem":
		return &m.Shmem
	case "KernelStack":
		return &m.KernelStack
	case "ShadowCallStack":
		return &m.ShadowCallStack
	case "PageTables":
		return &m.PageTables
	case "SecPageTables":
		return &m.SecPageTables
	case "NFS_Unstable":
		return &m.NFSUnstable
	case "Bounce":
		return &m.Bounce
	case "WritebackTmp":
		return &m.WritebackTmp
	case "KReclaimable":
		return &m.KReclaimable
	case "Slab":
		return &m.Slab
	case "SReclaimable":
		return &m.SReclaimable
	case "SUnreclaim":
		return &m.SUnreclaim
	case "AnonHugePages":
		return &m.AnonHugePages
	case "ShmemHugePages":
		return &m.ShmemHugePages
	case "ShmemPmdMapped":
		return &m.ShmemPmdMapped
	case "FileHugePages":
		return &m.FileHugePages
	case "FilePmdMapped":
		return &m.FilePmdMapped
	case "Unaccepted":
		return &m.Unaccepted
	case "Balloon":
		return &m.Balloon
	}
	return nil
}

// Numastat is a node's allocation counters,
// /sys/devices/system/node/nodeN/numastat: numbers of pages allocated
// since boot, as numastat(8) shows them.
type Numastat struct {
	Hit           uint64 // numa_hit: allocated here as intended
	Miss          uint64 // numa_miss: allocated here although another node was preferred
	Foreign       uint64 // numa_foreign: intended for here, allocated elsewhere
	InterleaveHit uint64 // interleave_hit: interleaved allocations that got this node as intended
	LocalNode     uint64 // local_node: allocated here by a task running here
	OtherNode     uint64 // other_node: allocated here by a task running on another node
}

// NodeNumastat returns node's allocation counters from
// /sys/devices/system/node/nodeN/numastat (no privilege).
func NodeNumastat(node int) (Numastat, error) { return Default().NodeNumastat(node) }

// NodeNumastat is the package-level NodeNumastat for this FS.
func (fs FS) NodeNumastat(node int) (Numastat, error) {
	var s Numastat
	if err := checkNode(node); err != nil {
		return s, fmt.Errorf("numa numastat read: %w", err)
	}
	err := read(fs.nodePath(node, "numastat"), func(b []byte) error {
		return parseNumastat(b, &s)
	})
	if err != nil {
		return Numastat{}, fmt.Errorf("numa node %d numastat read: %w", node, err)
	}
	return s, nil
}

// parseNumastat parses "name value" lines into s; unknown names are
// skipped.
func parseNumastat(b []byte, s *Numastat) error {
	*s = Numastat{}
	return eachCounter(b, func(n int, name []byte, v uint64) {
		switch string(name) {
		case "numa_hit":
			s.Hit = v
		case "numa_miss":
			s.Miss = v
		case "numa_foreign":
			s.Foreign = v
		case "interleave_hit":
			s.InterleaveHit = v
		case "local_node":
			s.LocalNode = v
		case "other_node":
			s.OtherNode = v
		}
	})
}

// eachCounter calls fn for each "name value" line of b.
func eachCounter(b []byte, fn func(line int, name []byte, v uint64)) error {
	for n := 1; len(b) > 0; n++ {
		var line []byte
		line, b = parse.Line(b)
		if len(parse.Trim(line)) == 0 {
			continue
		}
		name, rest := parse.Field(line)
		value, rest := parse.Field(rest)
		if len(parse.TrimBlank(rest)) > 0 || len(value) == 0 {
			return &ParseError{Line: n, Key: string(name), Err: fmt.Errorf("want \"name value\": %q", line)}
		}
		v, err := parse.Uint(value)
		if err != nil {
			return &ParseError{Line: n, Key: string(name), Err: err}
		}
		fn(n, name, v)
	}
	return nil
}

// Counter is one line of a node's vmstat.
type Counter struct {
	Name  string // the kernel's name: "nr_free_pages", "numa_hit", ...
	Value uint64 // a count of pages or events, as the kernel prints it
}

// Vmstat is a node's /sys/devices/system/node/nodeN/vmstat: the node's
// share of the /proc/vmstat counters, in the kernel's order. Which
// counters there are depends on the kernel version and configuration.
type Vmstat []Counter

// Get returns the value of the counter called name.
func (v Vmstat) Get(name string) (uint64, bool) {
	for _, c := range v {
		if c.Name == name {
			return c.Value, true
		}
	}
	return 0, false
}

// NodeVmstat returns node's vmstat counters from
// /sys/devices/system/node/nodeN/vmstat (no privilege).
func NodeVmstat(node int) (Vmstat, error) { return Default().NodeVmstat(node) }

// NodeVmstat is the package-level NodeVmstat for this FS.
func (fs FS) NodeVmstat(node int) (Vmstat, error) {
	if err := checkNode(node); err != nil {
		return nil, fmt.Errorf("numa vmstat read: %w", err)
	}
	var v Vmstat
	err := read(fs.nodePath(node, "vmstat"), func(b []byte) error {
		var err error
		v, err = parseVmstat(b)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("numa node %d vmstat read: %w", node, err)
	}
	return v, nil
}

// parseVmstat parses "name value" lines. A name appears once.
func parseVmstat(b []byte) (Vmstat, error) {
	var v Vmstat
	seen := map[string]bool{}
	var dup error
	err := eachCounter(b, func(n int, name []byte, value uint64) {
		s := string(name)
		if seen[s] && dup == nil {
			dup = &ParseError{Line: n, Key: s, Err: errors.New("repeated counter")}
		}
		seen[s] = true
		v = append(v, Counter{Name: s, Value: value})
	})
	if err == nil {
		err = dup
	}
	if err != nil {
		return nil, err
	}
	return v, nil
}
