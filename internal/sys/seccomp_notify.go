package sys

import (
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/lxgo/lx/internal/abi"
)

// The seccomp user-notification listener, seccomp_unotify(2).

// The flags of SeccompNewListener that SeccompSetModeFilter lacks.
const (
	// SECCOMP_FILTER_FLAG_NEW_LISTENER makes seccomp(2) return a listener
	// fd (Linux 5.0).
	SECCOMP_FILTER_FLAG_NEW_LISTENER = unix.SECCOMP_FILTER_FLAG_NEW_LISTENER
	// SECCOMP_FILTER_FLAG_TSYNC_ESRCH makes a TSYNC failure ESRCH instead
	// of a thread id, which the listener fd would be confused with (Linux
	// 5.7); TSYNC with NEW_LISTENER needs it.
	SECCOMP_FILTER_FLAG_TSYNC_ESRCH = unix.SECCOMP_FILTER_FLAG_TSYNC_ESRCH
)

// The flags of SECCOMP_IOCTL_NOTIF_SEND and _ADDFD.
const (
	SECCOMP_USER_NOTIF_FLAG_CONTINUE = unix.SECCOMP_USER_NOTIF_FLAG_CONTINUE // Linux 5.5
	SECCOMP_ADDFD_FLAG_SETFD         = unix.SECCOMP_ADDFD_FLAG_SETFD         // Linux 5.9
	SECCOMP_ADDFD_FLAG_SEND          = unix.SECCOMP_ADDFD_FLAG_SEND          // Linux 5.14
)

// The listener's ioctls: type '!' (SECCOMP_IOC_MAGIC). ID_VALID was
// declared _IOR in the headers of Linux 5.0 to 5.7, although the kernel
// reads the id; 5.8 fixed the header to _IOW and keeps accepting the old
// number (SECCOMP_IOCTL_NOTIF_ID_VALID_WRONG_DIR). Kernels before 5.8
// know only the old one.
var (
	seccompIoctlNotifRecv       = IOWR('!', 0, abi.SizeofSeccompNotif)
	seccompIoctlNotifSend       = IOWR('!', 1, abi.SizeofSeccompNotifResp)
	seccompIoctlNotifIDValid    = IOW('!', 2, 8)
	seccompIoctlNotifIDValidOld = IOR('!', 2, 8)
	seccompIoctlNotifAddfd      = IOW('!', 3, abi.SizeofSeccompNotifAddfd)
)

// SeccompNewListener sets prog as a seccomp filter of the calling thread,
// as SeccompSetModeFilter does, with SECCOMP_FILTER_FLAG_NEW_LISTENER
// added to flags, and returns the listener fd (Linux 5.0), close-on-exec.
// With SECCOMP_FILTER_FLAG_TSYNC the flags must hold
// SECCOMP_FILTER_FLAG_TSYNC_ESRCH (Linux 5.7): a thread that cannot take
// the filter then fails the call with ESRCH.
func SeccompNewListener(prog []SockFilter, flags uint) (*FD, error) {
	if len(prog) == 0 || len(prog) > 0xffff {
		return nil, wrap("seccomp SECCOMP_SET_MODE_FILTER", unix.EINVAL)
	}
	fprog := &unix.SockFprog{Len: uint16(len(prog)), Filter: &prog[0]}
	r, err := Syscall6("seccomp SECCOMP_SET_MODE_FILTER", unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, uintptr(flags|SECCOMP_FILTER_FLAG_NEW_LISTENER), uintptr(unsafe.Pointer(fprog)), 0, 0, 0)
	if err != nil {
		return nil, err
	}
	return NewFD(int(r)), nil
}

// SeccompNotifPending polls the listener fd without waiting: pending
// when a notification waits to be received (POLLIN), unused when no task
// uses the filter any more (POLLHUP, Linux 5.8; no notification can come
// then).
func SeccompNotifPending(fd int) (pending, unused bool, err error) {
	fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	n, err := retry1(func() (int, error) { return unix.Poll(fds, 0) })
	if err != nil {
		return false, false, wrap("poll", err)
	}
	if n == 0 {
		return false, false, nil
	}
	if fds[0].Revents&unix.POLLNVAL != 0 {
		return false, false, wrap("poll", unix.EBADF)
	}
	return fds[0].Revents&unix.POLLIN != 0, fds[0].Revents&(unix.POLLHUP|unix.POLLERR) != 0, nil
}

// SeccompNotifRecv receives one notification, ioctl(2)
// SECCOMP_IOCTL_NOTIF_RECV (Linux 5.0). size is the kernel's size of
// struct seccomp_notif (SECCOMP_GET_NOTIF_SIZES): a larger kernel struct
// is received whole and its known prefix returned. The ioctl blocks the
// thread until a notification is pending, whatever O_NONBLOCK says: call
// it when SeccompNotifPending said so. ENOENT means the notification
// went away (its task was interrupted) between the poll and the call.
func SeccompNotifRecv(fd int, size int) (abi.SeccompNotif, error) {
	if size < abi.SizeofSeccompNotif {
		size = abi.SizeofSeccompNotif
	}
	// Zeroed (the kernel insists) and 8-byte aligned.
	buf := make([]uint64, (size+7)/8)
	_, err := Syscall6("ioctl SECCOMP_IOCTL_NOTIF_RECV", unix.SYS_IOCTL, uintptr(fd), uintptr(seccompIoctlNotifRecv), uintptr(unsafe.Pointer(&buf[0])), 0, 0, 0)
	if err != nil {
		return abi.SeccompNotif{}, err
	}
	return *(*abi.SeccompNotif)(unsafe.Pointer(&buf[0])), nil
}

// SeccompNotifSend answers a notification, ioctl(2)
// SECCOMP_IOCTL_NOTIF_SEND (Linux 5.0). ENOENT: the notification is no
// longer valid; EINPROGRESS: an ADDFD for it is in progress.
func SeccompNotifSend(fd int, resp abi.SeccompNotifResp) error {
	r := new(abi.SeccompNotifResp)
	*r = resp
	_, err := Syscall6("ioctl SECCOMP_IOCTL_NOTIF_SEND", unix.SYS_IOCTL, uintptr(fd), uintptr(seccompIoctlNotifSend), uintptr(unsafe.Pointer(r)), 0, 0, 0)
	return err
}

// SeccompNotifIDValid asks whether notification id is still valid,
// ioctl(2) SECCOMP_IOCTL_NOTIF_ID_VALID (Linux 5.0): nil if it is, ENOENT
// if its task died or its system call was interrupted. The corrected
// request number is tried first, then the old one (see above), which the
// kernel answers EINVAL when it does not know a request.
func SeccompNotifIDValid(fd int, id uint64) error {
	p := new(uint64)
	*p = id
	_, err := Syscall6("ioctl SECCOMP_IOCTL_NOTIF_ID_VALID", unix.SYS_IOCTL, uintptr(fd), uintptr(seccompIoctlNotifIDValid), uintptr(unsafe.Pointer(p)), 0, 0, 0)
	if Errno(err) == unix.EINVAL {
		_, err = Syscall6("ioctl SECCOMP_IOCTL_NOTIF_ID_VALID", unix.SYS_IOCTL, uintptr(fd), uintptr(seccompIoctlNotifIDValidOld), uintptr(unsafe.Pointer(p)), 0, 0, 0)
	}
	return err
}

// SeccompNotifAddfd installs a copy of the supervisor's fd in the
// notification's target, ioctl(2) SECCOMP_IOCTL_NOTIF_ADDFD (Linux 5.9),
// and returns its number there. With SECCOMP_ADDFD_FLAG_SEND (5.14) it
// also answers the notification with that number. A kernel without the
// ioctl or a flag says EINVAL; ENOENT means the notification is gone.
func SeccompNotifAddfd(fd int, addfd abi.SeccompNotifAddfd) (int, error) {
	a := new(abi.SeccompNotifAddfd)
	*a = addfd
	r, err := Syscall6("ioctl SECCOMP_IOCTL_NOTIF_ADDFD", unix.SYS_IOCTL, uintptr(fd), uintptr(seccompIoctlNotifAddfd), uintptr(unsafe.Pointer(a)), 0, 0, 0)
	return int(r), err
}

// SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP is the flag of SeccompNotifSetFlags
// (Linux 6.6).
const SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP = unix.SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP

// seccompIoctlNotifSetFlags is encoded _IOW(..., __u64), but the kernel
// takes the flags as the argument itself, not through a pointer.
var seccompIoctlNotifSetFlags = IOW('!', 4, 8)

// SeccompNotifSetFlags sets the listener's flags, ioctl(2)
// SECCOMP_IOCTL_NOTIF_SET_FLAGS (Linux 6.6); the kernel says EINVAL
// before, and for an unknown flag.
func SeccompNotifSetFlags(fd int, flags uint64) error {
	_, err := Syscall6("ioctl SECCOMP_IOCTL_NOTIF_SET_FLAGS", unix.SYS_IOCTL, uintptr(fd), uintptr(seccompIoctlNotifSetFlags), uintptr(flags), 0, 0, 0)
	return err
}
