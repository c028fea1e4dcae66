package abi_test

import (
	"testing"
	"unsafe"

	"github.com/lxgo/lx/internal/abi"
)

// struct pidfd_info is newer than the installed 6.1 headers (whose
// linux/pidfd.h has only PIDFD_NONBLOCK): the layout is pinned to
// include/uapi/linux/pidfd.h as published in Linux 7.1
// (PIDFD_INFO_SIZE_VER3).
func TestPidfdInfoLayout(t *testing.T) {
	const up = "include/uapi/linux/pidfd.h, Linux 7.1"
	var s abi.PidfdInfo
	checkLayouts(t, layout{Header: "linux/pidfd.h", C: "struct pidfd_info", Size: unsafe.Sizeof(s),
		Upstream: up, PinnedSize: abi.PIDFD_INFO_SIZE_VER3, Fields: []field{
			{C: "mask", Offset: unsafe.Offsetof(s.Mask), Pinned: 0},
			{C: "cgroupid", Offset: unsafe.Offsetof(s.CgroupID), Pinned: 8},
			{C: "pid", Offset: unsafe.Offsetof(s.Pid), Pinned: 16},
			{C: "tgid", Offset: unsafe.Offsetof(s.Tgid), Pinned: 20},
			{C: "ppid", Offset: unsafe.Offsetof(s.Ppid), Pinned: 24},
			{C: "ruid", Offset: unsafe.Offsetof(s.Ruid), Pinned: 28},
			{C: "rgid", Offset: unsafe.Offsetof(s.Rgid), Pinned: 32},
			{C: "euid", Offset: unsafe.Offsetof(s.Euid), Pinned: 36},
			{C: "egid", Offset: unsafe.Offsetof(s.Egid), Pinned: 40},
			{C: "suid", Offset: unsafe.Offsetof(s.Suid), Pinned: 44},
			{C: "sgid", Offset: unsafe.Offsetof(s.Sgid), Pinned: 48},
			{C: "fsuid", Offset: unsafe.Offsetof(s.Fsuid), Pinned: 52},
			{C: "fsgid", Offset: unsafe.Offsetof(s.Fsgid), Pinned: 56},
			{C: "exit_code", Offset: unsafe.Offsetof(s.ExitCode), Pinned: 60},
			{C: "coredump_mask", Offset: unsafe.Offsetof(s.CoredumpMask), Pinned: 64},
			{C: "coredump_signal", Offset: unsafe.Offsetof(s.CoredumpSignal), Pinned: 68},
			{C: "coredump_code", Offset: unsafe.Offsetof(s.CoredumpCode), Pinned: 72},
			{C: "coredump_pad", Offset: unsafe.Offsetof(s.CoredumpPad), Pinned: 76},
			{C: "supported_mask", Offset: unsafe.Offsetof(s.SupportedMask), Pinned: 80},
		}})
	// The fields of the earlier published sizes end where those sizes say.
	if end := unsafe.Offsetof(s.ExitCode) + unsafe.Sizeof(s.ExitCode); end != abi.PIDFD_INFO_SIZE_VER0 {
		t.Errorf("VER0 fields end at %d, want %d", end, abi.PIDFD_INFO_SIZE_VER0)
	}
	if end := unsafe.Offsetof(s.CoredumpSignal) + unsafe.Sizeof(s.CoredumpSignal); end != abi.PIDFD_INFO_SIZE_VER1 {
		t.Errorf("VER1 fields end at %d, want %d", end, abi.PIDFD_INFO_SIZE_VER1)
	}
}
