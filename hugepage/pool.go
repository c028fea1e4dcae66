package hugepage

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/lxgo/lx/internal/parse"
	"github.com/lxgo/lx/internal/pseudofs"
	"github.com/lxgo/lx/kernel"
)

// Pool is the persistent huge page pool of one page size, from
// /sys/kernel/mm/hugepages/hugepages-<size>kB. Counts are in pages of Size
// bytes.
type Pool struct {
	// Size is the page size in bytes (2 MiB, 1 GiB, ...).
	Size uint64
	// Total is the number of pages in the pool, persistent and surplus
	// (nr_hugepages; HugePages_Total in /proc/meminfo for the default size).
	Total uint64
	// Free is the number of pages not yet allocated to a mapping
	// (free_hugepages).
	Free uint64
	// Reserved is the number of free pages promised to mappings that have
	// not touched them yet (resv_hugepages). Free - Reserved pages are
	// available to new mappings.
	Reserved uint64
	// Surplus is the number of pages allocated above the persistent pool
	// from the overcommit allowance (surplus_hugepages).
	Surplus uint64
	// Overcommit is how many surplus pages the kernel may allocate on
	// demand (nr_overcommit_hugepages).
	Overcommit uint64
}

// Persistent returns the number of persistent pages: Total minus Surplus.
// It is what /proc/sys/vm/nr_hugepages shows for the default size.
func (p Pool) Persistent() uint64 {
	if p.Surplus > p.Total {
		return 0
	}
	return p.Total - p.Surplus
}

// Pools returns the pool of every huge page size the kernel supports,
// smallest size first. It reads the directories of /sys/kernel/mm/hugepages
// (Linux 2.6.27+, no privilege). On a kernel without hugetlb support the
// error matches errors.ErrUnsupported (a *kernel.FeatureError) as well as
// fs.ErrNotExist.
//
// The counts of one pool are read from five files one after another, so
// they are not one atomic snapshot: a page allocated between two reads
// shows in one count and not yet in the other.
func Pools() ([]Pool, error) { return Default().Pools() }

// Pools is the package-level Pools for this FS.
func (fs FS) Pools() ([]Pool, error) {
	dir := fs.fs.SysPath("kernel", "mm", "hugepages")
	entries, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			err = &kernel.FeatureError{Feature: "hugetlb pages", MinKernel: minKernel, Err: err}
		}
		return nil, fmt.Errorf("hugepage pools read: %w", err)
	}
	pools := make([]Pool, 0, len(entries))
	for _, e := range entries {
		size, ok := parseDirName(e.Name())
		if !ok {
			continue
		}
		p, err := readPool(dir+"/"+e.Name(), size)
		if err != nil {
			return nil, fmt.Errorf("hugepage pool %s read: %w", e.Name(), err)
		}
		pools = append(pools, p)
	}
	slices.SortFunc(pools, func(a, b Pool) int { return cmp.Compare(a.Size, b.Size) })
	return pools, nil
}

// readPool reads the counters of one hugepages-<N>kB directory.
func readPool(dir string, size uint64) (Pool, error) {
	p := Pool{Size: size}
	for _, f := range [...]struct {
		name string
		v    *uint64
	}{
		{"nr_hugepages", &p.Total},
		{"free_hugepages", &p.Free},
		{"resv_hugepages", &p.Reserved},
		{"surplus_hugepages", &p.Surplus},
		{"nr_overcommit_hugepages", &p.Overcommit},
	} {
		err := pseudofs.WithFile(dir+"/"+f.name, func(b []byte) error {
			var err error
			*f.v, err = parseCount(b)
			return err
		})
		if err != nil {
			return Pool{}, err
		}
	}
	return p, nil
}

// parseCount parses a one-number sysfs file such as "16\n".
func parseCount(b []byte) (uint64, error) {
	return parse.Uint(parse.Trim(b))
}

// parseDirName returns the page size in bytes named by a directory of
// /sys/kernel/mm/hugepages ("hugepages-2048kB" -> 2097152). ok is false for
// any other name.
func parseDirName(name string) (size uint64, ok bool) {
	kb, ok := strings.CutPrefix(name, "hugepages-")
	if !ok {
		return 0, false
	}
	kb, ok = strings.CutSuffix(kb, "kB")
	if !ok {
		return 0, false
	}
	n, err := parse.Uint([]byte(kb))
	if err != nil || n == 0 || n > 1<<54-1 {
		return 0, false
	}
	return n << 10, true
}
