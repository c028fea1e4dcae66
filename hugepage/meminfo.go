package hugepage

import (
	"errors"
	"fmt"

	"github.com/lxgo/lx/kernel"
	"github.com/lxgo/lx/procfs"
)

// errNoDefaultSize says that meminfo has no Hugepagesize line: the kernel
// has no hugetlb support.
var errNoDefaultSize = errors.New("no Hugepagesize line in meminfo")

// DefaultSize returns the default huge page size in bytes: the page size
// of MAP_HUGETLB and SHM_HUGETLB mappings and of hugetlbfs mounts without
// pagesize=, and the pool /proc/sys/vm/nr_hugepages resizes. It is chosen
// at boot (default_hugepagesz=) and read from the Hugepagesize line of
// /proc/meminfo (no privilege), which procfs parses. On a kernel without
// hugetlb support the error matches errors.ErrUnsupported.
func DefaultSize() (uint64, error) { return Default().DefaultSize() }

// DefaultSize is the package-level DefaultSize for this FS.
func (fs FS) DefaultSize() (uint64, error) {
	pfs, err := procfs.NewFS(fs.fs.Root)
	if err != nil {
		return 0, fmt.Errorf("hugepage default size read: %w", err)
	}
	m, err := pfs.Meminfo()
	if err != nil {
		return 0, fmt.Errorf("hugepage default size read: %w", err)
	}
	if !m.Has("Hugepagesize") {
		return 0, fmt.Errorf("hugepage default size read: %w",
			&kernel.FeatureError{Feature: "hugetlb pages", MinKernel: minKernel, Err: errNoDefaultSize})
	}
	return m.Hugepagesize, nil
}
