package hugepage

import (
	"errors"
	"fmt"
	"syscall"

	"github.com/lxgo/lx/vm"
)

// Map maps length bytes of anonymous memory backed by huge pages of
// size from the kernel's pool (mmap(2) with MAP_HUGETLB and the size in
// the MAP_HUGE_SHIFT bits, Linux 3.8), as a *vm.Region the caller closes.
// size must be one of Sizes (a *SizeError otherwise) and length a
// multiple of it. opts are vm's (protection, sharing, Populate,
// NoReserve, Addr); its HugePageSize is set to size. Without NoReserve
// the pages are reserved at Map: when the pool lacks them, Map fails
// with ENOMEM (errors.Is(err, syscall.ENOMEM)), and a later fault
// cannot. The mapping belongs to the whole process.
func Map(size uint64, length int, opts *vm.MapOptions) (*vm.Region, error) {
	return Default().Map(size, length, opts)
}

// Map is the package-level Map, checking size against this FS's sizes.
func (fs FS) Map(size uint64, length int, opts *vm.MapOptions) (*vm.Region, error) {
	if err := fs.checkSize(size); err != nil {
		return nil, fmt.Errorf("hugepage map: %w", err)
	}
	var o vm.MapOptions
	if opts != nil {
		o = *opts
	}
	o.HugePageSize = size
	r, err := vm.Map(length, &o)
	if errors.Is(err, syscall.ENOMEM) {
		err = fmt.Errorf("no %s pages free in the pool for %d bytes (see Pools, SetPages): %w", FormatSize(size), length, err)
	}
	if err != nil {
		return nil, fmt.Errorf("hugepage map: %w", err)
	}
	return r, nil
}
