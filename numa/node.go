package numa

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/lxgo/lx/cpuset"
	"github.com/lxgo/lx/internal/parse"
)

// Possible returns the nodes that could ever be online on this boot: the
// range the kernel sized its per-node data for (nr_node_ids is its
// highest member plus one). It reads /sys/devices/system/node/possible
// (no privilege); the set does not change while the system runs. The
// file is missing on a kernel without CONFIG_NUMA.
func Possible() (cpuset.Set, error) { return Default().Possible() }

// Online returns the nodes that are online now. It reads
// /sys/devices/system/node/online. Memory hotplug can change it at any
// time.
func Online() (cpuset.Set, error) { return Default().Online() }

// HasMemory returns the nodes that have memory (N_MEMORY, normal or
// movable/high). It reads /sys/devices/system/node/has_memory.
func HasMemory() (cpuset.Set, error) { return Default().HasMemory() }

// HasNormalMemory returns the nodes that have memory the kernel can use
// for its own allocations (N_NORMAL_MEMORY: not only ZONE_MOVABLE). It
// reads /sys/devices/system/node/has_normal_memory.
func HasNormalMemory() (cpuset.Set, error) { return Default().HasNormalMemory() }

// HasCPU returns the nodes that have CPUs (N_CPU); a node of memory only
// (a CXL or persistent memory expander) is not among them. It reads
// /sys/devices/system/node/has_cpu.
func HasCPU() (cpuset.Set, error) { return Default().HasCPU() }

// Possible is the package-level Possible for this FS.
func (fs FS) Possible() (cpuset.Set, error) { return fs.readSet("possible") }

// Online is the package-level Online for this FS.
func (fs FS) Online() (cpuset.Set, error) { return fs.readSet("online") }

// HasMemory is the package-level HasMemory for this FS.
func (fs FS) HasMemory() (cpuset.Set, error) { return fs.readSet("has_memory") }

// HasNormalMemory is the package-level HasNormalMemory for this FS.
func (fs FS) HasNormalMemory() (cpuset.Set, error) { return fs.readSet("has_normal_memory") }

// HasCPU is the package-level HasCPU for this FS.
func (fs FS) HasCPU() (cpuset.Set, error) { return fs.readSet("has_cpu") }

func (fs FS) readSet(name string) (cpuset.Set, error) {
	var set cpuset.Set
	err := read(fs.path(name), func(b []byte) error {
		var err error
		set, err = parseNodeList(b)
		return err
	})
	if err != nil {
		return cpuset.Set{}, fmt.Errorf("numa %s read: %w", name, err)
	}
	return set, nil
}

// parseNodeList parses a node list file ("0-1\n") and rejects nodes
// above MaxNode.
func parseNodeList(b []byte) (cpuset.Set, error) {
	set, err := cpuset.ParseBytes(b)
	if err != nil {
		return cpuset.Set{}, err
	}
	if set.Len() > MaxNode+1 {
		return cpuset.Set{}, fmt.Errorf("node %d above %d: %w", set.Len()-1, MaxNode, strconv.ErrRange)
	}
	return set, nil
}

// NodeCPUs returns the CPUs of node, from /sys/devices/system/node/nodeN/cpulist
// (no privilege); empty for a node of memory only.
func NodeCPUs(node int) (cpuset.Set, error) { return Default().NodeCPUs(node) }

// NodeCPUs is the package-level NodeCPUs for this FS.
func (fs FS) NodeCPUs(node int) (cpuset.Set, error) {
	if err := checkNode(node); err != nil {
		return cpuset.Set{}, fmt.Errorf("numa cpus read: %w", err)
	}
	var set cpuset.Set
	err := read(fs.nodePath(node, "cpulist"), func(b []byte) error {
		var err error
		set, err = cpuset.ParseBytes(b)
		return err
	})
	if err != nil {
		return cpuset.Set{}, fmt.Errorf("numa node %d cpus read: %w", node, err)
	}
	return set, nil
}

// Distance is a node's distance to another node: the kernel's SLIT
// (ACPI) or device-tree value, 10 for the node itself, larger for slower
// access.
type Distance struct {
	Node     int // the other node
	Distance int // 10 is local
}

// NodeDistances returns the distances from node to every online node, in
// node order, from /sys/devices/system/node/nodeN/distance, which lists
// them in the order of the online set (read from
// /sys/devices/system/node/online in the same call). If a node went on-
// or offline between the two reads, the counts differ and the error says
// so.
func NodeDistances(node int) ([]Distance, error) { return Default().NodeDistances(node) }

// NodeDistances is the package-level NodeDistances for this FS.
func (fs FS) NodeDistances(node int) ([]Distance, error) {
	if err := checkNode(node); err != nil {
		return nil, fmt.Errorf("numa distances read: %w", err)
	}
	online, err := fs.Online()
	if err != nil {
		return nil, fmt.Errorf("numa node %d distances read: %w", node, err)
	}
	return fs.distances(node, online)
}

func (fs FS) distances(node int, online cpuset.Set) ([]Distance, error) {
	var ds []int
	path := fs.nodePath(node, "distance")
	err := read(path, func(b []byte) error {
		var err error
		ds, err = parseDistance(b)
		return err
	})
	if err == nil && len(ds) != online.Count() {
		err = fmt.Errorf("%s has %d distances for %d online nodes (%v): a node went on- or offline", path, len(ds), online.Count(), online)
	}
	if err != nil {
		return nil, fmt.Errorf("numa node %d distances read: %w", node, err)
	}
	out := make([]Distance, 0, len(ds))
	i := 0
	for n := range online.All() {
		out = append(out, Distance{Node: n, Distance: ds[i]})
		i++
	}
	return out, nil
}

// errDistance is the error for a distance above 255: the kernel keeps
// them in a byte.
var errDistance = errors.New("distance above 255")

// parseDistance parses a distance file: numbers separated by spaces,
// each 0..255.
func parseDistance(b []byte) ([]int, error) {
	line, rest := parse.Line(b)
	if len(parse.Trim(rest)) > 0 {
		return nil, &ParseError{Line: 2, Err: errors.New("more than one line")}
	}
	var ds []int
	for f, r := parse.Field(line); len(f) > 0; f, r = parse.Field(r) {
		v, err := parse.Uint(f)
		if err == nil && v > 255 {
			err = errDistance
		}
		if err != nil {
			return nil, &ParseError{Line: 1, Key: "distance " + strconv.Itoa(len(ds)), Err: err}
		}
		ds = append(ds, int(v))
	}
	if len(ds) == 0 {
		return nil, &ParseError{Line: 1, Err: errors.New("no distances")}
	}
	return ds, nil
}

// Node is what Nodes reports about one online node.
type Node struct {
	ID        int        // the node number
	CPUs      cpuset.Set // its CPUs; empty for a node of memory only
	Meminfo   Meminfo    // its memory, in bytes
	Distances []Distance // to every online node, this one included
}

// Nodes returns every online node with its CPUs, meminfo and distances,
// the data numactl --hardware prints. It reads the online set and each
// node's cpulist, meminfo and distance files (no privilege).
func Nodes() ([]Node, error) { return Default().Nodes() }

// Nodes is the package-level Nodes for this FS.
func (fs FS) Nodes() ([]Node, error) {
	online, err := fs.Online()
	if err != nil {
		return nil, err
	}
	nodes := make([]Node, 0, online.Count())
	for id := range online.All() {
		n := Node{ID: id}
		if n.CPUs, err = fs.NodeCPUs(id); err != nil {
			return nil, err
		}
		if n.Meminfo, err = fs.NodeMeminfo(id); err != nil {
			return nil, err
		}
		if n.Distances, err = fs.distances(id, online); err != nil {
			return nil, err
		}
		nodes = append(nodes, n)
	}
	return nodes, nil
}
