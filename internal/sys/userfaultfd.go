package sys

import (
	"fmt"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/lxgo/lx/internal/abi"
)

// userfaultfd(2) and /dev/userfaultfd.

// UffdProbe says how ProbeUserfaultfd obtained a userfaultfd.
type UffdProbe int

const (
	UffdProbeSyscall  UffdProbe = iota + 1 // userfaultfd(2)
	UffdProbeUserMode                      // userfaultfd(2) with UFFD_USER_MODE_ONLY
	UffdProbeDevice                        // /dev/userfaultfd, USERFAULTFD_IOC_NEW
)

// ProbeUserfaultfd creates and closes a userfaultfd, registering no memory.
// It tries userfaultfd(2) (Linux 4.3); when that gives EPERM
// (vm.unprivileged_userfaultfd is 0 and the caller lacks CAP_SYS_PTRACE),
// the same call with UFFD_USER_MODE_ONLY (5.11), which unprivileged
// callers may make, then the /dev/userfaultfd device (6.1), which file
// permissions guard instead. If all fail, the error is the syscall's EPERM
// with the others' errors appended.
func ProbeUserfaultfd() (UffdProbe, error) {
	const flags = unix.O_CLOEXEC | unix.O_NONBLOCK
	fd, err := Syscall6("userfaultfd", unix.SYS_USERFAULTFD, flags, 0, 0, 0, 0, 0)
	if err == nil {
		unix.Close(int(fd))
		return UffdProbeSyscall, nil
	}
	if Errno(err) != unix.EPERM {
		return 0, err
	}
	fd, umErr := Syscall6("userfaultfd", unix.SYS_USERFAULTFD, flags|abi.UFFD_USER_MODE_ONLY, 0, 0, 0, 0, 0)
	if umErr == nil {
		unix.Close(int(fd))
		return UffdProbeUserMode, nil
	}
	dev, devErr := Open("/dev/userfaultfd", unix.O_RDWR)
	if devErr == nil {
		defer dev.Close()
		var nfd int
		if nfd, devErr = Ioctl(dev.Int(), IoctlReq(abi.USERFAULTFD_IOC_NEW), flags); devErr == nil {
			unix.Close(nfd)
			return UffdProbeDevice, nil
		}
	}
	return 0, fmt.Errorf("%w (with UFFD_USER_MODE_ONLY: %v; /dev/userfaultfd: %v)", err, umErr, devErr)
}

// The flags of userfaultfd(2) and USERFAULTFD_IOC_NEW that lx always
// passes: the fd is close-on-exec and non-blocking (for the poller).
const uffdFlags = unix.O_CLOEXEC | unix.O_NONBLOCK

// Userfaultfd creates a userfaultfd with userfaultfd(2) (Linux 4.3),
// close-on-exec and non-blocking; userModeOnly adds UFFD_USER_MODE_ONLY
// (Linux 5.11).
func Userfaultfd(userModeOnly bool) (*FD, error) {
	flags := uintptr(uffdFlags)
	if userModeOnly {
		flags |= abi.UFFD_USER_MODE_ONLY
	}
	fd, err := Syscall6("userfaultfd", unix.SYS_USERFAULTFD, flags, 0, 0, 0, 0, 0)
	if err != nil {
		return nil, err
	}
	return NewFD(int(fd)), nil
}

// UserfaultfdDevice creates a userfaultfd through /dev/userfaultfd,
// ioctl(2) USERFAULTFD_IOC_NEW (Linux 6.1), close-on-exec and
// non-blocking; userModeOnly adds UFFD_USER_MODE_ONLY.
func UserfaultfdDevice(userModeOnly bool) (*FD, error) {
	flags := uintptr(uffdFlags)
	if userModeOnly {
		flags |= abi.UFFD_USER_MODE_ONLY
	}
	dev, err := Open("/dev/userfaultfd", unix.O_RDWR)
	if err != nil {
		return nil, err
	}
	defer dev.Close()
	fd, err := Ioctl(dev.Int(), IoctlReq(abi.USERFAULTFD_IOC_NEW), flags)
	if err != nil {
		return nil, wrapPath("ioctl USERFAULTFD_IOC_NEW", "/dev/userfaultfd", Errno(err))
	}
	return NewFD(fd), nil
}

// The userfaultfd ioctl requests.
var (
	uffdioAPI          = IOWR(abi.UFFDIO, abi.UFFDIO_API_NR, abi.SizeofUffdioAPI)
	uffdioRegister     = IOWR(abi.UFFDIO, abi.UFFDIO_REGISTER_NR, abi.SizeofUffdioRegister)
	uffdioUnregister   = IOR(abi.UFFDIO, abi.UFFDIO_UNREGISTER_NR, abi.SizeofUffdioRange)
	uffdioWake         = IOR(abi.UFFDIO, abi.UFFDIO_WAKE_NR, abi.SizeofUffdioRange)
	uffdioCopy         = IOWR(abi.UFFDIO, abi.UFFDIO_COPY_NR, abi.SizeofUffdioCopy)
	uffdioZeropage     = IOWR(abi.UFFDIO, abi.UFFDIO_ZEROPAGE_NR, abi.SizeofUffdioZeropage)
	uffdioMove         = IOWR(abi.UFFDIO, abi.UFFDIO_MOVE_NR, abi.SizeofUffdioMove)
	uffdioWriteprotect = IOWR(abi.UFFDIO, abi.UFFDIO_WRITEPROTECT_NR, abi.SizeofUffdioWriteprotect)
	uffdioContinue     = IOWR(abi.UFFDIO, abi.UFFDIO_CONTINUE_NR, abi.SizeofUffdioContinue)
	uffdioPoison       = IOWR(abi.UFFDIO, abi.UFFDIO_POISON_NR, abi.SizeofUffdioPoison)
)

// uffdIoctl issues one userfaultfd ioctl, once: EINTR is not retried,
// because the resolving ioctls report partial progress in their argument
// and a blind retry would redo the part already done (the kernel returns
// EINTR from them only when a fatal signal is pending).
func uffdIoctl(name string, fd int, req IoctlReq, arg unsafe.Pointer) error {
	_, _, e := syscall.Syscall(unix.SYS_IOCTL, uintptr(fd), uintptr(req), uintptr(arg))
	if e != 0 {
		return wrap(name, e)
	}
	return nil
}

// UffdAPI is ioctl(2) UFFDIO_API, the handshake, which the kernel
// accepts once per userfaultfd: a second call, or features the kernel
// lacks, fail with EINVAL.
func UffdAPI(fd int, a *abi.UffdioAPI) error {
	return uffdIoctl("ioctl UFFDIO_API", fd, uffdioAPI, unsafe.Pointer(a))
}

// UffdRegister is ioctl(2) UFFDIO_REGISTER; the kernel writes r.Ioctls.
func UffdRegister(fd int, r *abi.UffdioRegister) error {
	return uffdIoctl("ioctl UFFDIO_REGISTER", fd, uffdioRegister, unsafe.Pointer(r))
}

// UffdUnregister is ioctl(2) UFFDIO_UNREGISTER.
func UffdUnregister(fd int, r *abi.UffdioRange) error {
	return uffdIoctl("ioctl UFFDIO_UNREGISTER", fd, uffdioUnregister, unsafe.Pointer(r))
}

// UffdWake is ioctl(2) UFFDIO_WAKE.
func UffdWake(fd int, r *abi.UffdioRange) error {
	return uffdIoctl("ioctl UFFDIO_WAKE", fd, uffdioWake, unsafe.Pointer(r))
}

// UffdCopy is ioctl(2) UFFDIO_COPY; the kernel writes c.Copy. c.Src is
// an address the caller keeps valid, and in place, during the call.
func UffdCopy(fd int, c *abi.UffdioCopy) error {
	return uffdIoctl("ioctl UFFDIO_COPY", fd, uffdioCopy, unsafe.Pointer(c))
}

// UffdZeropage is ioctl(2) UFFDIO_ZEROPAGE; the kernel writes z.Zeropage.
func UffdZeropage(fd int, z *abi.UffdioZeropage) error {
	return uffdIoctl("ioctl UFFDIO_ZEROPAGE", fd, uffdioZeropage, unsafe.Pointer(z))
}

// UffdMove is ioctl(2) UFFDIO_MOVE (Linux 6.8); the kernel writes m.Move.
func UffdMove(fd int, m *abi.UffdioMove) error {
	return uffdIoctl("ioctl UFFDIO_MOVE", fd, uffdioMove, unsafe.Pointer(m))
}

// UffdWriteprotect is ioctl(2) UFFDIO_WRITEPROTECT (Linux 5.7).
func UffdWriteprotect(fd int, w *abi.UffdioWriteprotect) error {
	return uffdIoctl("ioctl UFFDIO_WRITEPROTECT", fd, uffdioWriteprotect, unsafe.Pointer(w))
}

// UffdContinue is ioctl(2) UFFDIO_CONTINUE (Linux 5.13); the kernel
// writes c.Mapped.
func UffdContinue(fd int, c *abi.UffdioContinue) error {
	return uffdIoctl("ioctl UFFDIO_CONTINUE", fd, uffdioContinue, unsafe.Pointer(c))
}

// UffdPoison is ioctl(2) UFFDIO_POISON (Linux 6.6); the kernel writes
// p.Updated.
func UffdPoison(fd int, p *abi.UffdioPoison) error {
	return uffdIoctl("ioctl UFFDIO_POISON", fd, uffdioPoison, unsafe.Pointer(p))
}
