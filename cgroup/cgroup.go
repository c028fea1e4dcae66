// Package cgroup reads and controls the kernel's control groups v2
// (cgroups(7), Documentation/admin-guide/cgroup-v2.rst), and reads a
// process's v1 limits on hosts that still bind controllers to v1.
//
// # The model
//
// The unified hierarchy is a tree of directories on cgroupfs, mounted at
// /sys/fs/cgroup on a pure v2 host and at /sys/fs/cgroup/unified on a
// hybrid one (UnifiedMount, Mode). Every process belongs to exactly one
// cgroup of it (/proc/PID/cgroup, Self, OfProcess); a cgroup is named by
// its path from the root, "/user.slice/a.scope", or by its 64-bit ID (the
// directory's inode and file handle, pidfd.Info.CgroupID).
//
// A *Cgroup is an open cgroup: Open, OpenProcess and OpenID attach to one
// that exists, NewChild creates one. It holds a descriptor of the
// directory and opens every file relative to it, checking that each is on
// cgroupfs, so a path that is replaced after Open cannot redirect a write.
// Its methods are the cgroup's files, one Go file per controller:
//
//   - core (core.go, freeze.go, tree.go): cgroup.procs and cgroup.threads
//     (MoveProcess, MoveThread), cgroup.type, cgroup.controllers and
//     cgroup.subtree_control, cgroup.max.depth and max.descendants,
//     cgroup.stat, cgroup.events (State), cgroup.freeze (Freeze, Thaw,
//     which wait until the kernel reports the state), cgroup.kill (Kill),
//     children and Remove;
//   - cpu.go, memory.go, pids.go, io.go, cpuset.go, hugetlb.go: each
//     controller's limits, typed (bytes, time.Duration, cpuset.Set,
//     procfs.Dev), with "max" as Unlimited (a Max) or UnlimitedQuota;
//     every setter checks its input's range first, writes the kernel's
//     text and returns what the kernel then reports, which may be rounded
//     (memory to pages, hugetlb to huge pages, cpu.weight.nice to a
//     weight); and their statistics (CPUStat, MemoryStat, IOStat ...);
//   - pressure.go: {cpu,memory,io,irq}.pressure, and pressure triggers
//     (NewTrigger, Trigger.Wait);
//   - events.go: Events, an iterator of changes of cgroup.events,
//     memory.events and pids.events, woken by the kernel's notifications;
//   - DirFile: a descriptor for starting a child directly inside the
//     cgroup (clone3 CLONE_INTO_CGROUP, os/exec's SysProcAttr.CgroupFD).
//
// A controller's files exist in a cgroup only when its parent enabled
// the controller in cgroup.subtree_control (SetSubtreeControl); until
// then they fail with an error matching fs.ErrNotExist. Writes go only
// to v2: on hybrid and v1 hosts V1Of returns a read-only view of a
// process's v1 memory, cpu, cpuacct and pids cgroups in the same types.
//
// # Delegation
//
// Who may do what is decided by the kernel from ordinary file
// permissions, with the rules of cgroup-v2.rst "Delegation" and
// "Delegation Containment". A cgroup is delegated to a user by giving the
// user write access to its directory (to create and remove children) and
// to its cgroup.procs, cgroup.threads and cgroup.subtree_control; the
// other files stay the delegator's, so the delegatee cannot change the
// limits the delegator set on the delegated cgroup itself, only those of
// the cgroups it creates below. Then:
//
//   - Moving a process (MoveProcess, or starting one with
//     CLONE_INTO_CGROUP) needs write access to cgroup.procs of the
//     destination and of the common ancestor of the source and the
//     destination cgroups, so a delegatee can move processes only within
//     its subtree. With the nsdelegate mount option (the default of
//     systemd), a cgroup namespace is a delegation boundary too: the
//     source and the destination must be reachable from the mover's
//     cgroup namespace. The kernel checks the mover's access to these
//     files and its namespaces, not the credentials of the process moved
//     (v1 checked them).
//   - A cgroup with processes cannot enable a domain controller for its
//     children, and a cgroup that enabled one cannot take processes ("no
//     internal processes"; the root is exempt): put processes in leaves.
//   - A controller can be enabled only if the parent enabled it, and
//     disabled only while no child enabled it further.
//   - cgroup.max.depth and cgroup.max.descendants bound what a delegatee
//     may create.
//
// The operations that are safe for a delegatee are those on its own
// subtree: NewChild, MoveProcess between cgroups of the subtree,
// SetSubtreeControl and the limits of the cgroups it created, Freeze,
// Kill, Remove. None of them needs a capability.
//
// # Kernels
//
// cgroup v2 is Linux 4.5; threaded cgroups and cgroup.stat 4.14; the cpu
// controller 4.15; PSI 4.20 and its triggers 5.2; cgroup.freeze 5.2;
// CLONE_INTO_CGROUP 5.7; cgroup.kill 5.14 (before it Kill signals each
// process); openat2 5.6 (before it each file is checked with fstatfs).
// Each method names the version of its file.
package cgroup

import (
	"fmt"

	"github.com/lxgo/lx/internal/pseudofs"
)

// FS reads one system's procfs and cgroup mount. The zero value is not
// usable; use Default or NewFS.
type FS struct {
	fs pseudofs.FS
}

// Default returns the FS of the running system: /proc and /sys/fs/cgroup.
func Default() FS { return FS{fs: pseudofs.Default()} }

// NewFS returns the FS of the system whose root directory is root: "/" for
// this machine, /proc/PID/root for a container's view, a testdata tree in
// tests. The FS reads root/proc and root/sys/fs/cgroup. It checks that
// root is a directory; the first read finds out whether the files exist.
// A tree of plain files laid out like cgroupfs (a test fixture) is read
// and written as plain files.
func NewFS(root string) (FS, error) {
	pfs, err := pseudofs.NewRooted(root)
	if err != nil {
		return FS{}, fmt.Errorf("cgroup open: %w", err)
	}
	return FS{fs: pfs}, nil
}
