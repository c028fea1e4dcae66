package sys

import (
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/lxgo/lx/internal/abi"
)

// Feature probes, for package features. Each one makes the smallest call
// that proves an interface works, closes every fd it opened before it
// returns, and changes no process state. A probe returns nil when the
// interface works; otherwise the kernel's error, wrapped once: ENOSYS,
// EINVAL, EOPNOTSUPP or ENOTTY mean the kernel does not have it (see
// IsNotSupported), EPERM or EACCES mean this caller may not use it here
// (a seccomp filter, a sysctl, a missing capability), which says nothing
// about the kernel.

// probePidfd opens a pidfd for the calling process. pidfds are always
// close-on-exec.
func probePidfd() (int, error) {
	fd, err := retry1(func() (int, error) { return unix.PidfdOpen(unix.Getpid(), 0) })
	return fd, wrap("pidfd_open", err)
}

// ProbePidfdOpen opens and closes a pidfd for the calling process with
// pidfd_open(2) (Linux 5.3).
func ProbePidfdOpen() error {
	fd, err := probePidfd()
	if err != nil {
		return err
	}
	unix.Close(fd)
	return nil
}

// ProbePidfs checks that pidfds live on pidfs (Linux 6.9), whose 64-bit
// inode numbers identify a process for the life of the system: fstatfs(2)
// on a pidfd reports PID_FS_MAGIC. Older kernels put pidfds on anon_inodefs;
// the probe then fails with an error matching EOPNOTSUPP.
func ProbePidfs() error {
	fd, err := probePidfd()
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	var st unix.Statfs_t
	if err := retry(func() error { return unix.Fstatfs(fd, &st) }); err != nil {
		return wrap("fstatfs", err)
	}
	if int64(st.Type) != unix.PID_FS_MAGIC {
		return fmt.Errorf("pidfd is on filesystem %#x, not pidfs: %w", st.Type, unix.EOPNOTSUPP)
	}
	return nil
}

// ProbePidfdInfo asks PIDFD_GET_INFO (Linux 6.13) for the calling process's
// pid through a pidfd and checks the answer. It passes the first published
// struct pidfd_info size, which every kernel with the ioctl accepts.
func ProbePidfdInfo() error {
	fd, err := probePidfd()
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	info := abi.PidfdInfo{Mask: abi.PIDFD_INFO_PID}
	req := IOWR(abi.PIDFS_IOCTL_MAGIC, abi.PIDFD_GET_INFO_NR, abi.PIDFD_INFO_SIZE_VER0)
	if _, err := IoctlPtr(fd, req, unsafe.Pointer(&info)); err != nil {
		return err
	}
	if info.Mask&abi.PIDFD_INFO_PID == 0 || int(info.Pid) != unix.Getpid() {
		return fmt.Errorf("PIDFD_GET_INFO on own pidfd: pid %d (mask %#x), want %d", info.Pid, info.Mask, unix.Getpid())
	}
	return nil
}

// ProbeClone3 checks for clone3(2) (Linux 5.3) without creating a process:
// it passes a page-sized struct clone_args whose last byte is not zero,
// which a kernel with clone3 rejects with E2BIG (an argument larger than
// the struct it knows, with non-zero bytes past it) before looking at any
// field. Should a kernel skip that check, the exit signal is invalid, so
// the call still fails (EINVAL) instead of cloning.
func ProbeClone3() error {
	page := new(struct {
		args abi.CloneArgs
		_    [4096 - unsafe.Sizeof(abi.CloneArgs{}) - 8]byte
		tail uint64
	})
	page.args.ExitSignal = ^uint64(0)
	page.tail = 1
	_, err := Syscall6("clone3", unix.SYS_CLONE3, uintptr(unsafe.Pointer(page)), unsafe.Sizeof(*page), 0, 0, 0, 0)
	switch Errno(err) {
	case unix.E2BIG:
		return nil
	case 0:
		// Unreachable: E2BIG or EINVAL come before any clone.
		return fmt.Errorf("clone3: probe unexpectedly succeeded")
	}
	return err
}

// ProbeOpenat2 opens "/" as an O_PATH fd with openat2(2) (Linux 5.6) and
// RESOLVE_NO_MAGICLINKS, and closes it.
func ProbeOpenat2() error {
	how := unix.OpenHow{Flags: unix.O_PATH | unix.O_DIRECTORY | unix.O_CLOEXEC, Resolve: unix.RESOLVE_NO_MAGICLINKS}
	fd, err := retry1(func() (int, error) { return unix.Openat2(unix.AT_FDCWD, "/", &how) })
	if err != nil {
		return wrapPath("openat2", "/", err)
	}
	unix.Close(fd)
	return nil
}

// ProbeStatmount reads the mount of "/" with statmount(2) and lists the
// mounts below it with listmount(2) (both Linux 6.8), using the unique
// mount id statx(2) reports with STATX_MNT_ID_UNIQUE (also 6.8). The
// statmount answer must name the mount asked for.
func ProbeStatmount() error {
	var stx unix.Statx_t
	if err := retry(func() error {
		return unix.Statx(unix.AT_FDCWD, "/", 0, unix.STATX_MNT_ID|unix.STATX_MNT_ID_UNIQUE, &stx)
	}); err != nil {
		return wrapPath("statx", "/", err)
	}
	// Without STATX_MNT_ID_UNIQUE in the mask this is the old mount id,
	// which a kernel without statmount answers with ENOSYS anyway.
	req := &abi.MntIDReq{Size: abi.MNT_ID_REQ_SIZE_VER0, MntID: stx.Mnt_id, Param: abi.STATMOUNT_MNT_BASIC}
	sm := new(abi.Statmount)
	if _, err := Syscall6("statmount", unix.SYS_STATMOUNT, uintptr(unsafe.Pointer(req)),
		uintptr(unsafe.Pointer(sm)), unsafe.Sizeof(*sm), 0, 0, 0); err != nil {
		return err
	}
	if sm.Mask&abi.STATMOUNT_MNT_BASIC == 0 || sm.MntID != stx.Mnt_id {
		return fmt.Errorf("statmount of mount %d answered for mount %d (mask %#x)", stx.Mnt_id, sm.MntID, sm.Mask)
	}
	req.Param = 0 // listmount: start at the beginning
	ids := new([1]uint64)
	_, err := Syscall6("listmount", unix.SYS_LISTMOUNT, uintptr(unsafe.Pointer(req)),
		uintptr(unsafe.Pointer(&ids[0])), uintptr(len(ids)), 0, 0, 0)
	return err
}

// ProbeIOUring sets up a one-entry io_uring (io_uring_setup(2), Linux 5.1),
// asks it for the highest opcode the kernel knows (IORING_REGISTER_PROBE,
// 5.6) and closes it. lastOp is -1 on kernels without the probe opcode.
// When io_uring is disabled by kernel.io_uring_disabled, or limited to
// kernel.io_uring_group, setup fails with EPERM.
func ProbeIOUring() (lastOp int, err error) {
	params := new(abi.IOUringParams)
	fd, err := Syscall6("io_uring_setup", unix.SYS_IO_URING_SETUP, 1, uintptr(unsafe.Pointer(params)), 0, 0, 0, 0)
	if err != nil {
		return -1, err
	}
	defer unix.Close(int(fd))
	// With no ops[] entries asked for, the kernel fills only last_op.
	probe := new(abi.IOUringProbe)
	if _, err := Syscall6("io_uring_register", unix.SYS_IO_URING_REGISTER, fd, abi.IORING_REGISTER_PROBE,
		uintptr(unsafe.Pointer(probe)), 0, 0, 0); err != nil {
		return -1, nil // 5.1 to 5.5: io_uring works, the probe opcode does not exist
	}
	return int(probe.LastOp), nil
}

// ProbeLandlockABI returns the highest Landlock ABI version the kernel
// supports: landlock_create_ruleset(NULL, 0,
// LANDLOCK_CREATE_RULESET_VERSION) (Linux 5.13). It fails with EOPNOTSUPP
// when Landlock is built in but not enabled at boot (the "lsm=" list).
func ProbeLandlockABI() (int, error) {
	r, err := Syscall6("landlock_create_ruleset", unix.SYS_LANDLOCK_CREATE_RULESET, 0, 0,
		unix.LANDLOCK_CREATE_RULESET_VERSION, 0, 0, 0)
	if err != nil {
		return 0, err
	}
	return int(r), nil
}

// ProbeSeccompNotifSizes returns the sizes of the seccomp user-notification
// structs, seccomp(SECCOMP_GET_NOTIF_SIZES) (Linux 5.0). It installs no
// filter.
func ProbeSeccompNotifSizes() (abi.SeccompNotifSizes, error) {
	sizes := new(abi.SeccompNotifSizes)
	_, err := Syscall6("seccomp", unix.SYS_SECCOMP, unix.SECCOMP_GET_NOTIF_SIZES, 0, uintptr(unsafe.Pointer(sizes)), 0, 0, 0)
	return *sizes, err
}

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

// ProbeMemfdSecret creates and closes a secret memory fd with
// memfd_secret(2) (Linux 5.14). Before 6.5 the kernel offers it only when
// booted with secretmem.enable=1, and answers ENOSYS otherwise.
func ProbeMemfdSecret() error {
	fd, err := Syscall6("memfd_secret", unix.SYS_MEMFD_SECRET, unix.O_CLOEXEC, 0, 0, 0, 0, 0)
	if err != nil {
		return err
	}
	unix.Close(int(fd))
	return nil
}
