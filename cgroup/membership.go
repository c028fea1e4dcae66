package cgroup

import (
	"fmt"

	"github.com/lxgo/lx/procfs"
)

// Membership is where a process sits in every cgroup hierarchy: the lines
// of /proc/PID/cgroup, in the kernel's order (v1 hierarchies by descending
// ID, then the v2 line). Its Unified method gives the v2 path and
// Controller("memory") the path in a v1 hierarchy. The file is parsed by
// procfs; this package adds the cgroup-side view.
type Membership = procfs.Cgroups

// Self returns the calling process's cgroups, from /proc/self/cgroup
// (Linux 2.6.24+, no privilege). The v2 path is also what a pidfd's
// PIDFD_GET_INFO cgroup ID names.
func Self() (Membership, error) { return Default().Self() }

// OfProcess returns the cgroups of process pid, from /proc/PID/cgroup
// (Linux 2.6.24+, no privilege). The paths are relative to the caller's
// cgroup namespace. A process that does not exist gives an error matching
// fs.ErrNotExist.
func OfProcess(pid int) (Membership, error) { return Default().OfProcess(pid) }

// Self is the package-level Self for this FS.
func (fs FS) Self() (Membership, error) {
	pfs, err := procfs.NewFS(fs.fs.Root)
	if err != nil {
		return nil, fmt.Errorf("cgroup membership read: %w", err)
	}
	m, err := pfs.Self().Cgroups()
	if err != nil {
		return nil, fmt.Errorf("cgroup membership read: %w", err)
	}
	return m, nil
}

// OfProcess is the package-level OfProcess for this FS.
func (fs FS) OfProcess(pid int) (Membership, error) {
	pfs, err := procfs.NewFS(fs.fs.Root)
	if err != nil {
		return nil, fmt.Errorf("cgroup membership read: %w", err)
	}
	p, err := pfs.Proc(pid)
	if err != nil {
		return nil, fmt.Errorf("cgroup membership read: %w", err)
	}
	m, err := p.Cgroups()
	if err != nil {
		return nil, fmt.Errorf("cgroup membership read: %w", err)
	}
	return m, nil
}
