package userfaultfd

import (
	"fmt"

	"github.com/lxgo/lx/internal/abi"
	"github.com/lxgo/lx/internal/flagtext"
	"github.com/lxgo/lx/kernel"
)

// Features is a set of userfaultfd features, the UFFD_FEATURE_* bits of
// the UFFDIO_API handshake. Page fault events for missing pages of
// private anonymous memory, with the write flag, need no feature.
type Features uint64

// The features, with the first kernel that has each.
const (
	// FeatureWP: write-protect faults (ModeWP, WriteProtect), 5.7.
	FeatureWP Features = abi.UFFD_FEATURE_PAGEFAULT_FLAG_WP
	// FeatureEventFork: a fork(2) of the process duplicates the
	// registrations into a new userfaultfd, delivered as EventFork, 4.11.
	FeatureEventFork Features = abi.UFFD_FEATURE_EVENT_FORK
	// FeatureEventRemap: mremap(2) of a registered range is reported as
	// EventRemap, 4.11.
	FeatureEventRemap Features = abi.UFFD_FEATURE_EVENT_REMAP
	// FeatureEventRemove: madvise(MADV_DONTNEED or MADV_REMOVE) of a
	// registered range is reported as EventRemove, 4.11.
	FeatureEventRemove Features = abi.UFFD_FEATURE_EVENT_REMOVE
	// FeatureMissingHugetlbfs: ModeMissing works on hugetlbfs, 4.11.
	FeatureMissingHugetlbfs Features = abi.UFFD_FEATURE_MISSING_HUGETLBFS
	// FeatureMissingShmem: ModeMissing works on shmem (tmpfs, memfd,
	// MAP_SHARED|MAP_ANONYMOUS), 4.11.
	FeatureMissingShmem Features = abi.UFFD_FEATURE_MISSING_SHMEM
	// FeatureEventUnmap: munmap(2) of a registered range is reported as
	// EventUnmap, 4.11.
	FeatureEventUnmap Features = abi.UFFD_FEATURE_EVENT_UNMAP
	// FeatureSIGBUS: faults raise SIGBUS in the faulting thread instead
	// of producing events, 4.14.
	FeatureSIGBUS Features = abi.UFFD_FEATURE_SIGBUS
	// FeatureThreadID: page fault events carry the faulting thread's
	// id, 4.14.
	FeatureThreadID Features = abi.UFFD_FEATURE_THREAD_ID
	// FeatureMinorHugetlbfs: ModeMinor works on hugetlbfs, 5.13.
	FeatureMinorHugetlbfs Features = abi.UFFD_FEATURE_MINOR_HUGETLBFS
	// FeatureMinorShmem: ModeMinor works on shmem, 5.14.
	FeatureMinorShmem Features = abi.UFFD_FEATURE_MINOR_SHMEM
	// FeatureExactAddress: page fault events carry the exact address,
	// not the page's, 5.18.
	FeatureExactAddress Features = abi.UFFD_FEATURE_EXACT_ADDRESS
	// FeatureWPHugetlbfsShmem: ModeWP works on hugetlbfs and shmem, 5.19.
	FeatureWPHugetlbfsShmem Features = abi.UFFD_FEATURE_WP_HUGETLBFS_SHMEM
	// FeatureWPUnpopulated: write protection covers anonymous pages not
	// yet populated, 6.4.
	FeatureWPUnpopulated Features = abi.UFFD_FEATURE_WP_UNPOPULATED
	// FeaturePoison: Poison, 6.6.
	FeaturePoison Features = abi.UFFD_FEATURE_POISON
	// FeatureWPAsync: write-protect faults are resolved by the kernel,
	// which only records that the page was written (for PAGEMAP_SCAN),
	// 6.7.
	FeatureWPAsync Features = abi.UFFD_FEATURE_WP_ASYNC
	// FeatureMove: Move, 6.8.
	FeatureMove Features = abi.UFFD_FEATURE_MOVE
)

// featureKernels are the first kernels of each feature, in bit order.
var featureKernels = [...]kernel.Version{
	kernel.V(5, 7), kernel.V(4, 11), kernel.V(4, 11), kernel.V(4, 11),
	kernel.V(4, 11), kernel.V(4, 11), kernel.V(4, 11), kernel.V(4, 14),
	kernel.V(4, 14), kernel.V(5, 13), kernel.V(5, 14), kernel.V(5, 18),
	kernel.V(5, 19), kernel.V(6, 4), kernel.V(6, 6), kernel.V(6, 7),
	kernel.V(6, 8),
}

// MinKernel returns the first kernel that has every feature of f, or the
// zero Version when f holds a bit lx does not know.
func (f Features) MinKernel() kernel.Version {
	var v kernel.Version
	for i := 0; i < 64; i++ {
		if f&(1<<i) == 0 {
			continue
		}
		if i >= len(featureKernels) {
			return kernel.Version{}
		}
		if k := featureKernels[i]; !v.AtLeast(k) {
			v = k
		}
	}
	return v
}

var featureText = flagtext.Format[Features]{
	Flags: []flagtext.Flag[Features]{
		{Bits: FeatureWP, Name: "UFFD_FEATURE_PAGEFAULT_FLAG_WP"},
		{Bits: FeatureEventFork, Name: "UFFD_FEATURE_EVENT_FORK"},
		{Bits: FeatureEventRemap, Name: "UFFD_FEATURE_EVENT_REMAP"},
		{Bits: FeatureEventRemove, Name: "UFFD_FEATURE_EVENT_REMOVE"},
		{Bits: FeatureMissingHugetlbfs, Name: "UFFD_FEATURE_MISSING_HUGETLBFS"},
		{Bits: FeatureMissingShmem, Name: "UFFD_FEATURE_MISSING_SHMEM"},
		{Bits: FeatureEventUnmap, Name: "UFFD_FEATURE_EVENT_UNMAP"},
		{Bits: FeatureSIGBUS, Name: "UFFD_FEATURE_SIGBUS"},
		{Bits: FeatureThreadID, Name: "UFFD_FEATURE_THREAD_ID"},
		{Bits: FeatureMinorHugetlbfs, Name: "UFFD_FEATURE_MINOR_HUGETLBFS"},
		{Bits: FeatureMinorShmem, Name: "UFFD_FEATURE_MINOR_SHMEM"},
		{Bits: FeatureExactAddress, Name: "UFFD_FEATURE_EXACT_ADDRESS"},
		{Bits: FeatureWPHugetlbfsShmem, Name: "UFFD_FEATURE_WP_HUGETLBFS_SHMEM"},
		{Bits: FeatureWPUnpopulated, Name: "UFFD_FEATURE_WP_UNPOPULATED"},
		{Bits: FeaturePoison, Name: "UFFD_FEATURE_POISON"},
		{Bits: FeatureWPAsync, Name: "UFFD_FEATURE_WP_ASYNC"},
		{Bits: FeatureMove, Name: "UFFD_FEATURE_MOVE"},
	},
	Sep:  '|',
	None: "0",
}

// String lists the features by their kernel names in bit order, joined
// by "|", unknown bits as one hexadecimal number at the end; none is "0".
func (f Features) String() string { return featureText.String(f) }

// MarshalText returns String's text.
func (f Features) MarshalText() ([]byte, error) { return featureText.Append(nil, f), nil }

// UnmarshalText sets *f from text ParseFeatures accepts.
func (f *Features) UnmarshalText(text []byte) error {
	return featureText.Unmarshal(f, text, "userfaultfd: invalid features")
}

// ParseFeatures parses String's form: "0", or "|"-separated kernel names
// and hexadecimal numbers in any order; anything else is an error
// wrapping strconv.ErrSyntax (strconv.ErrRange beyond 64 bits).
func ParseFeatures(text string) (Features, error) {
	f, err := featureText.Parse(text)
	if err != nil {
		return 0, fmt.Errorf("userfaultfd: invalid features %q: %w", text, err)
	}
	return f, nil
}

// Mode is the set of fault kinds a registered range reports, the
// UFFDIO_REGISTER_MODE_* bits.
type Mode uint64

const (
	// ModeMissing reports accesses to pages not yet present (4.3);
	// resolve them with Copy, Zeropage, Move or Poison.
	ModeMissing Mode = abi.UFFDIO_REGISTER_MODE_MISSING
	// ModeWP reports writes to write-protected pages (5.7; needs
	// FeatureWP); resolve them with Unprotect.
	ModeWP Mode = abi.UFFDIO_REGISTER_MODE_WP
	// ModeMinor reports accesses to pages present in the page cache but
	// not mapped (5.13, shmem 5.14; needs FeatureMinorShmem or
	// FeatureMinorHugetlbfs); resolve them with Continue.
	ModeMinor Mode = abi.UFFDIO_REGISTER_MODE_MINOR
)

var modeText = flagtext.Format[Mode]{
	Flags: []flagtext.Flag[Mode]{
		{Bits: ModeMissing, Name: "UFFDIO_REGISTER_MODE_MISSING"},
		{Bits: ModeWP, Name: "UFFDIO_REGISTER_MODE_WP"},
		{Bits: ModeMinor, Name: "UFFDIO_REGISTER_MODE_MINOR"},
	},
	Sep:  '|',
	None: "0",
}

// String lists the modes by their kernel names joined by "|"; none is "0".
func (m Mode) String() string { return modeText.String(m) }

// MarshalText returns String's text.
func (m Mode) MarshalText() ([]byte, error) { return modeText.Append(nil, m), nil }

// UnmarshalText sets *m from String's form.
func (m *Mode) UnmarshalText(text []byte) error {
	return modeText.Unmarshal(m, text, "userfaultfd: invalid mode")
}

// Ioctls is a set of userfaultfd ioctls, as UFFDIO_API (for the fd) and
// UFFDIO_REGISTER (for a range) report them: bit n is the ioctl numbered
// n.
type Ioctls uint64

// The ioctls, named after their requests (UFFDIO_*).
const (
	IoctlRegister     Ioctls = 1 << abi.UFFDIO_REGISTER_NR
	IoctlUnregister   Ioctls = 1 << abi.UFFDIO_UNREGISTER_NR
	IoctlWake         Ioctls = 1 << abi.UFFDIO_WAKE_NR
	IoctlCopy         Ioctls = 1 << abi.UFFDIO_COPY_NR
	IoctlZeropage     Ioctls = 1 << abi.UFFDIO_ZEROPAGE_NR
	IoctlMove         Ioctls = 1 << abi.UFFDIO_MOVE_NR
	IoctlWriteprotect Ioctls = 1 << abi.UFFDIO_WRITEPROTECT_NR
	IoctlContinue     Ioctls = 1 << abi.UFFDIO_CONTINUE_NR
	IoctlPoison       Ioctls = 1 << abi.UFFDIO_POISON_NR
	IoctlAPI          Ioctls = 1 << abi.UFFDIO_API_NR
)

var ioctlText = flagtext.Format[Ioctls]{
	Flags: []flagtext.Flag[Ioctls]{
		{Bits: IoctlRegister, Name: "UFFDIO_REGISTER"},
		{Bits: IoctlUnregister, Name: "UFFDIO_UNREGISTER"},
		{Bits: IoctlWake, Name: "UFFDIO_WAKE"},
		{Bits: IoctlCopy, Name: "UFFDIO_COPY"},
		{Bits: IoctlZeropage, Name: "UFFDIO_ZEROPAGE"},
		{Bits: IoctlMove, Name: "UFFDIO_MOVE"},
		{Bits: IoctlWriteprotect, Name: "UFFDIO_WRITEPROTECT"},
		{Bits: IoctlContinue, Name: "UFFDIO_CONTINUE"},
		{Bits: IoctlPoison, Name: "UFFDIO_POISON"},
		{Bits: IoctlAPI, Name: "UFFDIO_API"},
	},
	Sep:  '|',
	None: "0",
}

// String lists the ioctls by their names joined by "|"; none is "0".
func (i Ioctls) String() string { return ioctlText.String(i) }

// MarshalText returns String's text.
func (i Ioctls) MarshalText() ([]byte, error) { return ioctlText.Append(nil, i), nil }

// UnmarshalText sets *i from String's form.
func (i *Ioctls) UnmarshalText(text []byte) error {
	return ioctlText.Unmarshal(i, text, "userfaultfd: invalid ioctls")
}

// FaultFlags describe a page fault, the UFFD_PAGEFAULT_FLAG_* bits.
type FaultFlags uint64

const (
	// FaultWrite: the access was a write (without it, a read).
	FaultWrite FaultFlags = abi.UFFD_PAGEFAULT_FLAG_WRITE
	// FaultWP: a write to a write-protected page (ModeWP).
	FaultWP FaultFlags = abi.UFFD_PAGEFAULT_FLAG_WP
	// FaultMinor: a minor fault (ModeMinor), 5.13.
	FaultMinor FaultFlags = abi.UFFD_PAGEFAULT_FLAG_MINOR
)

var faultText = flagtext.Format[FaultFlags]{
	Flags: []flagtext.Flag[FaultFlags]{
		{Bits: FaultWrite, Name: "UFFD_PAGEFAULT_FLAG_WRITE"},
		{Bits: FaultWP, Name: "UFFD_PAGEFAULT_FLAG_WP"},
		{Bits: FaultMinor, Name: "UFFD_PAGEFAULT_FLAG_MINOR"},
	},
	Sep:  '|',
	None: "0",
}

// String lists the flags by their kernel names joined by "|"; none (a
// read of a missing page) is "0".
func (f FaultFlags) String() string { return faultText.String(f) }

// MarshalText returns String's text.
func (f FaultFlags) MarshalText() ([]byte, error) { return faultText.Append(nil, f), nil }

// UnmarshalText sets *f from String's form.
func (f *FaultFlags) UnmarshalText(text []byte) error {
	return faultText.Unmarshal(f, text, "userfaultfd: invalid fault flags")
}
