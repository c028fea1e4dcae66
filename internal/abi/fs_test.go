package abi_test

import (
	"testing"
	"unsafe"

	"github.com/lxgo/lx/internal/abi"
)

func TestPmScanArgLayout(t *testing.T) {
	var a abi.PmScanArg
	var r abi.PageRegion
	const up = "include/uapi/linux/fs.h, Linux 6.7"
	checkLayouts(t,
		layout{Header: "linux/fs.h", C: "struct pm_scan_arg", Size: unsafe.Sizeof(a),
			Upstream: up, PinnedSize: 96, Fields: []field{
				{C: "size", Offset: unsafe.Offsetof(a.Size), Pinned: 0},
				{C: "flags", Offset: unsafe.Offsetof(a.Flags), Pinned: 8},
				{C: "start", Offset: unsafe.Offsetof(a.Start), Pinned: 16},
				{C: "end", Offset: unsafe.Offsetof(a.End), Pinned: 24},
				{C: "walk_end", Offset: unsafe.Offsetof(a.WalkEnd), Pinned: 32},
				{C: "vec", Offset: unsafe.Offsetof(a.Vec), Pinned: 40},
				{C: "vec_len", Offset: unsafe.Offsetof(a.VecLen), Pinned: 48},
				{C: "max_pages", Offset: unsafe.Offsetof(a.MaxPages), Pinned: 56},
				{C: "category_inverted", Offset: unsafe.Offsetof(a.CategoryInverted), Pinned: 64},
				{C: "category_mask", Offset: unsafe.Offsetof(a.CategoryMask), Pinned: 72},
				{C: "category_anyof_mask", Offset: unsafe.Offsetof(a.CategoryAnyofMask), Pinned: 80},
				{C: "return_mask", Offset: unsafe.Offsetof(a.ReturnMask), Pinned: 88},
			}},
		layout{Header: "linux/fs.h", C: "struct page_region", Size: unsafe.Sizeof(r),
			Upstream: up, PinnedSize: 24, Fields: []field{
				{C: "start", Offset: unsafe.Offsetof(r.Start), Pinned: 0},
				{C: "end", Offset: unsafe.Offsetof(r.End), Pinned: 8},
				{C: "categories", Offset: unsafe.Offsetof(r.Categories), Pinned: 16},
			}},
	)
}
