package abi_test

import (
	"testing"
	"unsafe"

	"github.com/lxgo/lx/internal/abi"
)

func TestCloneArgsLayout(t *testing.T) {
	var a abi.CloneArgs
	const h = "linux/sched.h"
	checkLayouts(t, layout{Header: h, C: "struct clone_args", Size: unsafe.Sizeof(a), Fields: []field{
		{C: "flags", Offset: unsafe.Offsetof(a.Flags)},
		{C: "pidfd", Offset: unsafe.Offsetof(a.Pidfd)},
		{C: "child_tid", Offset: unsafe.Offsetof(a.ChildTID)},
		{C: "parent_tid", Offset: unsafe.Offsetof(a.ParentTID)},
		{C: "exit_signal", Offset: unsafe.Offsetof(a.ExitSignal)},
		{C: "stack", Offset: unsafe.Offsetof(a.Stack)},
		{C: "stack_size", Offset: unsafe.Offsetof(a.StackSize)},
		{C: "tls", Offset: unsafe.Offsetof(a.TLS)},
		{C: "set_tid", Offset: unsafe.Offsetof(a.SetTID)},
		{C: "set_tid_size", Offset: unsafe.Offsetof(a.SetTIDSize)},
		{C: "cgroup", Offset: unsafe.Offsetof(a.Cgroup)},
	}})
}
