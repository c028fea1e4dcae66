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
// dst, with the PAGEMAP_SCAN ioctl (Linux 6.7; PageGuard 6.15): one
// system call for the whole range, however many pages, where reading
// the pagemap file costs 8 bytes per page. Before 6.7 Scan reads the
// pagemap file and sorts its entries itself, for the categories the file
// shows (PagePresent, PageSwapped, PageFile, PageSoftDirty, PageGuard;
// asking for another is errors.ErrUnsupported, and zero Report means
// those five). The file also has entries for unmapped addresses, which
// then count as pages in no category (the ioctl skips them): this
// matters only to a scan that selects by Exclude alone. It returns the number of runs written and next, the
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
	if p.noScan.Load() {
		return p.scanFile(start, end, opts, report, dst)
	}
	n, err = sys.PagemapScan(p.fd.Int(), &arg, regions)
	if err != nil {
		switch {
		case sys.Errno(err) == sys.ENOTTY:
			// Before 6.7: read the file instead, from now on.
			p.noScan.Store(true)
			return p.scanFile(start, end, opts, report, dst)
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

// fileCategories are the categories an Entry of the pagemap file shows.
const fileCategories = PagePresent | PageSwapped | PageFile | PageSoftDirty | PageGuard

// categories returns e's PAGE_IS_* categories, those the file shows.
func (e Entry) categories() PageCategory {
	var c PageCategory
	if e.Present() {
		c |= PagePresent
	}
	if e.Swapped() {
		c |= PageSwapped
	}
	if e.File() {
		c |= PageFile
	}
	if e.SoftDirty() {
		c |= PageSoftDirty
	}
	if e.Guard() {
		c |= PageGuard
	}
	return c
}

// scanFile is Scan by the pagemap file, for kernels without
// PAGEMAP_SCAN, with the kernel's matching rules
// (pagemap_scan_is_interesting_page in fs/proc/task_mmu.c).
func (p *Pagemap) scanFile(start, end uintptr, opts *ScanOptions, report PageCategory, dst []Range) (int, uintptr, error) {
	if opts.Report == 0 && report == allCategories {
		report = fileCategories
	}
	if (opts.Require|opts.Exclude|opts.AnyOf|report)&^fileCategories != 0 {
		return 0, start, fmt.Errorf("pagemap %d scan: %w", p.pid, feature.PagemapScan.Unsupported(
			fmt.Errorf("categories %s need PAGEMAP_SCAN", (opts.Require|opts.Exclude|opts.AnyOf|report)&^fileCategories)))
	}
	mask, inverted := opts.Require|opts.Exclude, opts.Exclude
	if p.fileBuf == nil {
		p.fileBuf = make([]Entry, 512)
	}
	ps := uintptr(pagesize)
	if r := (end - start) % ps; r != 0 {
		end += ps - r // the kernel rounds end up to a page too
	}
	n, pages := 0, 0
	for addr := start; addr < end; {
		chunk := p.fileBuf[:min(uintptr(len(p.fileBuf)), (end-addr)/ps)]
		got, err := p.Read(addr, chunk)
		if err != nil {
			return n, addr, err
		}
		if got == 0 {
			return n, end, nil // the end of the address space
		}
		for _, e := range chunk[:got] {
			c := e.categories() ^ inverted
			if c&mask == mask && (opts.AnyOf == 0 || c&opts.AnyOf != 0) {
				c = (c ^ inverted) & report
				switch {
				case n > 0 && dst[n-1].End == addr && dst[n-1].Categories == c:
					dst[n-1].End += ps
				case n == len(dst):
					return n, addr, nil
				default:
					dst[n] = Range{Start: addr, End: addr + ps, Categories: c}
					n++
				}
				pages++
				if opts.MaxPages > 0 && pages == opts.MaxPages {
					return n, addr + ps, nil
				}
			}
			addr += ps
		}
	}
	return n, end, nil
}
