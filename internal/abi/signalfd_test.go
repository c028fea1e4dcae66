package abi_test

import (
	"testing"
	"unsafe"

	"github.com/lxgo/lx/internal/abi"
)

func TestSignalfdSiginfoLayout(t *testing.T) {
	var s abi.SignalfdSiginfo
	for _, c := range []struct {
		name      string
		off, want uintptr
	}{
		{"ssi_signo", unsafe.Offsetof(s.Signo), abi.SsiSigno},
		{"ssi_errno", unsafe.Offsetof(s.Errno), abi.SsiErrno},
		{"ssi_code", unsafe.Offsetof(s.Code), abi.SsiCode},
		{"ssi_pid", unsafe.Offsetof(s.Pid), abi.SsiPid},
		{"ssi_uid", unsafe.Offsetof(s.Uid), abi.SsiUid},
		{"ssi_fd", unsafe.Offsetof(s.Fd), abi.SsiFd},
		{"ssi_tid", unsafe.Offsetof(s.Tid), abi.SsiTid},
		{"ssi_band", unsafe.Offsetof(s.Band), abi.SsiBand},
		{"ssi_overrun", unsafe.Offsetof(s.Overrun), abi.SsiOverrun},
		{"ssi_trapno", unsafe.Offsetof(s.Trapno), abi.SsiTrapno},
		{"ssi_status", unsafe.Offsetof(s.Status), abi.SsiStatus},
		{"ssi_int", unsafe.Offsetof(s.Int), abi.SsiInt},
		{"ssi_ptr", unsafe.Offsetof(s.Ptr), abi.SsiPtr},
		{"ssi_utime", unsafe.Offsetof(s.Utime), abi.SsiUtime},
		{"ssi_stime", unsafe.Offsetof(s.Stime), abi.SsiStime},
		{"ssi_addr", unsafe.Offsetof(s.Addr), abi.SsiAddr},
		{"ssi_addr_lsb", unsafe.Offsetof(s.AddrLsb), abi.SsiAddrLsb},
		{"ssi_syscall", unsafe.Offsetof(s.Syscall), abi.SsiSyscall},
		{"ssi_call_addr", unsafe.Offsetof(s.CallAddr), abi.SsiCallAddr},
		{"ssi_arch", unsafe.Offsetof(s.Arch), abi.SsiArch},
	} {
		if c.off != c.want {
			t.Errorf("%s: Go offset %d, constant %d", c.name, c.off, c.want)
		}
	}
	if unsafe.Sizeof(s) != abi.SignalfdSiginfoSize {
		t.Errorf("size %d, constant %d", unsafe.Sizeof(s), abi.SignalfdSiginfoSize)
	}
	checkLayouts(t, layout{Header: "linux/signalfd.h", C: "struct signalfd_siginfo", Size: unsafe.Sizeof(s), Fields: []field{
		{C: "ssi_signo", Offset: unsafe.Offsetof(s.Signo)},
		{C: "ssi_errno", Offset: unsafe.Offsetof(s.Errno)},
		{C: "ssi_code", Offset: unsafe.Offsetof(s.Code)},
		{C: "ssi_pid", Offset: unsafe.Offsetof(s.Pid)},
		{C: "ssi_uid", Offset: unsafe.Offsetof(s.Uid)},
		{C: "ssi_fd", Offset: unsafe.Offsetof(s.Fd)},
		{C: "ssi_tid", Offset: unsafe.Offsetof(s.Tid)},
		{C: "ssi_band", Offset: unsafe.Offsetof(s.Band)},
		{C: "ssi_overrun", Offset: unsafe.Offsetof(s.Overrun)},
		{C: "ssi_trapno", Offset: unsafe.Offsetof(s.Trapno)},
		{C: "ssi_status", Offset: unsafe.Offsetof(s.Status)},
		{C: "ssi_int", Offset: unsafe.Offsetof(s.Int)},
		{C: "ssi_ptr", Offset: unsafe.Offsetof(s.Ptr)},
		{C: "ssi_utime", Offset: unsafe.Offsetof(s.Utime)},
		{C: "ssi_stime", Offset: unsafe.Offsetof(s.Stime)},
		{C: "ssi_addr", Offset: unsafe.Offsetof(s.Addr)},
		{C: "ssi_addr_lsb", Offset: unsafe.Offsetof(s.AddrLsb)},
		{C: "ssi_syscall", Offset: unsafe.Offsetof(s.Syscall)},
		{C: "ssi_call_addr", Offset: unsafe.Offsetof(s.CallAddr)},
		{C: "ssi_arch", Offset: unsafe.Offsetof(s.Arch)},
	}})
}
