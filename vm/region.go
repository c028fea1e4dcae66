package vm

import (
	"errors"
	"fmt"
	"io/fs"
	"math/bits"
	"os"

	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/kernel"
)

// MapOptions are the optional arguments of Map and MapFile. nil means a
// private, readable and writable mapping anywhere the kernel chooses.
type MapOptions struct {
	// Prot is the access the mapping allows; zero means
	// ProtRead|ProtWrite.
	Prot Prot
	// Shared makes the mapping MAP_SHARED: writes reach the file (and
	// other mappings of it) and, for anonymous memory, the children
	// forked after Map. The default is MAP_PRIVATE, copy-on-write.
	Shared bool
	// Populate prefaults the whole mapping (MAP_POPULATE): page tables
	// are filled, and the file read ahead, before Map returns.
	Populate bool
	// NoReserve maps without reserving swap space (MAP_NORESERVE), or
	// huge pages from the pool (a later fault can then get SIGBUS).
	NoReserve bool
	// Locked locks the pages in memory as mlock(2) does (MAP_LOCKED),
	// counted against RLIMIT_MEMLOCK. Unlike Region.Lock, a page the
	// kernel cannot populate does not make Map fail.
	Locked bool
	// Addr, when not zero, is the exact address of the mapping:
	// MAP_FIXED_NOREPLACE (Linux 4.17), which fails with EEXIST rather
	// than replace a mapping that overlaps. It must be page-aligned
	// (hugetlb mappings: aligned to the huge page size).
	Addr uintptr
	// HugePageSize, when not zero, maps hugetlb pages of that size from
	// the kernel's persistent pool (MAP_HUGETLB with the size in the
	// MAP_HUGE_SHIFT bits, Linux 3.8): a power of two the kernel
	// supports (see package hugepage). The length must be a multiple of
	// it. Anonymous mappings only; a file on hugetlbfs has its own.
	HugePageSize uint64
}

// Region is a mapping made by Map or MapFile. It owns the mapping:
// Close unmaps it. Its methods must not run concurrently with Close.
type Region struct {
	b []byte
}

// Map maps length bytes of anonymous, zero-filled memory, mmap(2) with
// MAP_ANONYMOUS. length must be positive; the kernel rounds it up to the
// page size, Len reports what was asked. Mappings affect the whole
// process. No privilege is needed, except for Locked (RLIMIT_MEMLOCK or
// CAP_IPC_LOCK) and HugePageSize (pages in the pool, or the overcommit
// allowance; errors.Is(err, syscall.ENOMEM) when there are none).
func Map(length int, opts *MapOptions) (*Region, error) {
	return mmap(nil, 0, length, opts)
}

// MapFile maps length bytes of f from offset on, mmap(2). offset must be
// a multiple of the page size. f may be closed after MapFile returns: the
// mapping holds its own reference to the file. With Shared, writes to the
// Region reach the file (Sync waits for them to reach the disk); without,
// they are private copies.
func MapFile(f *os.File, offset int64, length int, opts *MapOptions) (*Region, error) {
	if f == nil {
		return nil, fmt.Errorf("vm map: %w", invalidf("file <nil>"))
	}
	if offset < 0 || offset%int64(pagesize) != 0 {
		return nil, fmt.Errorf("vm map %s: %w", f.Name(), invalidf("offset %d: want a non-negative multiple of the page size %d", offset, pagesize))
	}
	if opts != nil && opts.HugePageSize != 0 {
		return nil, fmt.Errorf("vm map %s: %w", f.Name(), invalidf("huge page size %d for a file: a hugetlbfs file has its own page size", opts.HugePageSize))
	}
	r, err := mmap(f, offset, length, opts)
	if err != nil {
		return nil, fmt.Errorf("vm map %s: %w", f.Name(), err)
	}
	return r, nil
}

// mmap maps f (nil for anonymous memory); errors are unwrapped for the
// caller's context ("vm map" for Map).
func mmap(f *os.File, offset int64, length int, opts *MapOptions) (*Region, error) {
	if opts == nil {
		opts = &MapOptions{}
	}
	wrapErr := func(err error) error {
		if f == nil {
			return fmt.Errorf("vm map: %w", err)
		}
		return err
	}
	if length <= 0 {
		return nil, wrapErr(invalidf("length %d: want at least 1", length))
	}
	prot, err := opts.Prot.sys(ProtRead | ProtWrite)
	if err != nil {
		return nil, wrapErr(err)
	}
	flags := sys.MAP_PRIVATE
	if opts.Shared {
		flags = sys.MAP_SHARED
	}
	if opts.Populate {
		flags |= sys.MAP_POPULATE
	}
	if opts.NoReserve {
		flags |= sys.MAP_NORESERVE
	}
	if opts.Locked {
		flags |= sys.MAP_LOCKED
	}
	align := uint64(pagesize)
	if hs := opts.HugePageSize; hs != 0 {
		shift, err := hugeShift(hs)
		if err != nil {
			return nil, wrapErr(err)
		}
		if uint64(length)%hs != 0 {
			return nil, wrapErr(invalidf("length %d: want a multiple of the huge page size %d", length, hs))
		}
		flags |= sys.MAP_HUGETLB | shift<<sys.MAP_HUGE_SHIFT
		align = hs
	}
	if opts.Addr != 0 {
		if uint64(opts.Addr)%align != 0 {
			return nil, wrapErr(invalidf("address %#x: want a multiple of %d", opts.Addr, align))
		}
		flags |= sys.MAP_FIXED_NOREPLACE
	}
	var b []byte
	if f == nil {
		b, err = sys.Mmap(opts.Addr, length, prot, flags|sys.MAP_ANONYMOUS, -1, 0)
	} else {
		err = sys.Control(f, func(fd int) error {
			var err error
			b, err = sys.Mmap(opts.Addr, length, prot, flags, fd, offset)
			return err
		})
	}
	if err != nil {
		if opts.HugePageSize != 0 && errors.Is(err, sys.EINVAL) {
			err = fmt.Errorf("huge page size %d (is it one the kernel supports?): %w", opts.HugePageSize, err)
		}
		return nil, wrapErr(err)
	}
	if opts.Addr != 0 && sys.SliceAddr(b) != opts.Addr {
		// Before 4.17 the kernel ignores MAP_FIXED_NOREPLACE and takes
		// Addr as a hint; a mapping elsewhere is not what was asked.
		sys.Munmap(b)
		return nil, wrapErr(&kernel.FeatureError{Feature: "MAP_FIXED_NOREPLACE", MinKernel: kernel.V(4, 17),
			Err: fmt.Errorf("address %#x taken", opts.Addr)})
	}
	return &Region{b: b}, nil
}

// hugeShift checks a huge page size and returns its log2 for the
// MAP_HUGE_SHIFT bits.
func hugeShift(size uint64) (int, error) {
	shift := bits.TrailingZeros64(size)
	if bits.OnesCount64(size) != 1 || size <= uint64(pagesize) || shift > sys.MAP_HUGE_MASK {
		return 0, invalidf("huge page size %d: want a power of two above the page size %d", size, pagesize)
	}
	return shift, nil
}

// Bytes returns the mapped memory, Len bytes; nil after Close. The slice
// must not be used after Close: the memory is gone and touching it
// faults.
func (r *Region) Bytes() []byte { return r.b }

// Len returns the length of the mapping as asked of Map or MapFile.
func (r *Region) Len() int { return len(r.b) }

// Addr returns the address of the first byte, 0 after Close.
func (r *Region) Addr() uintptr { return sys.SliceAddr(r.b) }

// Close unmaps the region, munmap(2). A second Close returns nil.
func (r *Region) Close() error {
	if r.b == nil {
		return nil
	}
	b := r.b
	r.b = nil
	if err := sys.Munmap(b); err != nil {
		return fmt.Errorf("vm unmap: %w", err)
	}
	return nil
}

// errClosed is the error of a Region method after Close.
var errClosed = fmt.Errorf("region closed: %w", fs.ErrClosed)

// checkOpen returns errClosed after Close.
func (r *Region) checkOpen(op string) error {
	if r.b == nil {
		return fmt.Errorf("vm %s: %w", op, errClosed)
	}
	return nil
}

// invalidf is a caller's bad input: an error matching fs.ErrInvalid
// whose text names the input.
func invalidf(format string, args ...any) error {
	return fmt.Errorf("invalid "+format+": %w", append(args, fs.ErrInvalid)...)
}
