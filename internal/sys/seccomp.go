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

// The flags of SeccompSetModeFilter, SECCOMP_FILTER_FLAG_*.
const (
	SECCOMP_FILTER_FLAG_TSYNC      = unix.SECCOMP_FILTER_FLAG_TSYNC      // Linux 3.17
	SECCOMP_FILTER_FLAG_LOG        = unix.SECCOMP_FILTER_FLAG_LOG        // Linux 4.14
	SECCOMP_FILTER_FLAG_SPEC_ALLOW = unix.SECCOMP_FILTER_FLAG_SPEC_ALLOW // Linux 4.17
)

// SeccompSetModeFilter installs prog as a seccomp filter on the calling
// thread, seccomp(SECCOMP_SET_MODE_FILTER, flags, &fprog) (Linux 3.17;
// prctl(PR_SET_SECCOMP) since 3.5). The caller needs no_new_privs or
// CAP_SYS_ADMIN. With SECCOMP_FILTER_FLAG_TSYNC the kernel installs it on
// every thread of the process, or on none and returns the id of a thread
// that cannot take it (tid > 0, err nil).
func SeccompSetModeFilter(prog []SockFilter, flags uint) (tid int, err error) {
	if len(prog) == 0 || len(prog) > 0xffff {
		return 0, wrap("seccomp SECCOMP_SET_MODE_FILTER", unix.EINVAL)
	}
	fprog := &unix.SockFprog{Len: uint16(len(prog)), Filter: &prog[0]}
	r, err := Syscall6("seccomp SECCOMP_SET_MODE_FILTER", unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, uintptr(flags), uintptr(unsafe.Pointer(fprog)), 0, 0, 0)
	return int(r), err
}

// SeccompActionAvail asks whether the kernel knows the filter return
// action (a SECCOMP_RET_ value without data), seccomp(
// SECCOMP_GET_ACTION_AVAIL) (Linux 4.14): nil if it does, EOPNOTSUPP if
// not; a kernel without the operation says EINVAL.
func SeccompActionAvail(action uint32) error {
	a := new(uint32)
	*a = action
	_, err := Syscall6("seccomp SECCOMP_GET_ACTION_AVAIL", unix.SYS_SECCOMP, unix.SECCOMP_GET_ACTION_AVAIL, 0, uintptr(unsafe.Pointer(a)), 0, 0, 0)
	return err
}
