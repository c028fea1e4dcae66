package abi_test

import (
	"testing"
	"unsafe"

	"github.com/lxgo/lx/internal/abi"
)

// struct mnt_ns_info is newer than the installed 6.1 headers: the layout
// is pinned to include/uapi/linux/nsfs.h as published in Linux 6.12.
func TestNsfsLayout(t *testing.T) {
	var i abi.MntNsInfo
	checkLayouts(t, layout{Header: "linux/nsfs.h", C: "struct mnt_ns_info", Size: unsafe.Sizeof(i),
		// PinnedSize is MNT_NS_INFO_SIZE_VER0.
		Upstream: "include/uapi/linux/nsfs.h, Linux 6.12", PinnedSize: 16, Fields: []field{
			{C: "size", Offset: unsafe.Offsetof(i.Size), Pinned: 0},
			{C: "nr_mounts", Offset: unsafe.Offsetof(i.NrMounts), Pinned: 4},
			{C: "mnt_ns_id", Offset: unsafe.Offsetof(i.MntNsID), Pinned: 8},
		}})
	// NSIO is in the installed headers.
	checkConstants(t, constant{Header: "linux/nsfs.h", C: "NSIO", Go: abi.NSIO})
}
