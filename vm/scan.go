package vm

import (
	"errors"
	"fmt"
	"iter"

	"github.com/lxgo/lx/internal/abi"
	"github.com/lxgo/lx/internal/feature"
	"github.com/lxgo/lx/internal/flagtext"
	"github.com/lxgo/lx/internal/sys"
	"github.com/lxgo/lx/kernel"
)

// PageCategory is a set of the PAGE_IS_* categories PAGEMAP_SCAN sorts
// pages by (ioctl_pagemap_scan(2), include/uapi/linux/fs.h).
type PageCategory uint16

const (
	// PageWPAllowed: userfaultfd asynchronous write protection is on.
	PageWPAllowed PageCategory = abi.PAGE_IS_WPALLOWED
	// PageWritten: written since write-protected (userfaultfd WP_ASYNC).
	PageWritten   PageCategory = abi.PAGE_IS_WRITTEN
	PageFile      PageCategory = abi.PAGE_IS_FILE       // file-backed
	PagePresent   PageCategory = abi.PAGE_IS_PRESENT    // in RAM
	PageSwapped   PageCategory = abi.PAGE_IS_SWAPPED    // in swap
	PagePFNZero   PageCategory = abi.PAGE_IS_PFNZERO    // the shared zero page
	PageHuge      PageCategory = abi.PAGE_IS_HUGE       // THP or hugetlb
	PageSoftDirty PageCategory = abi.PAGE_IS_SOFT_DIRTY // soft-dirty
	PageGuard     PageCategory = abi.PAGE_IS_GUARD      // a guard region (Linux 6.15)
)

var categoryText = flagtext.Format[PageCategory]{
	Flags: []flagtext.Flag[PageCategory]{
		{Bits: PageWPAllowed, Name: "PAGE_IS_WPALLOWED"}, {Bits: PageWritten, Name: "PAGE_IS_WRITTEN"},
		{Bits: PageFile, Name: "PAGE_IS_FILE"}, {Bits: PagePresent, Name: "PAGE_IS_PRESENT"},
		{Bits: PageSwapped, Name: "PAGE_IS_SWAPPED"}, {Bits: PagePFNZero, Name: "PAGE_IS_PFNZERO"},
		{Bits: PageHuge, Name: "PAGE_IS_HUGE"}, {Bits: PageSoftDirty, Name: "PAGE_IS_SOFT_DIRTY"},
		{Bits: PageGuard, Name: "PAGE_IS_GUARD"},
	},
	Sep: '|', None: "0",
}

// String returns the categories' names, "PAGE_IS_PRESENT|PAGE_IS_HUGE".
func (c PageCategory) String() string { return categoryText.String(c) }

// MarshalText returns String's text.
func (c PageCategory) MarshalText() ([]byte, error) { return categoryText.Append(nil, c), nil }

// UnmarshalText reads String's text back.
func (c *PageCategory) UnmarshalText(b []byte) error {
	return categoryText.Unmarshal(c, b, "page categories")
}

// allCategories is every category lx knows.
const allCategories = PageWPAllowed | PageWritten | PageFile | PagePresent | PageSwapped |
	PagePFNZero | PageHuge | PageSoftDirty | PageGuard

// ScanOptions select the pages Scan reports. nil reports every mapped
// page, split into runs by every category.
type ScanOptions struct {
	// Require: only pages in all of these categories.
	Require PageCategory
	// Exclude: only pages in none of these categories.
	Exclude PageCategory
	// AnyOf: only pages in at least one of these categories.
	AnyOf PageCategory
	// Report is what Range.Categories holds; consecutive pages with the
	// same reported categories make one Range. Zero means the union of
	// Require, Exclude and AnyOf, or every category when those are zero.
	Report PageCategory
	// MaxPages stops the scan after that many pages were reported; zero
	// means no limit.
	MaxPages int
}

// Range is a run of pages [Start, End) with the same categories.
type Range struct {
	Start, End uintptr
	Categories PageCategory
}

// Len returns the run's length in bytes.
func (r Range) Len() uint64 { return uint64(r.End - r.Start) }

// Scan reports the pages of [start, end) that opts selects, as runs in
// dst, with the PAGEMAP_SCAN ioctl (Linux 6.7; errors.ErrUnsupported
// before, and PageGuard before 6.15): one system call for the whole
// range, however many pages, where reading the pagemap file costs 8
// bytes per page. It returns the number of runs written and next, the
// address where the walk stopped: end when it covered the range, less
// when dst filled up or MaxPages was reached (scan again from next).
// start must be page-aligned; end is rounded up to a page. Unmapped
// addresses are skipped, not reported. Scan allocates nothing once the
// Pagemap's buffer has grown to len(dst).
func (p *Pagemap) Scan(start, end uintptr, opts *ScanOptions, dst []Range) (n int, next uintptr, err error) {
	if opts == nil {
		opts = &ScanOptions{}
	}
	switch {
	case start%uintptr(pagesize) != 0:
		return 0, start, fmt.Errorf("pagemap scan: %w", invalidf("start %#x: not aligned to the page size %d", start, pagesize))
	case end < start:
		return 0, start, fmt.Errorf("pagemap scan: %w", invalidf("range %#x-%#x: end before start", start, end))
	case opts.MaxPages < 0:
		return 0, start, fmt.Errorf("pagemap scan: %w", invalidf("max pages %d", opts.MaxPages))
	case (opts.Require|opts.Exclude|opts.AnyOf|opts.Report)&^allCategories != 0:
		return 0, start, fmt.Errorf("pagemap scan: %w", invalidf("categories %s", opts.Require|opts.Exclude|opts.AnyOf|opts.Report))
	case len(dst) == 0:
		return 0, start, fmt.Errorf("pagemap scan: %w", invalidf("destination: empty"))
	}
	report := opts.Report
	if report == 0 {
		report = opts.Require | opts.Exclude | opts.AnyOf
	}
	if report == 0 {
		report = allCategories
	}
	if cap(p.regions) < len(dst) {
		p.regions = make([]abi.PageRegion, len(dst))
	}
	regions := p.regions[:len(dst)]
	arg := abi.PmScanArg{
		Start:             uint64(start),
		End:               uint64(end),
		MaxPages:          uint64(opts.MaxPages),
		CategoryInverted:  uint64(opts.Exclude),
		CategoryMask:      uint64(opts.Require | opts.Exclude),
		CategoryAnyofMask: uint64(opts.AnyOf),
		ReturnMask:        uint64(report),
	}
	n, err = sys.PagemapScan(p.fd.Int(), &arg, regions)
	if err != nil {
		switch {
		case sys.Errno(err) == sys.ENOTTY:
			err = feature.PagemapScan.Unsupported(err)
		case errors.Is(err, sys.EINVAL) && (opts.Require|opts.Exclude|opts.AnyOf|report)&PageGuard != 0:
			err = &kernel.FeatureError{Feature: "PAGE_IS_GUARD", MinKernel: kernel.V(6, 15), Err: err}
		}
		return 0, start, fmt.Errorf("pagemap %d scan: %w", p.pid, err)
	}
	n = min(n, len(dst))
	pages := uint64(0)
	for i, r := range regions[:n] {
		dst[i] = Range{Start: uintptr(r.Start), End: uintptr(r.End), Categories: PageCategory(r.Categories)}
		pages += (r.End - r.Start) / uint64(pagesize)
	}
	return n, scanNext(start, end, arg.WalkEnd, dst[:n], len(dst), opts.MaxPages > 0 && pages >= uint64(opts.MaxPages)), nil
}

// scanNext is where a scan that filled n of capacity runs should go on.
// The kernel's walk_end cannot be taken alone: a walk the kernel did in
// several chunks (its own buffer holds fewer runs than the caller's)
// and that then completed leaves walk_end at the last chunk's stop,
// short of end (seen on 6.18). A scan that neither filled dst nor hit
// MaxPages covered the range; otherwise it stopped at walk_end, which is
// never before the end of the last run reported.
func scanNext(start, end uintptr, walkEnd uint64, got []Range, capacity int, maxHit bool) uintptr {
	if len(got) < capacity && !maxHit {
		return end
	}
	next := uintptr(walkEnd)
	if len(got) > 0 && got[len(got)-1].End > next {
		next = got[len(got)-1].End
	}
	return min(max(next, start), end)
}

// Ranges is Scan as an iterator over every run of [start, end), scanning
// again where a full buffer stopped the walk; MaxPages bounds the whole
// iteration.
func (p *Pagemap) Ranges(start, end uintptr, opts *ScanOptions) iter.Seq2[Range, error] {
	return func(yield func(Range, error) bool) {
		var o ScanOptions
		if opts != nil {
			o = *opts
		}
		left := o.MaxPages
		var buf [64]Range
		for start < end {
			n, next, err := p.Scan(start, end, &o, buf[:])
			if err != nil {
				yield(Range{}, err)
				return
			}
			for _, r := range buf[:n] {
				if !yield(r, nil) {
					return
				}
				if left > 0 {
					o.MaxPages -= int(r.Len() / uint64(pagesize))
					if o.MaxPages <= 0 {
						return
					}
				}
			}
			if next <= start {
				return
			}
			start = next
		}
	}
}
