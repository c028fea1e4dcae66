// Package hugepage reports the kernel's persistent huge page pools (hugetlb
// pages, hugetlbpage.txt in the kernel's admin-guide): one pool per page
// size the CPU supports, with how many pages are allocated, free, reserved
// and surplus, read from /sys/kernel/mm/hugepages, and the default huge
// page size from /proc/meminfo (parsed by procfs).
//
// Counts are in pages; sizes are in bytes. The package only reads; it
// never resizes a pool.
//
// A kernel built without CONFIG_HUGETLBFS has no pools: readers then return
// an error for which errors.Is(err, errors.ErrUnsupported) holds.
package hugepage

import (
	"fmt"

	"github.com/lxgo/lx/internal/pseudofs"
	"github.com/lxgo/lx/kernel"
)

// minKernel is the first kernel with /sys/kernel/mm/hugepages (multiple
// huge page sizes, 2.6.27).
var minKernel = kernel.Version{Major: 2, Minor: 6, Patch: 27}

// FS reads the huge page files of one system's procfs and sysfs. The zero
// value is not usable; use Default or NewFS.
type FS struct {
	fs pseudofs.FS
}

// Default returns the FS of the running system: /proc and /sys.
func Default() FS { return FS{fs: pseudofs.Default()} }

// NewFS returns the FS of the system whose root directory is root: "/" for
// this machine, /proc/PID/root for a container's view, a testdata tree in
// tests. The FS reads root/proc and root/sys. It checks that root is a
// directory; the first read finds out whether the files exist.
func NewFS(root string) (FS, error) {
	pfs, err := pseudofs.NewRooted(root)
	if err != nil {
		return FS{}, fmt.Errorf("hugepage open: %w", err)
	}
	return FS{fs: pfs}, nil
}
