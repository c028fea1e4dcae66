package abi_test

import (
	"testing"
	"unsafe"

	"github.com/lxgo/lx/internal/abi"
)

func TestSeccompNotifyLayout(t *testing.T) {
	var n abi.SeccompNotif
	if unsafe.Sizeof(n) != abi.SizeofSeccompNotif {
		t.Errorf("SeccompNotif is %d bytes, want %d", unsafe.Sizeof(n), abi.SizeofSeccompNotif)
	}
	checkLayouts(t, layout{Header: "linux/seccomp.h", C: "struct seccomp_notif", Size: unsafe.Sizeof(n), Fields: []field{
		{C: "id", Offset: unsafe.Offsetof(n.ID)},
		{C: "pid", Offset: unsafe.Offsetof(n.PID)},
		{C: "flags", Offset: unsafe.Offsetof(n.Flags)},
		{C: "data", Offset: unsafe.Offsetof(n.Data)},
	}})
	var r abi.SeccompNotifResp
	if unsafe.Sizeof(r) != abi.SizeofSeccompNotifResp {
		t.Errorf("SeccompNotifResp is %d bytes, want %d", unsafe.Sizeof(r), abi.SizeofSeccompNotifResp)
	}
	checkLayouts(t, layout{Header: "linux/seccomp.h", C: "struct seccomp_notif_resp", Size: unsafe.Sizeof(r), Fields: []field{
		{C: "id", Offset: unsafe.Offsetof(r.ID)},
		{C: "val", Offset: unsafe.Offsetof(r.Val)},
		{C: "error", Offset: unsafe.Offsetof(r.Error)},
		{C: "flags", Offset: unsafe.Offsetof(r.Flags)},
	}})
	var a abi.SeccompNotifAddfd
	if unsafe.Sizeof(a) != abi.SizeofSeccompNotifAddfd {
		t.Errorf("SeccompNotifAddfd is %d bytes, want %d", unsafe.Sizeof(a), abi.SizeofSeccompNotifAddfd)
	}
	checkLayouts(t, layout{Header: "linux/seccomp.h", C: "struct seccomp_notif_addfd", Size: unsafe.Sizeof(a), Fields: []field{
		{C: "id", Offset: unsafe.Offsetof(a.ID)},
		{C: "flags", Offset: unsafe.Offsetof(a.Flags)},
		{C: "srcfd", Offset: unsafe.Offsetof(a.Srcfd)},
		{C: "newfd", Offset: unsafe.Offsetof(a.Newfd)},
		{C: "newfd_flags", Offset: unsafe.Offsetof(a.NewfdFlags)},
	}})
}
