package abi

// From include/uapi/linux/fs.h (Linux 6.7, the PAGEMAP_SCAN ioctl of
// /proc/PID/pagemap; PAGE_IS_SOFT_DIRTY 6.7 too, PAGE_IS_GUARD 6.15):
// golang.org/x/sys/unix v0.50.0 has none of it, and the installed
// headers (linux-libc-dev 6.1) predate it.

// PmScanArg is struct pm_scan_arg, the argument of PAGEMAP_SCAN,
// _IOWR('f', 16, struct pm_scan_arg). Size is the struct's size (96,
// the only version so far); WalkEnd is written by the kernel: the
// address where the walk stopped, End when it covered the whole range.
type PmScanArg struct {
	Size              uint64
	Flags             uint64
	Start             uint64
	End               uint64
	WalkEnd           uint64
	Vec               uint64 // address of a []PageRegion
	VecLen            uint64
	MaxPages          uint64
	CategoryInverted  uint64
	CategoryMask      uint64
	CategoryAnyofMask uint64
	ReturnMask        uint64
}

// PageRegion is struct page_region: pages [Start, End) that share the
// PAGE_IS_* Categories (masked by the return mask).
type PageRegion struct {
	Start      uint64
	End        uint64
	Categories uint64
}

// PAGE_IS_* categories of PAGEMAP_SCAN.
const (
	PAGE_IS_WPALLOWED  = 1 << 0
	PAGE_IS_WRITTEN    = 1 << 1
	PAGE_IS_FILE       = 1 << 2
	PAGE_IS_PRESENT    = 1 << 3
	PAGE_IS_SWAPPED    = 1 << 4
	PAGE_IS_PFNZERO    = 1 << 5
	PAGE_IS_HUGE       = 1 << 6
	PAGE_IS_SOFT_DIRTY = 1 << 7
	PAGE_IS_GUARD      = 1 << 8
)

// PAGEMAP_SCAN flags.
const (
	PM_SCAN_WP_MATCHING   = 1 << 0
	PM_SCAN_CHECK_WPASYNC = 1 << 1
)
