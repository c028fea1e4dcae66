package sys

import (
	"fmt"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/lxgo/lx/internal/abi"
)

// pidfd_open(2), pidfd_send_signal(2), pidfd_getfd(2) and the pidfs
// ioctls (ioctl_pidfd(2), include/uapi/linux/pidfd.h), with their probes.
// waitid(P_PIDFD) is in waitid.go, file handles of pidfs in fhandle.go.

// pidfd flags and constants, re-exported for package pidfd.
const (
	PIDFD_NONBLOCK = unix.PIDFD_NONBLOCK // pidfd_open: O_NONBLOCK (5.10)
	PIDFD_THREAD   = unix.PIDFD_THREAD   // pidfd_open: a thread, not a thread group (6.9)

	// pidfd_send_signal scope flags (6.9).
	PIDFD_SIGNAL_THREAD        = unix.PIDFD_SIGNAL_THREAD
	PIDFD_SIGNAL_THREAD_GROUP  = unix.PIDFD_SIGNAL_THREAD_GROUP
	PIDFD_SIGNAL_PROCESS_GROUP = unix.PIDFD_SIGNAL_PROCESS_GROUP
)

// struct pidfd_info mask bits: what PidfdGetInfo asks for and what the
// kernel filled.
const (
	PIDFD_INFO_PID             = unix.PIDFD_INFO_PID      // always returned while the task exists
	PIDFD_INFO_CREDS           = unix.PIDFD_INFO_CREDS    // always returned while the task exists
	PIDFD_INFO_CGROUPID        = unix.PIDFD_INFO_CGROUPID // returned if available
	PIDFD_INFO_EXIT            = unix.PIDFD_INFO_EXIT     // only if requested; only after reap (6.15)
	PIDFD_INFO_COREDUMP        = unix.PIDFD_INFO_COREDUMP // only if requested (6.16)
	PIDFD_INFO_COREDUMP_SIGNAL = abi.PIDFD_INFO_COREDUMP_SIGNAL
	PIDFD_INFO_COREDUMP_CODE   = abi.PIDFD_INFO_COREDUMP_CODE
)

// coredump_mask values of struct pidfd_info.
const (
	PIDFD_COREDUMPED    = unix.PIDFD_COREDUMPED    // the task dumped core
	PIDFD_COREDUMP_SKIP = unix.PIDFD_COREDUMP_SKIP // core dump generation was skipped
	PIDFD_COREDUMP_USER = unix.PIDFD_COREDUMP_USER // dumped (or would be) as the user
	PIDFD_COREDUMP_ROOT = unix.PIDFD_COREDUMP_ROOT // dumped (or would be) as root: sensitive
)

// PIDFD_GET_<TYPE>_NAMESPACE ioctls (6.11), for PidfdGetNamespace.
const (
	PIDFD_GET_CGROUP_NAMESPACE            IoctlReq = unix.PIDFD_GET_CGROUP_NAMESPACE
	PIDFD_GET_IPC_NAMESPACE               IoctlReq = unix.PIDFD_GET_IPC_NAMESPACE
	PIDFD_GET_MNT_NAMESPACE               IoctlReq = unix.PIDFD_GET_MNT_NAMESPACE
	PIDFD_GET_NET_NAMESPACE               IoctlReq = unix.PIDFD_GET_NET_NAMESPACE
	PIDFD_GET_PID_NAMESPACE               IoctlReq = unix.PIDFD_GET_PID_NAMESPACE
	PIDFD_GET_PID_FOR_CHILDREN_NAMESPACE  IoctlReq = unix.PIDFD_GET_PID_FOR_CHILDREN_NAMESPACE
	PIDFD_GET_TIME_NAMESPACE              IoctlReq = unix.PIDFD_GET_TIME_NAMESPACE
	PIDFD_GET_TIME_FOR_CHILDREN_NAMESPACE IoctlReq = unix.PIDFD_GET_TIME_FOR_CHILDREN_NAMESPACE
	PIDFD_GET_USER_NAMESPACE              IoctlReq = unix.PIDFD_GET_USER_NAMESPACE
	PIDFD_GET_UTS_NAMESPACE               IoctlReq = unix.PIDFD_GET_UTS_NAMESPACE
)

// PidfdOpen calls pidfd_open(2). The kernel always sets O_CLOEXEC on the
// new fd. pid reaches the kernel as a pid_t: the caller range-checks it.
func PidfdOpen(pid int, flags int) (*FD, error) {
	fd, err := retry1(func() (int, error) { return unix.PidfdOpen(pid, flags) })
	if err != nil {
		return nil, wrap("pidfd_open", err)
	}
	return NewFD(fd), nil
}

// PidfdSendSignal calls pidfd_send_signal(2). info may be nil.
func PidfdSendSignal(pidfd int, sig syscall.Signal, info *Siginfo, flags int) error {
	var si *unix.Siginfo
	if info != nil {
		si = new(unix.Siginfo)
		info.fill(si)
	}
	return wrap("pidfd_send_signal", retry(func() error {
		return unix.PidfdSendSignal(pidfd, unix.Signal(sig), si, flags)
	}))
}

// PidfdGetfd calls pidfd_getfd(2). The kernel sets O_CLOEXEC on the new fd
// and leaves the other file status flags (O_NONBLOCK) as they are: they
// belong to the open file description shared with the target process.
func PidfdGetfd(pidfd, targetfd int) (*FD, error) {
	fd, err := retry1(func() (int, error) { return unix.PidfdGetfd(pidfd, targetfd, 0) })
	if err != nil {
		return nil, wrap("pidfd_getfd", err)
	}
	return NewFD(fd), nil
}

// PidfdInfo is struct pidfd_info (unix.PidfdInfo) as Go values. A field is
// meaningful only when its PIDFD_INFO_* bit is set in Mask.
//
// History of the struct (the kernel accepts any size of at least
// PIDFD_INFO_SIZE_VER0, fills what fits and clears the mask bits of fields
// that do not fit):
//
//	6.13  VER0, 64 bytes: mask, cgroupid, pid..fsgid
//	6.15  exit_code (in VER0's former spare word)
//	6.16  VER1, 72 bytes: coredump_mask
//	later coredump_signal (PIDFD_INFO_COREDUMP_SIGNAL)
//	7.1   VER3, 88 bytes: coredump_code, coredump_pad, supported_mask at 80
//
// A development version of the header placed supported_mask at offset 72.
// lx never requests PIDFD_INFO_SUPPORTED_MASK, so it is correct under
// either layout.
type PidfdInfo struct {
	Mask                                             uint64
	CgroupID                                         uint64
	Pid, Tgid, Ppid                                  uint32
	Ruid, Rgid, Euid, Egid, Suid, Sgid, Fsuid, Fsgid uint32
	ExitCode                                         int32 // a wait status, as from waitpid(2)
	CoredumpMask, CoredumpSignal, CoredumpCode       uint32
}

// PidfdGetInfo issues the PIDFD_GET_INFO ioctl (6.13), asking for the
// fields in mask, with x/sys's 88-byte struct pidfd_info.
func PidfdGetInfo(pidfd int, mask uint64) (PidfdInfo, error) {
	ki := unix.PidfdInfo{Mask: mask}
	if _, err := IoctlPtr(pidfd, unix.PIDFD_GET_INFO, unsafe.Pointer(&ki)); err != nil {
		return PidfdInfo{}, err
	}
	return PidfdInfo{
		Mask: ki.Mask, CgroupID: ki.Cgroupid,
		Pid: ki.Pid, Tgid: ki.Tgid, Ppid: ki.Ppid,
		Ruid: ki.Ruid, Rgid: ki.Rgid, Euid: ki.Euid, Egid: ki.Egid,
		Suid: ki.Suid, Sgid: ki.Sgid, Fsuid: ki.Fsuid, Fsgid: ki.Fsgid,
		ExitCode:     ki.Exit_code,
		CoredumpMask: ki.Coredump_mask, CoredumpSignal: ki.Coredump_signal, CoredumpCode: ki.Coredump_code,
	}, nil
}

// PidfdGetNamespace issues one of the PIDFD_GET_<TYPE>_NAMESPACE ioctls
// (6.11) and returns the new nsfs fd, which the kernel opens O_CLOEXEC.
func PidfdGetNamespace(pidfd int, req IoctlReq) (*FD, error) {
	fd, err := Ioctl(pidfd, req, 0)
	if err != nil {
		return nil, err
	}
	return NewFD(fd), nil
}

// Feature probes of the pidfd family. Each opens a pidfd for the calling
// process, makes the smallest call that proves the interface works and
// closes the pidfd; see the features list in internal/feature/probes.go.

// withSelfPidfd opens a pidfd for the calling process with flags, runs fn
// on it and closes it.
func withSelfPidfd(flags int, fn func(fd int) error) error {
	fd, err := retry1(func() (int, error) { return unix.PidfdOpen(unix.Getpid(), flags) })
	if err != nil {
		return wrap("pidfd_open", err)
	}
	defer unix.Close(fd)
	return fn(fd)
}

func nothing(int) error { return nil }

// ProbePidfdOpen opens a pidfd with pidfd_open(2) (Linux 5.3).
func ProbePidfdOpen() error { return withSelfPidfd(0, nothing) }

// ProbePidfdNonblock opens a pidfd with PIDFD_NONBLOCK (Linux 5.10).
func ProbePidfdNonblock() error { return withSelfPidfd(PIDFD_NONBLOCK, nothing) }

// ProbePidfdThread opens a pidfd with PIDFD_THREAD (Linux 6.9).
func ProbePidfdThread() error { return withSelfPidfd(PIDFD_THREAD, nothing) }

// ProbePidfdSendSignal sends signal 0 (a permission and existence check
// that delivers nothing) through a pidfd with pidfd_send_signal(2) (Linux
// 5.1).
func ProbePidfdSendSignal() error {
	return withSelfPidfd(0, func(fd int) error { return PidfdSendSignal(fd, 0, nil, 0) })
}

// ProbePidfdSignalScope sends signal 0 with PIDFD_SIGNAL_THREAD_GROUP, one
// of the scope flags of pidfd_send_signal(2) (Linux 6.9).
func ProbePidfdSignalScope() error {
	return withSelfPidfd(0, func(fd int) error { return PidfdSendSignal(fd, 0, nil, PIDFD_SIGNAL_THREAD_GROUP) })
}

// ProbePidfdGetfd calls pidfd_getfd(2) (Linux 5.6) for fd -1, which a
// kernel with the call rejects with EBADF.
func ProbePidfdGetfd() error {
	return withSelfPidfd(0, func(fd int) error {
		_, err := PidfdGetfd(fd, -1)
		if Errno(err) == unix.EBADF {
			return nil
		}
		return err
	})
}

// ProbePidfdNamespace opens the calling process's mount namespace with
// PIDFD_GET_MNT_NAMESPACE (Linux 6.11) and closes it.
func ProbePidfdNamespace() error {
	return withSelfPidfd(0, func(fd int) error {
		ns, err := PidfdGetNamespace(fd, PIDFD_GET_MNT_NAMESPACE)
		if err != nil {
			return err
		}
		return ns.Close()
	})
}

// ProbePidfs checks that pidfds live on pidfs (Linux 6.9), whose 64-bit
// inode numbers identify a process for the life of the system: fstatfs(2)
// on a pidfd reports PID_FS_MAGIC. Older kernels put pidfds on anon_inodefs;
// the probe then fails with an error matching EOPNOTSUPP.
func ProbePidfs() error {
	return withSelfPidfd(0, func(fd int) error {
		magic, err := FstatfsType(fd)
		if err != nil {
			return err
		}
		if magic != PID_FS_MAGIC {
			return fmt.Errorf("pidfd is on filesystem %#x, not pidfs: %w", magic, unix.EOPNOTSUPP)
		}
		return nil
	})
}

// ProbePidfdInfo asks PIDFD_GET_INFO (Linux 6.13) for the calling process's
// pid through a pidfd and checks the answer.
func ProbePidfdInfo() error {
	return withSelfPidfd(0, func(fd int) error {
		info, err := PidfdGetInfo(fd, PIDFD_INFO_PID)
		if err != nil {
			return err
		}
		if info.Mask&PIDFD_INFO_PID == 0 || int(info.Pid) != unix.Getpid() {
			return fmt.Errorf("PIDFD_GET_INFO on own pidfd: pid %d (mask %#x), want %d", info.Pid, info.Mask, unix.Getpid())
		}
		return nil
	})
}
