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
	"cmp"

	"github.com/lxgo/lx/internal/pseudofs"
)

// FS reads one procfs and one cgroup mount root. The zero value is not
// usable; use Default or NewFS.
type FS struct {
	fs pseudofs.FS
}

// Options says where an FS reads. nil or empty fields mean the host's
// mount points.
type Options struct {
	// Root is a directory holding proc/ and sys/fs/cgroup trees laid out
	// like the host's (a container's root through /proc/PID/root, or a
	// test fixture). Empty means "/".
	Root string
	// Proc is the procfs mount point; it overrides Root/proc.
	Proc string
	// Cgroup is the cgroup mount root; it overrides Root/sys/fs/cgroup.
	Cgroup string
}

// Default returns the FS of the host's /proc and /sys/fs/cgroup.
func Default() FS { return FS{fs: pseudofs.Default()} }

// NewFS returns an FS reading where opts says. It does not check that the
// files exist; the first read does.
func NewFS(opts *Options) FS {
	fs := pseudofs.Default()
	if opts == nil {
		return FS{fs: fs}
	}
	if opts.Root != "" {
		fs = pseudofs.Rooted(opts.Root)
	}
	fs.Proc = cmp.Or(opts.Proc, fs.Proc)
	fs.Cgroup = cmp.Or(opts.Cgroup, fs.Cgroup)
	return FS{fs: fs}
}
