// Package cpu describes the machine's CPUs as the kernel sees them and
// places threads on them.
//
//   - CPU sets from sysfs (/sys/devices/system/cpu): Possible, Present,
//     Online, Offline, Isolated, NohzFull, and KernelMax.
//   - The layout (FS.Topology): per CPU its package, die, cluster, core,
//     thread siblings and NUMA node id; each cache once (level, type, size
//     in bytes, line size, ways, sets, the CPUs sharing it); the SMT
//     control state (FS.SMTState); the model name and flags from
//     /proc/cpuinfo (FS.Model, parsed by procfs).
//   - Where the calling thread runs (Current): RDPID or RDTSCP on amd64
//     (Go assembly), checked against getcpu(2) at first use; getcpu(2)
//     elsewhere.
//   - CPU affinity (sched_setaffinity(2)) of the calling thread, of a
//     thread by id, and of every thread of a process.
//
// CPU lists are cpuset.Set values. The package never changes which CPUs
// are online. The numa package describes NUMA nodes; this one reports
// only each CPU's node id.
package cpu

import (
	"fmt"

	"github.com/lxgo/lx/internal/pseudofs"
)

// FS reads the CPU files of one system's sysfs, and its /proc/cpuinfo.
// The zero value is not usable; use Default or NewFS.
type FS struct {
	fs pseudofs.FS
}

// Default returns the FS of the running system: /sys and /proc.
func Default() FS { return FS{fs: pseudofs.Default()} }

// NewFS returns the FS of the system whose root directory is root: "/" for
// this machine, /proc/PID/root for a container's view, a testdata tree in
// tests. The FS reads root/sys, and root/proc/cpuinfo for Model. It
// checks that root is a directory; the first read finds out whether the
// files exist.
func NewFS(root string) (FS, error) {
	pfs, err := pseudofs.NewRooted(root)
	if err != nil {
		return FS{}, fmt.Errorf("cpu open: %w", err)
	}
	return FS{fs: pfs}, nil
}
