package vm

import "strconv"

// Entry is one 64-bit word of /proc/PID/pagemap: the state of one
// virtual page (pagemap.rst, fs/proc/task_mmu.c). Its layout:
//
//	bits 0-54  page frame number, if present (0 without CAP_SYS_ADMIN)
//	bits 0-4   swap type, if swapped
//	bits 5-54  swap offset, if swapped
//	bit  55    soft-dirty (Linux 3.11)
//	bit  56    exclusively mapped (Linux 4.2)
//	bit  57    write-protected by userfaultfd (Linux 5.13)
//	bit  58    a guard region, MADV_GUARD_INSTALL (Linux 6.15)
//	bit  61    file page or shared anonymous (Linux 3.5)
//	bit  62    swapped
//	bit  63    present
//
// The zero Entry is an unmapped or never-touched page.
type Entry uint64

const (
	entryPFNMask   = 1<<55 - 1
	entrySoftDirty = 1 << 55
	entryExclusive = 1 << 56
	entryUffdWP    = 1 << 57
	entryGuard     = 1 << 58
	entryFile      = 1 << 61
	entrySwapped   = 1 << 62
	entryPresent   = 1 << 63
)

// Present reports whether the page is in RAM.
func (e Entry) Present() bool { return e&entryPresent != 0 }

// Swapped reports whether the page is in swap (or is another swap-type
// entry: a page being migrated, a poisoned page).
func (e Entry) Swapped() bool { return e&entrySwapped != 0 }

// PFN returns the physical page frame number of a present page: 0 for a
// page that is not present, and for every page when the Pagemap's opener
// lacked CAP_SYS_ADMIN.
func (e Entry) PFN() uint64 {
	if !e.Present() {
		return 0
	}
	return uint64(e & entryPFNMask)
}

// SwapType returns the swap area (the index in /proc/swaps order) of a
// swapped page, 0 otherwise.
func (e Entry) SwapType() uint8 {
	if !e.Swapped() {
		return 0
	}
	return uint8(e & 0x1f)
}

// SwapOffset returns the page's offset in its swap area, in pages, for a
// swapped page, 0 otherwise. Without CAP_SYS_ADMIN the kernel reports 0
// as it does for PFNs.
func (e Entry) SwapOffset() uint64 {
	if !e.Swapped() {
		return 0
	}
	return uint64(e&entryPFNMask) >> 5
}

// SoftDirty reports whether the page was written since the soft-dirty
// bits were last cleared (ClearSoftDirty).
func (e Entry) SoftDirty() bool { return e&entrySoftDirty != 0 }

// Exclusive reports whether the page is mapped by this process only.
func (e Entry) Exclusive() bool { return e&entryExclusive != 0 }

// UffdWP reports whether the page is write-protected by userfaultfd.
func (e Entry) UffdWP() bool { return e&entryUffdWP != 0 }

// Guard reports whether the page is a guard page (MADV_GUARD_INSTALL).
func (e Entry) Guard() bool { return e&entryGuard != 0 }

// File reports whether the page is a file page or shared anonymous
// memory (shmem), as opposed to private anonymous memory.
func (e Entry) File() bool { return e&entryFile != 0 }

// String describes the entry: "present pfn=0x1a2b3 soft-dirty
// exclusive", "swapped type=0 offset=0x12", "none".
func (e Entry) String() string {
	var b []byte
	word := func(s string) {
		if len(b) > 0 {
			b = append(b, ' ')
		}
		b = append(b, s...)
	}
	switch {
	case e.Present():
		word("present")
		if pfn := e.PFN(); pfn != 0 {
			b = strconv.AppendUint(append(b, " pfn=0x"...), pfn, 16)
		}
	case e.Swapped():
		word("swapped")
		b = strconv.AppendUint(append(b, " type="...), uint64(e.SwapType()), 10)
		b = strconv.AppendUint(append(b, " offset=0x"...), e.SwapOffset(), 16)
	}
	for _, f := range [...]struct {
		bit  Entry
		name string
	}{{entryFile, "file"}, {entrySoftDirty, "soft-dirty"}, {entryExclusive, "exclusive"},
		{entryUffdWP, "uffd-wp"}, {entryGuard, "guard"}} {
		if e&f.bit != 0 {
			word(f.name)
		}
	}
	if len(b) == 0 {
		return "none"
	}
	return string(b)
}
