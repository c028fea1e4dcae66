package vm

import (
	"fmt"

	"github.com/lxgo/lx/internal/flagtext"
	"github.com/lxgo/lx/internal/sys"
)

// KPF is the set of flags of a physical page, the KPF_* bits of
// /proc/kpageflags (include/uapi/linux/kernel-page-flags.h; bits 32 and
// up are the "kernel hacking" ones, include/linux/kernel-page-flags.h).
type KPF uint64

const (
	KPFLocked       KPF = 1 << 0
	KPFError        KPF = 1 << 1
	KPFReferenced   KPF = 1 << 2
	KPFUptodate     KPF = 1 << 3
	KPFDirty        KPF = 1 << 4
	KPFLRU          KPF = 1 << 5
	KPFActive       KPF = 1 << 6
	KPFSlab         KPF = 1 << 7
	KPFWriteback    KPF = 1 << 8
	KPFReclaim      KPF = 1 << 9
	KPFBuddy        KPF = 1 << 10
	KPFMmap         KPF = 1 << 11
	KPFAnon         KPF = 1 << 12
	KPFSwapCache    KPF = 1 << 13
	KPFSwapBacked   KPF = 1 << 14
	KPFCompoundHead KPF = 1 << 15
	KPFCompoundTail KPF = 1 << 16
	KPFHuge         KPF = 1 << 17
	KPFUnevictable  KPF = 1 << 18
	KPFHWPoison     KPF = 1 << 19
	KPFNoPage       KPF = 1 << 20
	KPFKSM          KPF = 1 << 21
	KPFTHP          KPF = 1 << 22
	KPFOffline      KPF = 1 << 23
	KPFZeroPage     KPF = 1 << 24
	KPFIdle         KPF = 1 << 25
	KPFPgtable      KPF = 1 << 26

	KPFReserved     KPF = 1 << 32
	KPFMlocked      KPF = 1 << 33
	KPFMappedToDisk KPF = 1 << 34
	KPFPrivate      KPF = 1 << 35
	KPFPrivate2     KPF = 1 << 36
	KPFOwnerPrivate KPF = 1 << 37
	KPFArch         KPF = 1 << 38
	KPFUncached     KPF = 1 << 39
	KPFSoftDirty    KPF = 1 << 40
	KPFArch2        KPF = 1 << 41
)

var kpfText = flagtext.Format[KPF]{
	Flags: []flagtext.Flag[KPF]{
		{Bits: KPFLocked, Name: "KPF_LOCKED"}, {Bits: KPFError, Name: "KPF_ERROR"},
		{Bits: KPFReferenced, Name: "KPF_REFERENCED"}, {Bits: KPFUptodate, Name: "KPF_UPTODATE"},
		{Bits: KPFDirty, Name: "KPF_DIRTY"}, {Bits: KPFLRU, Name: "KPF_LRU"},
		{Bits: KPFActive, Name: "KPF_ACTIVE"}, {Bits: KPFSlab, Name: "KPF_SLAB"},
		{Bits: KPFWriteback, Name: "KPF_WRITEBACK"}, {Bits: KPFReclaim, Name: "KPF_RECLAIM"},
		{Bits: KPFBuddy, Name: "KPF_BUDDY"}, {Bits: KPFMmap, Name: "KPF_MMAP"},
		{Bits: KPFAnon, Name: "KPF_ANON"}, {Bits: KPFSwapCache, Name: "KPF_SWAPCACHE"},
		{Bits: KPFSwapBacked, Name: "KPF_SWAPBACKED"}, {Bits: KPFCompoundHead, Name: "KPF_COMPOUND_HEAD"},
		{Bits: KPFCompoundTail, Name: "KPF_COMPOUND_TAIL"}, {Bits: KPFHuge, Name: "KPF_HUGE"},
		{Bits: KPFUnevictable, Name: "KPF_UNEVICTABLE"}, {Bits: KPFHWPoison, Name: "KPF_HWPOISON"},
		{Bits: KPFNoPage, Name: "KPF_NOPAGE"}, {Bits: KPFKSM, Name: "KPF_KSM"},
		{Bits: KPFTHP, Name: "KPF_THP"}, {Bits: KPFOffline, Name: "KPF_OFFLINE"},
		{Bits: KPFZeroPage, Name: "KPF_ZERO_PAGE"}, {Bits: KPFIdle, Name: "KPF_IDLE"},
		{Bits: KPFPgtable, Name: "KPF_PGTABLE"},
		{Bits: KPFReserved, Name: "KPF_RESERVED"}, {Bits: KPFMlocked, Name: "KPF_MLOCKED"},
		{Bits: KPFMappedToDisk, Name: "KPF_MAPPEDTODISK"}, {Bits: KPFPrivate, Name: "KPF_PRIVATE"},
		{Bits: KPFPrivate2, Name: "KPF_PRIVATE_2"}, {Bits: KPFOwnerPrivate, Name: "KPF_OWNER_PRIVATE"},
		{Bits: KPFArch, Name: "KPF_ARCH"}, {Bits: KPFUncached, Name: "KPF_UNCACHED"},
		{Bits: KPFSoftDirty, Name: "KPF_SOFTDIRTY"}, {Bits: KPFArch2, Name: "KPF_ARCH_2"},
	},
	Sep: '|', None: "0",
}

// String returns the flags' names, "KPF_UPTODATE|KPF_LRU|KPF_ANON", with
// unknown bits as a hexadecimal number at the end.
func (f KPF) String() string { return kpfText.String(f) }

// MarshalText returns String's text.
func (f KPF) MarshalText() ([]byte, error) { return kpfText.Append(nil, f), nil }

// UnmarshalText reads String's text back.
func (f *KPF) UnmarshalText(b []byte) error { return kpfText.Unmarshal(f, b, "kpageflags") }

// KPages reads the kernel's per-physical-page files, /proc/kpageflags
// (KPF flags, Linux 2.6.25) and /proc/kpagecount (how many times each page
// is mapped), indexed by the PFNs Entry.PFN reports. Both are readable by
// root only (mode 0400, and CAP_SYS_ADMIN for the PFNs themselves). Its
// methods are safe for concurrent use.
type KPages struct {
	flags, count *sys.FD
}

// OpenKPages opens /proc/kpageflags and /proc/kpagecount. The caller owns
// the KPages and closes it.
func OpenKPages() (*KPages, error) {
	flags, err := sys.Open("/proc/kpageflags", sys.O_RDONLY)
	if err != nil {
		return nil, fmt.Errorf("kpages open: %w", err)
	}
	count, err := sys.Open("/proc/kpagecount", sys.O_RDONLY)
	if err != nil {
		flags.Close()
		return nil, fmt.Errorf("kpages open: %w", err)
	}
	return &KPages{flags: flags, count: count}, nil
}

// Close closes both files. A second Close returns nil.
func (k *KPages) Close() error {
	err := k.flags.Close()
	if cerr := k.count.Close(); err == nil {
		err = cerr
	}
	return err
}

// Flags fills dst with the flags of the physical pages pfn, pfn+1, ...
// and returns how many it filled: fewer past the last PFN. A PFN with no
// struct page (a hole in physical memory) reads as KPFNoPage.
func (k *KPages) Flags(pfn uint64, dst []KPF) (int, error) {
	return preadWords(k.flags, "kpageflags", pfn, kpfBytes(dst))
}

// Counts fills dst with the map counts of the physical pages pfn,
// pfn+1, ... and returns how many it filled.
func (k *KPages) Counts(pfn uint64, dst []uint64) (int, error) {
	return preadWords(k.count, "kpagecount", pfn, u64Bytes(dst))
}

// preadWords reads the 64-bit words of index pfn on into b.
func preadWords(fd *sys.FD, name string, pfn uint64, b []byte) (int, error) {
	if pfn > 1<<60 {
		return 0, fmt.Errorf("%s read: %w", name, invalidf("pfn %#x", pfn))
	}
	done := 0
	for done < len(b) {
		n, err := sys.Pread(fd.Int(), b[done:], int64(pfn*8)+int64(done))
		if err != nil {
			return done / 8, fmt.Errorf("%s read at pfn %#x: %w", name, pfn+uint64(done/8), err)
		}
		if n == 0 {
			break
		}
		done += n
	}
	return done / 8, nil
}
