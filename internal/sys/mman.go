package sys

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// mmap(2), munmap(2), madvise(2), mprotect(2), msync(2), mlock(2),
// mlock2(2), munlock(2), mlockall(2), munlockall(2).

// Memory mapping constants for package vm. The MAP_* values differ
// between architectures (MAP_LOCKED is 0x2000 on x86, 0x8000 on mips,
// 0x80 on powerpc); x/sys has each architecture's.
const (
	PROT_NONE  = unix.PROT_NONE
	PROT_READ  = unix.PROT_READ
	PROT_WRITE = unix.PROT_WRITE
	PROT_EXEC  = unix.PROT_EXEC

	MAP_SHARED          = unix.MAP_SHARED
	MAP_PRIVATE         = unix.MAP_PRIVATE
	MAP_SHARED_VALIDATE = unix.MAP_SHARED_VALIDATE
	MAP_ANONYMOUS       = unix.MAP_ANONYMOUS
	MAP_POPULATE        = unix.MAP_POPULATE
	MAP_NORESERVE       = unix.MAP_NORESERVE
	MAP_LOCKED          = unix.MAP_LOCKED
	MAP_FIXED_NOREPLACE = unix.MAP_FIXED_NOREPLACE
	MAP_HUGETLB         = unix.MAP_HUGETLB
	MAP_HUGE_SHIFT      = unix.MAP_HUGE_SHIFT
	MAP_HUGE_MASK       = unix.MAP_HUGE_MASK

	MS_ASYNC      = unix.MS_ASYNC
	MS_SYNC       = unix.MS_SYNC
	MS_INVALIDATE = unix.MS_INVALIDATE

	MLOCK_ONFAULT = unix.MLOCK_ONFAULT
	MCL_CURRENT   = unix.MCL_CURRENT
	MCL_FUTURE    = unix.MCL_FUTURE
	MCL_ONFAULT   = unix.MCL_ONFAULT
)

// Madvise advice values (generic on every architecture x/sys knows).
const (
	MADV_NORMAL          = unix.MADV_NORMAL
	MADV_RANDOM          = unix.MADV_RANDOM
	MADV_SEQUENTIAL      = unix.MADV_SEQUENTIAL
	MADV_WILLNEED        = unix.MADV_WILLNEED
	MADV_DONTNEED        = unix.MADV_DONTNEED
	MADV_FREE            = unix.MADV_FREE
	MADV_REMOVE          = unix.MADV_REMOVE
	MADV_DONTFORK        = unix.MADV_DONTFORK
	MADV_DOFORK          = unix.MADV_DOFORK
	MADV_MERGEABLE       = unix.MADV_MERGEABLE
	MADV_UNMERGEABLE     = unix.MADV_UNMERGEABLE
	MADV_HUGEPAGE        = unix.MADV_HUGEPAGE
	MADV_NOHUGEPAGE      = unix.MADV_NOHUGEPAGE
	MADV_DONTDUMP        = unix.MADV_DONTDUMP
	MADV_DODUMP          = unix.MADV_DODUMP
	MADV_WIPEONFORK      = unix.MADV_WIPEONFORK
	MADV_KEEPONFORK      = unix.MADV_KEEPONFORK
	MADV_COLD            = unix.MADV_COLD
	MADV_PAGEOUT         = unix.MADV_PAGEOUT
	MADV_POPULATE_READ   = unix.MADV_POPULATE_READ
	MADV_POPULATE_WRITE  = unix.MADV_POPULATE_WRITE
	MADV_DONTNEED_LOCKED = unix.MADV_DONTNEED_LOCKED
	MADV_COLLAPSE        = unix.MADV_COLLAPSE
	MADV_GUARD_INSTALL   = unix.MADV_GUARD_INSTALL
	MADV_GUARD_REMOVE    = unix.MADV_GUARD_REMOVE
)

// Mmap calls mmap(2) and returns the mapping as a slice. addr is a hint,
// or the exact address with MAP_FIXED_NOREPLACE; fd is -1 for anonymous
// memory. The slice aliases memory the Go runtime does not manage: it
// stays valid until Munmap.
func Mmap(addr uintptr, length int, prot, flags, fd int, offset int64) ([]byte, error) {
	// addr is an address in the process, not a Go pointer: reinterpret
	// the word rather than convert it (which vet rightly flags for
	// pointers the garbage collector could move).
	hint := *(*unsafe.Pointer)(unsafe.Pointer(&addr))
	p, err := retry1(func() (unsafe.Pointer, error) {
		return unix.MmapPtr(fd, offset, hint, uintptr(length), prot, flags)
	})
	if err != nil {
		return nil, wrap("mmap", err)
	}
	return unsafe.Slice((*byte)(p), length), nil
}

// Munmap calls munmap(2) on the whole of b, a slice Mmap returned.
func Munmap(b []byte) error {
	if len(b) == 0 {
		return nil
	}
	return wrap("munmap", unix.MunmapPtr(unsafe.Pointer(&b[0]), uintptr(len(b))))
}

// SliceAddr returns the address of b's first byte, 0 for an empty slice.
func SliceAddr(b []byte) uintptr {
	if len(b) == 0 {
		return 0
	}
	return uintptr(unsafe.Pointer(&b[0]))
}

// Madvise calls madvise(2) on b.
func Madvise(b []byte, advice int) error {
	return wrap("madvise", retry(func() error { return unix.Madvise(b, advice) }))
}

// Mprotect calls mprotect(2) on b.
func Mprotect(b []byte, prot int) error {
	return wrap("mprotect", unix.Mprotect(b, prot))
}

// Msync calls msync(2) on b.
func Msync(b []byte, flags int) error {
	return wrap("msync", retry(func() error { return unix.Msync(b, flags) }))
}

// Mlock2 calls mlock2(2) (Linux 4.4) on b; flags 0 is mlock(2).
func Mlock2(b []byte, flags int) error {
	if len(b) == 0 {
		return nil
	}
	if flags == 0 {
		return wrap("mlock", retry(func() error { return unix.Mlock(b) }))
	}
	_, err := Syscall6("mlock2", unix.SYS_MLOCK2, uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)), uintptr(flags), 0, 0, 0)
	return err
}

// Munlock calls munlock(2) on b.
func Munlock(b []byte) error {
	return wrap("munlock", unix.Munlock(b))
}

// Mlockall calls mlockall(2): it affects the whole process.
func Mlockall(flags int) error {
	return wrap("mlockall", retry(func() error { return unix.Mlockall(flags) }))
}

// Munlockall calls munlockall(2): it affects the whole process.
func Munlockall() error { return wrap("munlockall", unix.Munlockall()) }
