package userfaultfd

import (
	"fmt"
	"io/fs"
	"os"
)

// pageSize is the base page size; ranges are aligned to it.
var pageSize = uintptr(os.Getpagesize())

// Range is a span of the calling process's address space: Len bytes from
// Start. Both must be multiples of the page size (of the huge page size
// for hugetlbfs memory, which the kernel checks), and Len must not be 0.
// RangeOf makes one from a mapping's bytes.
type Range struct {
	Start uintptr
	Len   uintptr
}

// NewRange returns the range of length bytes at start, checked.
func NewRange(start uintptr, length int) (Range, error) {
	if length < 0 {
		return Range{}, fmt.Errorf("userfaultfd: range length %d: %w", length, fs.ErrInvalid)
	}
	r := Range{Start: start, Len: uintptr(length)}
	return r, r.check()
}

// End returns the address after the range.
func (r Range) End() uintptr { return r.Start + r.Len }

// String returns "0xSTART-0xEND", as /proc/PID/maps prints a mapping.
func (r Range) String() string { return fmt.Sprintf("%#x-%#x", r.Start, r.End()) }

// check rejects an empty, unaligned or wrapping range with an error
// matching fs.ErrInvalid.
func (r Range) check() error {
	switch {
	case r.Len == 0:
		return fmt.Errorf("userfaultfd: empty range at %#x: %w", r.Start, fs.ErrInvalid)
	case r.Start%pageSize != 0 || r.Len%pageSize != 0:
		return fmt.Errorf("userfaultfd: range %v not aligned to the page size %d: %w", r, pageSize, fs.ErrInvalid)
	case r.End() < r.Start:
		return fmt.Errorf("userfaultfd: range of %d bytes at %#x wraps: %w", r.Len, r.Start, fs.ErrInvalid)
	}
	return nil
}

// Sub returns the part of r from offset off of length bytes, checked.
func (r Range) Sub(off, length int) (Range, error) {
	if off < 0 || length < 0 || uintptr(off) > r.Len || uintptr(length) > r.Len-uintptr(off) {
		return Range{}, fmt.Errorf("userfaultfd: sub-range [%d, +%d) of %v: %w", off, length, r, fs.ErrInvalid)
	}
	s := Range{Start: r.Start + uintptr(off), Len: uintptr(length)}
	return s, s.check()
}
