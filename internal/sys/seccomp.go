package sys

import (
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/lxgo/lx/internal/abi"
)

// seccomp(2).

// ProbeSeccompNotifSizes returns the sizes of the seccomp user-notification
// structs, seccomp(SECCOMP_GET_NOTIF_SIZES) (Linux 5.0). It installs no
// filter.
func ProbeSeccompNotifSizes() (abi.SeccompNotifSizes, error) {
	sizes := new(abi.SeccompNotifSizes)
	_, err := Syscall6("seccomp", unix.SYS_SECCOMP, unix.SECCOMP_GET_NOTIF_SIZES, 0, uintptr(unsafe.Pointer(sizes)), 0, 0, 0)
	return *sizes, err
}

// SockFilter is struct sock_filter of include/uapi/linux/filter.h, one
// classic BPF instruction, as x/sys defines it.
type SockFilter = unix.SockFilter
