package abi

// From include/uapi/linux/userfaultfd.h (userfaultfd(2),
// ioctl_userfaultfd(2)). The installed headers (linux-libc-dev 6.1) lack
// UFFDIO_MOVE, UFFDIO_POISON and the features after 1<<12; those are
// copied from the header of Linux 6.8 and pinned in the tests.

const (
	// UFFD_USER_MODE_ONLY, a userfaultfd(2) flag, handles only faults
	// from user space, which unprivileged callers may ask for even when
	// vm.unprivileged_userfaultfd is 0 (Linux 5.11).
	UFFD_USER_MODE_ONLY = 1

	// USERFAULTFD_IOC_NEW, _IO(USERFAULTFD_IOC, 0x00), is the ioctl on
	// /dev/userfaultfd that returns a new userfaultfd; it takes the
	// userfaultfd(2) flags as its argument (Linux 6.1).
	USERFAULTFD_IOC_NEW = 0xaa00

	// UFFD_API is the only API version, asked for in UffdioAPI.API.
	UFFD_API = 0xaa

	// UFFDIO is the ioctl type of every userfaultfd ioctl.
	UFFDIO = 0xaa
)

// The ioctl numbers (_UFFDIO_*): the bit positions of the ioctls masks
// that UFFDIO_API and UFFDIO_REGISTER return.
const (
	UFFDIO_REGISTER_NR     = 0x00 // Linux 4.3
	UFFDIO_UNREGISTER_NR   = 0x01 // Linux 4.3
	UFFDIO_WAKE_NR         = 0x02 // Linux 4.3
	UFFDIO_COPY_NR         = 0x03 // Linux 4.3
	UFFDIO_ZEROPAGE_NR     = 0x04 // Linux 4.3
	UFFDIO_MOVE_NR         = 0x05 // Linux 6.8
	UFFDIO_WRITEPROTECT_NR = 0x06 // Linux 5.7
	UFFDIO_CONTINUE_NR     = 0x07 // Linux 5.13
	UFFDIO_POISON_NR       = 0x08 // Linux 6.6
	UFFDIO_API_NR          = 0x3f // Linux 4.3
)

// UFFD_FEATURE_*: the bits of UffdioAPI.Features.
const (
	UFFD_FEATURE_PAGEFAULT_FLAG_WP  = 1 << 0  // Linux 5.7 (the bit was reserved since 4.3)
	UFFD_FEATURE_EVENT_FORK         = 1 << 1  // Linux 4.11
	UFFD_FEATURE_EVENT_REMAP        = 1 << 2  // Linux 4.11
	UFFD_FEATURE_EVENT_REMOVE       = 1 << 3  // Linux 4.11
	UFFD_FEATURE_MISSING_HUGETLBFS  = 1 << 4  // Linux 4.11
	UFFD_FEATURE_MISSING_SHMEM      = 1 << 5  // Linux 4.11
	UFFD_FEATURE_EVENT_UNMAP        = 1 << 6  // Linux 4.11
	UFFD_FEATURE_SIGBUS             = 1 << 7  // Linux 4.14
	UFFD_FEATURE_THREAD_ID          = 1 << 8  // Linux 4.14
	UFFD_FEATURE_MINOR_HUGETLBFS    = 1 << 9  // Linux 5.13
	UFFD_FEATURE_MINOR_SHMEM        = 1 << 10 // Linux 5.14
	UFFD_FEATURE_EXACT_ADDRESS      = 1 << 11 // Linux 5.18
	UFFD_FEATURE_WP_HUGETLBFS_SHMEM = 1 << 12 // Linux 5.19
	UFFD_FEATURE_WP_UNPOPULATED     = 1 << 13 // Linux 6.4
	UFFD_FEATURE_POISON             = 1 << 14 // Linux 6.6
	UFFD_FEATURE_WP_ASYNC           = 1 << 15 // Linux 6.7
	UFFD_FEATURE_MOVE               = 1 << 16 // Linux 6.8
)

// UFFDIO_REGISTER_MODE_*: UffdioRegister.Mode.
const (
	UFFDIO_REGISTER_MODE_MISSING = 1 << 0 // Linux 4.3
	UFFDIO_REGISTER_MODE_WP      = 1 << 1 // Linux 5.7
	UFFDIO_REGISTER_MODE_MINOR   = 1 << 2 // Linux 5.13
)

// The mode bits of the resolving ioctls. DONTWAKE is bit 0 in every one
// of them (UFFDIO_COPY, _ZEROPAGE, _CONTINUE, _POISON, _MOVE); in
// UFFDIO_WRITEPROTECT it is bit 1.
const (
	UFFDIO_COPY_MODE_DONTWAKE         = 1 << 0
	UFFDIO_COPY_MODE_WP               = 1 << 1 // Linux 5.7
	UFFDIO_ZEROPAGE_MODE_DONTWAKE     = 1 << 0
	UFFDIO_WRITEPROTECT_MODE_WP       = 1 << 0
	UFFDIO_WRITEPROTECT_MODE_DONTWAKE = 1 << 1
	UFFDIO_CONTINUE_MODE_DONTWAKE     = 1 << 0
	UFFDIO_CONTINUE_MODE_WP           = 1 << 1 // Linux 6.4
	UFFDIO_POISON_MODE_DONTWAKE       = 1 << 0
	UFFDIO_MOVE_MODE_DONTWAKE         = 1 << 0
	UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES  = 1 << 1
)

// UFFD_EVENT_*: UffdMsg.Event.
const (
	UFFD_EVENT_PAGEFAULT = 0x12
	UFFD_EVENT_FORK      = 0x13
	UFFD_EVENT_REMAP     = 0x14
	UFFD_EVENT_REMOVE    = 0x15
	UFFD_EVENT_UNMAP     = 0x16
)

// UFFD_PAGEFAULT_FLAG_*: the flags of a page fault message.
const (
	UFFD_PAGEFAULT_FLAG_WRITE = 1 << 0
	UFFD_PAGEFAULT_FLAG_WP    = 1 << 1
	UFFD_PAGEFAULT_FLAG_MINOR = 1 << 2 // Linux 5.13
)

// UffdMsg is struct uffd_msg, what read(2) returns for one event. It is
// packed; its union (arg) is kept as bytes, decoded per event:
//
//	pagefault: flags u64 at Arg[0:8], address u64 at [8:16], ptid u32 at [16:20]
//	fork:      ufd u32 at [0:4]
//	remap:     from, to, len u64 at [0:8], [8:16], [16:24]
//	remove:    start, end u64 at [0:8], [8:16] (also UFFD_EVENT_UNMAP)
type UffdMsg struct {
	Event     uint8
	Reserved1 uint8
	Reserved2 uint16
	Reserved3 uint32
	Arg       [24]byte
}

// SizeofUffdMsg is the size of struct uffd_msg.
const SizeofUffdMsg = 32

// UffdioAPI is struct uffdio_api, the argument of UFFDIO_API.
type UffdioAPI struct {
	API      uint64
	Features uint64
	Ioctls   uint64
}

// UffdioRange is struct uffdio_range.
type UffdioRange struct {
	Start uint64
	Len   uint64
}

// UffdioRegister is struct uffdio_register.
type UffdioRegister struct {
	Range  UffdioRange
	Mode   uint64
	Ioctls uint64
}

// UffdioCopy is struct uffdio_copy. Copy is written by the kernel: the
// bytes copied, or a negated errno.
type UffdioCopy struct {
	Dst  uint64
	Src  uint64
	Len  uint64
	Mode uint64
	Copy int64
}

// UffdioZeropage is struct uffdio_zeropage.
type UffdioZeropage struct {
	Range    UffdioRange
	Mode     uint64
	Zeropage int64
}

// UffdioWriteprotect is struct uffdio_writeprotect (Linux 5.7).
type UffdioWriteprotect struct {
	Range UffdioRange
	Mode  uint64
}

// UffdioContinue is struct uffdio_continue (Linux 5.13).
type UffdioContinue struct {
	Range  UffdioRange
	Mode   uint64
	Mapped int64
}

// UffdioPoison is struct uffdio_poison (Linux 6.6).
type UffdioPoison struct {
	Range   UffdioRange
	Mode    uint64
	Updated int64
}

// UffdioMove is struct uffdio_move (Linux 6.8).
type UffdioMove struct {
	Dst  uint64
	Src  uint64
	Len  uint64
	Mode uint64
	Move int64
}

// The sizes the ioctl numbers encode.
const (
	SizeofUffdioAPI          = 24
	SizeofUffdioRange        = 16
	SizeofUffdioRegister     = 32
	SizeofUffdioCopy         = 40
	SizeofUffdioZeropage     = 32
	SizeofUffdioWriteprotect = 24
	SizeofUffdioContinue     = 32
	SizeofUffdioPoison       = 32
	SizeofUffdioMove         = 40
)
