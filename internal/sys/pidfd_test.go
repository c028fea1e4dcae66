package sys

import (
	"errors"
	"os"
	"strconv"
	"syscall"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/lxgo/lx/internal/abi"
)

func selfPidfd(t *testing.T) *FD {
	t.Helper()
	fd, err := PidfdOpen(os.Getpid(), 0)
	if errors.Is(err, unix.ENOSYS) {
		t.Skip("no pidfd_open")
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fd.Close() })
	return fd
}

// struct pidfd_info comes from x/sys (unix.PidfdInfo). The 6.1 headers
// installed on the build machines predate PIDFD_GET_INFO, so its layout is
// pinned to include/uapi/linux/pidfd.h as published in Linux 7.1
// (PIDFD_INFO_SIZE_VER3), and the mask bits lx adds in internal/abi must
// continue x/sys's sequence.
func TestPidfdInfoLayout(t *testing.T) {
	var s unix.PidfdInfo
	for _, f := range []struct {
		c       string
		off, at uintptr
	}{
		{"mask", unsafe.Offsetof(s.Mask), 0},
		{"cgroupid", unsafe.Offsetof(s.Cgroupid), 8},
		{"pid", unsafe.Offsetof(s.Pid), 16},
		{"tgid", unsafe.Offsetof(s.Tgid), 20},
		{"ppid", unsafe.Offsetof(s.Ppid), 24},
		{"ruid", unsafe.Offsetof(s.Ruid), 28},
		{"rgid", unsafe.Offsetof(s.Rgid), 32},
		{"euid", unsafe.Offsetof(s.Euid), 36},
		{"egid", unsafe.Offsetof(s.Egid), 40},
		{"suid", unsafe.Offsetof(s.Suid), 44},
		{"sgid", unsafe.Offsetof(s.Sgid), 48},
		{"fsuid", unsafe.Offsetof(s.Fsuid), 52},
		{"fsgid", unsafe.Offsetof(s.Fsgid), 56},
		{"exit_code", unsafe.Offsetof(s.Exit_code), 60},
		{"coredump_mask", unsafe.Offsetof(s.Coredump_mask), 64},
		{"coredump_signal", unsafe.Offsetof(s.Coredump_signal), 68},
		{"coredump_code", unsafe.Offsetof(s.Coredump_code), 72},
		{"coredump_pad", unsafe.Offsetof(s.Coredump_pad), 76},
		{"supported_mask", unsafe.Offsetof(s.Supported_mask), 80},
	} {
		if f.off != f.at {
			t.Errorf("offsetof(struct pidfd_info, %s): x/sys %d, Linux 7.1 %d", f.c, f.off, f.at)
		}
	}
	if unsafe.Sizeof(s) != 88 || unix.SizeofPidfdInfo != 88 {
		t.Errorf("sizeof(struct pidfd_info): x/sys %d, Linux 7.1 88 (PIDFD_INFO_SIZE_VER3)", unsafe.Sizeof(s))
	}
	if end := unsafe.Offsetof(s.Exit_code) + unsafe.Sizeof(s.Exit_code); end != unix.PIDFD_INFO_SIZE_VER0 {
		t.Errorf("VER0 fields end at %d, want %d", end, unix.PIDFD_INFO_SIZE_VER0)
	}
	// PIDFD_INFO_SUPPORTED_MASK (1<<5, which lx does not use) sits between
	// x/sys's last bit and lx's first.
	if unix.PIDFD_INFO_COREDUMP<<2 != abi.PIDFD_INFO_COREDUMP_SIGNAL || abi.PIDFD_INFO_COREDUMP_SIGNAL<<1 != abi.PIDFD_INFO_COREDUMP_CODE {
		t.Errorf("mask bits: x/sys ends at %#x, abi has %#x and %#x", unix.PIDFD_INFO_COREDUMP, abi.PIDFD_INFO_COREDUMP_SIGNAL, abi.PIDFD_INFO_COREDUMP_CODE)
	}
	if IOWR(0xff, 11, uint32(unsafe.Sizeof(s))) != unix.PIDFD_GET_INFO {
		t.Errorf("PIDFD_GET_INFO = %#x, want _IOWR(0xff, 11, %d)", uint32(unix.PIDFD_GET_INFO), unsafe.Sizeof(s))
	}
}

func TestPidfdGetInfo(t *testing.T) {
	fd := selfPidfd(t)
	info, err := PidfdGetInfo(fd.Int(), PIDFD_INFO_PID)
	if err != nil {
		if IsNotSupported(err) {
			t.Skipf("no PIDFD_GET_INFO: %v", err)
		}
		t.Fatal(err)
	}
	if info.Mask&PIDFD_INFO_PID == 0 || int(info.Pid) != os.Getpid() || int(info.Tgid) != os.Getpid() {
		t.Errorf("info = %+v, want pid %d", info, os.Getpid())
	}
	if info.Mask&PIDFD_INFO_CREDS != 0 && (int(info.Ruid) != os.Getuid() || int(info.Egid) != os.Getegid()) {
		t.Errorf("creds = %+v, want uid %d gid %d", info, os.Getuid(), os.Getegid())
	}
}

func TestPidfdGetNamespace(t *testing.T) {
	fd := selfPidfd(t)
	ns, err := PidfdGetNamespace(fd.Int(), PIDFD_GET_NET_NAMESPACE)
	if err != nil {
		if IsNotSupported(err) {
			t.Skipf("no PIDFD_GET_NET_NAMESPACE: %v", err)
		}
		t.Fatal(err)
	}
	defer ns.Close()
	got, err := os.Readlink("/proc/self/fd/" + strconv.Itoa(ns.Int()))
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.Readlink("/proc/self/ns/net")
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("namespace fd -> %q, want %q", got, want)
	}
}

func TestPidfdSendSignalZero(t *testing.T) {
	fd := selfPidfd(t)
	if err := PidfdSendSignal(fd.Int(), 0, nil, 0); err != nil {
		t.Fatal(err)
	}
	// A siginfo to oneself may carry any code.
	info := &Siginfo{Signo: 0, Code: -1, Pid: int32(os.Getpid()), Uid: uint32(os.Getuid())}
	if err := PidfdSendSignal(fd.Int(), syscall.Signal(0), info, 0); err != nil {
		t.Fatal(err)
	}
}
