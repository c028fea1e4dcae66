// Package cpu describes the machine's CPUs as the kernel sees them: which
// CPU numbers can exist, which are present and which are online, read from
// sysfs (/sys/devices/system/cpu).
//
// CPU lists are cpuset.Set values. The package only reads; it never
// changes which CPUs are online.
package cpu

import (
	"cmp"

	"github.com/lxgo/lx/internal/pseudofs"
)

// FS reads the CPU files of one sysfs mount. The zero value is not usable;
// use Default or NewFS.
type FS struct {
	fs pseudofs.FS
}

// Options says where an FS reads. nil or empty fields mean the host's
// mount points.
type Options struct {
	// Root is a directory holding a sys/ tree laid out like the host's (a
	// container's root through /proc/PID/root, or a test fixture). Empty
	// means "/".
	Root string
	// Sys is the sysfs mount point; it overrides Root/sys. Empty means
	// Root/sys.
	Sys string
}

// Default returns the FS of the host's /sys.
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
	fs.Sys = cmp.Or(opts.Sys, fs.Sys)
	return FS{fs: fs}
}
