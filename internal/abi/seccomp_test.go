package abi_test

import (
	"testing"
	"unsafe"

	"github.com/lxgo/lx/internal/abi"
)

func TestSeccompLayout(t *testing.T) {
	var s abi.SeccompNotifSizes
	checkLayouts(t, layout{Header: "linux/seccomp.h", C: "struct seccomp_notif_sizes", Size: unsafe.Sizeof(s), Fields: []field{
		{C: "seccomp_notif", Offset: unsafe.Offsetof(s.Notif)},
		{C: "seccomp_notif_resp", Offset: unsafe.Offsetof(s.NotifResp)},
		{C: "seccomp_data", Offset: unsafe.Offsetof(s.Data)},
	}})
	var d abi.SeccompData
	checkLayouts(t, layout{Header: "linux/seccomp.h", C: "struct seccomp_data", Size: unsafe.Sizeof(d), Fields: []field{
		{C: "nr", Offset: unsafe.Offsetof(d.Nr)},
		{C: "arch", Offset: unsafe.Offsetof(d.Arch)},
		{C: "instruction_pointer", Offset: unsafe.Offsetof(d.InstructionPointer)},
		{C: "args", Offset: unsafe.Offsetof(d.Args)},
	}})
}
