// Package cgroup reads the kernel's control groups (cgroups(7)): which
// cgroup layout the host mounted (v2 only, hybrid, or v1 only) and which
// cgroup a process belongs to in each hierarchy.
//
// lx targets cgroup v2 (the unified hierarchy, Documentation/admin-guide/
// cgroup-v2.rst). On hybrid and v1 hosts the v2 hierarchy is absent or
// holds few controllers, so the package also reports the v1 paths a
// program needs there (the memory controller's, in particular).
//
// The package only reads; it never creates cgroups or moves processes.
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
func NewFS(root string) (FS, error) {
	pfs, err := pseudofs.NewRooted(root)
	if err != nil {
		return FS{}, fmt.Errorf("cgroup open: %w", err)
	}
	return FS{fs: pfs}, nil
}
