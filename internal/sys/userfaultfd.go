package sys

import (
	"fmt"

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
