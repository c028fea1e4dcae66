// Package hugepage reports the kernel's persistent huge page pools (hugetlb
// pages, hugetlbpage.txt in the kernel's admin-guide): one pool per page
// size the CPU supports, with how many pages are allocated, free, reserved
// and surplus, read from /sys/kernel/mm/hugepages, and the default huge
// page size from /proc/meminfo.
//
// Counts are in pages; sizes are in bytes. The package only reads; it
// never resizes a pool.
//
// A kernel built without CONFIG_HUGETLBFS has no pools: readers then return
// an error for which errors.Is(err, errors.ErrUnsupported) holds.
package hugepage

import (
	"cmp"

	"github.com/lxgo/lx/internal/pseudofs"
	"github.com/lxgo/lx/kernel"
)

// minKernel is the first kernel with /sys/kernel/mm/hugepages (multiple
// huge page sizes, 2.6.27).
var minKernel = kernel.Version{Major: 2, Minor: 6, Patch: 27}

// FS reads the huge page files of one procfs and sysfs. The zero value is
// not usable; use Default or NewFS.
type FS struct {
	fs pseudofs.FS
}

// Options says where an FS reads. nil or empty fields mean the host's
// mount points.
type Options struct {
	// Root is a directory holding proc/ and sys/ trees laid out like the
	// host's (a container's root through /proc/PID/root, or a test
	// fixture). Empty means "/".
	Root string
	// Proc and Sys are the procfs and sysfs mount points; they override
	// Root/proc and Root/sys.
	Proc, Sys string
}

// Default returns the FS of the host's /proc and /sys.
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
	fs.Sys = cmp.Or(opts.Sys, fs.Sys)
	return FS{fs: fs}
}
