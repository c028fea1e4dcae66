// Package hugepage manages the kernel's huge pages (hugetlbpage.rst and
// transhuge.rst in the kernel's admin-guide):
//
//   - the persistent hugetlb pools, one per page size the CPU supports,
//     globally (/sys/kernel/mm/hugepages) and per NUMA node
//     (/sys/devices/system/node/nodeN/hugepages): how many pages are
//     allocated, free, reserved and surplus (Pools, NodePools), and
//     resizing them (SetPages, SetNodePages, SetOvercommit), which
//     reports what the kernel granted, since it may give fewer pages
//     than asked;
//   - the supported sizes (Sizes) and the default one (DefaultSize, from
//     /proc/meminfo, parsed by procfs);
//   - transparent huge pages: the system-wide and per-size (mTHP) modes
//     of /sys/kernel/mm/transparent_hugepage (ReadTHP, FS.SetTHPEnabled
//     and the other setters), and the per-process switch
//     prctl(PR_SET_THP_DISABLE);
//   - memory backed by huge pages of a given size (Map), a *vm.Region.
//
// Counts are in pages; sizes are in bytes. Reading needs no privilege;
// every change is system-wide, needs root, and lasts until changed again
// or reboot.
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
