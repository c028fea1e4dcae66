package abi_test

import (
	"testing"
	"unsafe"

	"github.com/lxgo/lx/internal/abi"
)

func TestLandlockLayout(t *testing.T) {
	var p abi.LandlockPathBeneathAttr
	checkLayouts(t, layout{Header: "linux/landlock.h", C: "struct landlock_path_beneath_attr", Size: unsafe.Sizeof(p), Fields: []field{
		{C: "allowed_access", Offset: unsafe.Offsetof(p.AllowedAccess)},
		{C: "parent_fd", Offset: unsafe.Offsetof(p.ParentFD)},
	}})
	// The installed 6.1 header has only handled_access_fs and no net
	// rules.
	var r abi.LandlockRulesetAttr
	var n abi.LandlockNetPortAttr
	checkLayouts(t,
		layout{C: "struct landlock_ruleset_attr", Size: unsafe.Sizeof(r), Upstream: "include/uapi/linux/landlock.h, Linux 6.12", PinnedSize: 24, Fields: []field{
			{C: "handled_access_fs", Offset: unsafe.Offsetof(r.HandledAccessFS), Pinned: 0},
			{C: "handled_access_net", Offset: unsafe.Offsetof(r.HandledAccessNet), Pinned: 8},
			{C: "scoped", Offset: unsafe.Offsetof(r.Scoped), Pinned: 16},
		}},
		layout{C: "struct landlock_net_port_attr", Size: unsafe.Sizeof(n), Upstream: "include/uapi/linux/landlock.h, Linux 6.7", PinnedSize: 16, Fields: []field{
			{C: "allowed_access", Offset: unsafe.Offsetof(n.AllowedAccess), Pinned: 0},
			{C: "port", Offset: unsafe.Offsetof(n.Port), Pinned: 8},
		}},
	)
}
