package cpu

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"

	"github.com/lxgo/lx/cpuset"
)

// Topology is how the machine's CPUs are laid out: one Info per present
// CPU and each CPU cache once. FS.Topology reads it.
type Topology struct {
	// CPUs are the present CPUs (/sys/devices/system/cpu/present), online
	// or not, in increasing order.
	CPUs []Info
	// Caches are the caches of the online CPUs, each once, in the order
	// they were found: by CPU, then by cpuN/cache/indexM. Info.Caches
	// index this slice.
	Caches []Cache
}

// Info is one logical CPU (a hardware thread) as sysfs describes it in
// /sys/devices/system/cpu/cpuN/topology (Documentation/ABI/stable/
// sysfs-devices-system-cpu, Documentation/admin-guide/cputopology.rst).
//
// The kernel removes an offline CPU's topology and cache directories: an
// offline CPU has its number, Online false, its NUMA node, -1 for every
// id and no siblings or caches. An id is also -1 where the kernel does
// not report it: die_id before Linux 5.2 and on architectures without
// dies, cluster_id before 5.16 and where the firmware describes no
// clusters (the kernel itself prints -1 there).
type Info struct {
	CPU    int  // the CPU number: N of cpuN
	Online bool // in /sys/devices/system/cpu/online

	// Node is the NUMA node the CPU belongs to, from
	// /sys/devices/system/node/nodeM/cpulist or, for an offline CPU, the
	// cpuN/nodeM link; -1 on a kernel without NUMA support (no
	// /sys/devices/system/node), where lscpu prints no node either. The
	// numa package describes the nodes.
	Node int

	Package int // physical_package_id: the socket
	Die     int // die_id: the die within the package (5.2)
	Cluster int // cluster_id: the cluster of cores sharing, say, an L2 (5.16)
	Core    int // core_id: the core within the package; not unique across packages

	// ThreadSiblings are the hardware threads of the CPU's core
	// (thread_siblings_list; newer kernels also name it core_cpus_list),
	// the CPU itself included; only online CPUs are listed.
	ThreadSiblings cpuset.Set
	// CoreSiblings are the online CPUs of the CPU's package
	// (core_siblings_list; also package_cpus_list on newer kernels).
	CoreSiblings cpuset.Set

	// Caches index Topology.Caches: the caches this CPU uses, in the order
	// of cpuN/cache/indexM (on x86: L1d, L1i, L2, L3).
	Caches []int
}

// CPUs reads the topology of the present CPUs and their NUMA nodes, as
// Topology does, without the caches: Info.Caches are nil. It costs six
// small reads per core plus one per NUMA node.
func (fs FS) CPUs() ([]Info, error) {
	t, err := fs.topology(false)
	if err != nil {
		return nil, fmt.Errorf("cpu topology read: %w", err)
	}
	return t.CPUs, nil
}

// Topology reads the CPU topology of the present CPUs, their NUMA nodes
// and their caches from /sys/devices/system/cpu and
// /sys/devices/system/node (sysfs; no privilege). CPUs may go on- or
// offline during the read; the result is then a mix of before and after.
//
// Hardware threads of one core share their core's topology: the kernel
// builds thread_siblings from equal package, die, cluster and core ids.
// Topology reads the topology files of the first online thread of each
// core and gives its siblings the same values, and reads a cache's files
// from the first CPU that has it and gives it to every CPU of its
// shared_cpu_list at the same cpuN/cache/indexM (the kernel matches
// sharing caches by that index), so a machine with two threads per core
// costs half the reads. A sysfs tree where sibling threads disagree (a
// hand-made one) is read as its first thread says.
func (fs FS) Topology() (Topology, error) {
	t, err := fs.topology(true)
	if err != nil {
		return Topology{}, fmt.Errorf("cpu topology read: %w", err)
	}
	return t, nil
}

// topology reads the CPUs and, if caches is set, the caches.
func (fs FS) topology(caches bool) (Topology, error) {
	present, err := fs.Present()
	if err != nil {
		return Topology{}, err
	}
	online, err := fs.Online()
	if err != nil {
		return Topology{}, err
	}
	r, err := openReader(fs.fs.Sys + "/devices/system/cpu")
	if err != nil {
		return Topology{}, err
	}
	defer r.close()

	n := present.Count()
	t := Topology{CPUs: make([]Info, 0, n)}
	// at[c] is CPU c's position in t.CPUs, plus one.
	at := make([]int32, present.Len())
	for c := range present.All() {
		at[c] = int32(len(t.CPUs)) + 1
		t.CPUs = append(t.CPUs, Info{CPU: c, Online: online.Has(c), Node: -1, Package: -1, Die: -1, Cluster: -1, Core: -1})
	}
	if err := fs.readNodes(&t, at); err != nil {
		return Topology{}, err
	}
	for i := range t.CPUs {
		cpu := &t.CPUs[i]
		if !cpu.Online || cpu.Core >= 0 || !cpu.ThreadSiblings.IsEmpty() {
			continue // offline, or filled in from a sibling
		}
		if err := readCPUTopology(r, cpu); err != nil {
			return Topology{}, err
		}
		for s := range cpu.ThreadSiblings.All() {
			if s == cpu.CPU || s >= len(at) || at[s] == 0 {
				continue
			}
			sib := &t.CPUs[at[s]-1]
			if !sib.Online || sib.Core >= 0 || !sib.ThreadSiblings.IsEmpty() {
				continue
			}
			sib.Package, sib.Die, sib.Cluster, sib.Core = cpu.Package, cpu.Die, cpu.Cluster, cpu.Core
			sib.ThreadSiblings, sib.CoreSiblings = cpu.ThreadSiblings, cpu.CoreSiblings
		}
	}
	if caches {
		if err := readCaches(r, &t, at); err != nil {
			return Topology{}, err
		}
	}
	return t, nil
}

// readCPUTopology reads cpuN/topology. A CPU without the directory (an
// architecture without topology support) keeps its unknown ids.
func readCPUTopology(r *sysReader, cpu *Info) error {
	var err error
	for _, f := range [...]struct {
		name string
		v    *int
	}{
		{"physical_package_id", &cpu.Package},
		{"die_id", &cpu.Die},
		{"cluster_id", &cpu.Cluster},
		{"core_id", &cpu.Core},
	} {
		if *f.v, err = r.reset().s("cpu").i(cpu.CPU).s("/topology/").s(f.name).id(); err != nil {
			return err
		}
	}
	if cpu.ThreadSiblings, err = readSet(r.reset().s("cpu").i(cpu.CPU).s("/topology/thread_siblings_list")); err != nil {
		return err
	}
	cpu.CoreSiblings, err = readSet(r.reset().s("cpu").i(cpu.CPU).s("/topology/core_siblings_list"))
	return err
}

// readSet reads a CPU list file; a missing one is the empty set.
func readSet(r *sysReader) (cpuset.Set, error) {
	b, err := r.read()
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return cpuset.Set{}, nil
		}
		return cpuset.Set{}, err
	}
	s, err := cpuset.ParseBytes(b)
	return s, parseErr(r.name(), err)
}

// readNodes sets each CPU's NUMA node from the nodes' cpulist files, and
// for CPUs no list has (the kernel takes an offline CPU out of its node's
// cpulist) from the cpuN/nodeM link. Without /sys/devices/system/node
// (CONFIG_NUMA off) every node stays -1.
func (fsys FS) readNodes(t *Topology, at []int32) error {
	dir := fsys.fs.Sys + "/devices/system/node"
	r, err := openReader(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return err
	}
	defer r.close()
	b, err := r.reset().s("online").read()
	if err != nil {
		return err
	}
	nodes, err := cpuset.ParseBytes(b)
	if err != nil {
		return parseErr(r.name(), err)
	}
	for node := range nodes.All() {
		cpus, err := readSet(r.reset().s("node").i(node).s("/cpulist"))
		if err != nil {
			return err
		}
		for c := range cpus.All() {
			if c < len(at) && at[c] != 0 {
				t.CPUs[at[c]-1].Node = node
			}
		}
	}
	for i := range t.CPUs {
		cpu := &t.CPUs[i]
		if cpu.Node >= 0 {
			continue
		}
		cpuDir := fsys.fs.Sys + "/devices/system/cpu/cpu" + strconv.Itoa(cpu.CPU)
		ents, err := os.ReadDir(cpuDir)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			return err
		}
		for _, e := range ents {
			if rest, ok := strings.CutPrefix(e.Name(), "node"); ok {
				if node, err := parseCount([]byte(rest)); err == nil {
					cpu.Node = node
					break
				}
			}
		}
	}
	return nil
}

// Sockets returns the number of packages (sockets) with an online CPU, as
// lscpu counts them; 0 if the kernel reports no package ids.
func (t Topology) Sockets() int {
	var seen cpuset.Set
	for _, c := range t.CPUs {
		if c.Online && c.Package >= 0 && c.Package <= cpuset.MaxCPU {
			seen.Add(c.Package)
		}
	}
	return seen.Count()
}

// Cores returns the number of cores with an online CPU: the distinct
// thread sibling sets (a CPU without topology counts as a core of its
// own).
func (t Topology) Cores() int {
	n := 0
	for _, c := range t.CPUs {
		if !c.Online {
			continue
		}
		first := c.CPU
		for s := range c.ThreadSiblings.All() {
			first = s
			break
		}
		if first == c.CPU {
			n++
		}
	}
	return n
}

// ThreadsPerCore returns the largest number of online threads of one core,
// as lscpu's "Thread(s) per core" (1 for a machine without SMT or with
// SMT off; 0 if no CPU is online).
func (t Topology) ThreadsPerCore() int {
	n := 0
	for _, c := range t.CPUs {
		if c.Online {
			n = max(n, c.ThreadSiblings.Count(), 1)
		}
	}
	return n
}

// Cache returns the cache of the given level and type that CPU cpu uses,
// and whether there is one.
func (t Topology) Cache(cpu, level int, typ CacheType) (Cache, bool) {
	for _, c := range t.CPUs {
		if c.CPU != cpu {
			continue
		}
		for _, i := range c.Caches {
			if i >= 0 && i < len(t.Caches) && t.Caches[i].Level == level && t.Caches[i].Type == typ {
				return t.Caches[i], true
			}
		}
	}
	return Cache{}, false
}
