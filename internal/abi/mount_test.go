package abi_test

import (
	"testing"
	"unsafe"

	"github.com/lxgo/lx/internal/abi"
)

// statmount(2) and listmount(2) are newer than the installed 6.1 headers:
// the layouts are pinned to include/uapi/linux/mount.h as published in
// Linux 6.8.
func TestMountLayout(t *testing.T) {
	const up = "include/uapi/linux/mount.h, Linux 6.8"
	var r abi.MntIDReq
	var s abi.Statmount
	checkLayouts(t,
		layout{Header: "linux/mount.h", C: "struct mnt_id_req", Size: unsafe.Sizeof(r),
			// PinnedSize is MNT_ID_REQ_SIZE_VER0.
			Upstream: up, PinnedSize: 24, Fields: []field{
				{C: "size", Offset: unsafe.Offsetof(r.Size), Pinned: 0},
				{C: "spare", Offset: unsafe.Offsetof(r.Spare), Pinned: 4},
				{C: "mnt_id", Offset: unsafe.Offsetof(r.MntID), Pinned: 8},
				{C: "param", Offset: unsafe.Offsetof(r.Param), Pinned: 16},
			}},
		layout{Header: "linux/mount.h", C: "struct statmount", Size: unsafe.Sizeof(s),
			Upstream: up, PinnedSize: 512, Fields: []field{
				{C: "size", Offset: unsafe.Offsetof(s.Size), Pinned: 0},
				{C: "__spare1", Offset: unsafe.Offsetof(s.Spare1), Pinned: 4},
				{C: "mask", Offset: unsafe.Offsetof(s.Mask), Pinned: 8},
				{C: "sb_dev_major", Offset: unsafe.Offsetof(s.SBDevMajor), Pinned: 16},
				{C: "sb_dev_minor", Offset: unsafe.Offsetof(s.SBDevMinor), Pinned: 20},
				{C: "sb_magic", Offset: unsafe.Offsetof(s.SBMagic), Pinned: 24},
				{C: "sb_flags", Offset: unsafe.Offsetof(s.SBFlags), Pinned: 32},
				{C: "fs_type", Offset: unsafe.Offsetof(s.FSType), Pinned: 36},
				{C: "mnt_id", Offset: unsafe.Offsetof(s.MntID), Pinned: 40},
				{C: "mnt_parent_id", Offset: unsafe.Offsetof(s.MntParentID), Pinned: 48},
				{C: "mnt_id_old", Offset: unsafe.Offsetof(s.MntIDOld), Pinned: 56},
				{C: "mnt_parent_id_old", Offset: unsafe.Offsetof(s.MntParentIDOld), Pinned: 60},
				{C: "mnt_attr", Offset: unsafe.Offsetof(s.MntAttr), Pinned: 64},
				{C: "mnt_propagation", Offset: unsafe.Offsetof(s.MntPropagation), Pinned: 72},
				{C: "mnt_peer_group", Offset: unsafe.Offsetof(s.MntPeerGroup), Pinned: 80},
				{C: "mnt_master", Offset: unsafe.Offsetof(s.MntMaster), Pinned: 88},
				{C: "propagate_from", Offset: unsafe.Offsetof(s.PropagateFrom), Pinned: 96},
				{C: "mnt_root", Offset: unsafe.Offsetof(s.MntRoot), Pinned: 104},
				{C: "mnt_point", Offset: unsafe.Offsetof(s.MntPoint), Pinned: 108},
				{C: "__spare2", Offset: unsafe.Offsetof(s.Spare2), Pinned: 112},
			}},
	)
}
