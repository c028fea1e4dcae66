package abi_test

import (
	"testing"
	"unsafe"

	"github.com/lxgo/lx/internal/abi"
)

func TestCapabilityLayout(t *testing.T) {
	const h = "linux/capability.h"
	var v2 abi.VfsCapData
	var v3 abi.VfsNsCapData
	checkLayouts(t,
		layout{Header: h, C: "struct vfs_cap_data", Size: unsafe.Sizeof(v2), Fields: []field{
			{C: "magic_etc", Offset: unsafe.Offsetof(v2.MagicEtc)},
			{C: "data[0].permitted", Offset: unsafe.Offsetof(v2.Data) + unsafe.Offsetof(v2.Data[0].Permitted)},
			{C: "data[0].inheritable", Offset: unsafe.Offsetof(v2.Data) + unsafe.Offsetof(v2.Data[0].Inheritable)},
			{C: "data[1].permitted", Offset: unsafe.Offsetof(v2.Data) + unsafe.Sizeof(v2.Data[0])},
		}},
		layout{Header: h, C: "struct vfs_ns_cap_data", Size: unsafe.Sizeof(v3), Fields: []field{
			{C: "magic_etc", Offset: unsafe.Offsetof(v3.MagicEtc)},
			{C: "data", Offset: unsafe.Offsetof(v3.Data)},
			{C: "rootid", Offset: unsafe.Offsetof(v3.Rootid)},
		}},
	)
	if unsafe.Sizeof(v2) != abi.XATTR_CAPS_SZ_2 || unsafe.Sizeof(v3) != abi.XATTR_CAPS_SZ_3 {
		t.Errorf("sizes %d, %d; XATTR_CAPS_SZ_2 %d, _3 %d", unsafe.Sizeof(v2), unsafe.Sizeof(v3), abi.XATTR_CAPS_SZ_2, abi.XATTR_CAPS_SZ_3)
	}
	checkConstants(t,
		constant{Header: h, C: "VFS_CAP_REVISION_MASK", Go: abi.VFS_CAP_REVISION_MASK},
		constant{Header: h, C: "VFS_CAP_FLAGS_EFFECTIVE", Go: abi.VFS_CAP_FLAGS_EFFECTIVE},
		constant{Header: h, C: "VFS_CAP_REVISION_1", Go: abi.VFS_CAP_REVISION_1},
		constant{Header: h, C: "VFS_CAP_REVISION_2", Go: abi.VFS_CAP_REVISION_2},
		constant{Header: h, C: "VFS_CAP_REVISION_3", Go: abi.VFS_CAP_REVISION_3},
		constant{Header: h, C: "XATTR_CAPS_SZ_1", Go: abi.XATTR_CAPS_SZ_1},
		constant{Header: h, C: "XATTR_CAPS_SZ_2", Go: abi.XATTR_CAPS_SZ_2},
		constant{Header: h, C: "XATTR_CAPS_SZ_3", Go: abi.XATTR_CAPS_SZ_3},
	)
	const s = "linux/securebits.h"
	checkConstants(t,
		constant{Header: s, C: "SECBIT_NOROOT", Go: abi.SECBIT_NOROOT},
		constant{Header: s, C: "SECBIT_NOROOT_LOCKED", Go: abi.SECBIT_NOROOT_LOCKED},
		constant{Header: s, C: "SECBIT_NO_SETUID_FIXUP", Go: abi.SECBIT_NO_SETUID_FIXUP},
		constant{Header: s, C: "SECBIT_NO_SETUID_FIXUP_LOCKED", Go: abi.SECBIT_NO_SETUID_FIXUP_LOCKED},
		constant{Header: s, C: "SECBIT_KEEP_CAPS", Go: abi.SECBIT_KEEP_CAPS},
		constant{Header: s, C: "SECBIT_KEEP_CAPS_LOCKED", Go: abi.SECBIT_KEEP_CAPS_LOCKED},
		constant{Header: s, C: "SECBIT_NO_CAP_AMBIENT_RAISE", Go: abi.SECBIT_NO_CAP_AMBIENT_RAISE},
		constant{Header: s, C: "SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED", Go: abi.SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED},
	)
}
