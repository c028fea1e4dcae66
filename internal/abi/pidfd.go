package abi

// From include/uapi/linux/pidfd.h, pinned to upstream Linux 7.1
// (PIDFD_INFO_SIZE_VER3; newer x/sys releases carry the same layout as
// unix.PidfdInfo). The 6.1 headers installed on the build machines predate
// PIDFD_GET_INFO, so the size test pins these values instead of compiling
// against them.
//
// History of struct pidfd_info (the kernel accepts any size of at least
// PIDFD_INFO_SIZE_VER0 and fills what fits, clearing mask bits for fields
// that do not fit):
//
//	6.13  VER0, 64 bytes: mask, cgroupid, pid..fsgid
//	6.15  exit_code (in VER0's former spare word)
//	6.16  VER1, 72 bytes: coredump_mask
//	later coredump_signal (PIDFD_INFO_COREDUMP_SIGNAL)
//	7.1   VER3, 88 bytes: coredump_code, coredump_pad, supported_mask at 80
//
// A development version of the header placed supported_mask at offset 72
// (PIDFD_INFO_SIZE_VER2 = 80). lx never requests PIDFD_INFO_SUPPORTED_MASK
// and reads every field only when its mask bit is set, so it is correct
// under either layout.

// PidfdInfo is struct pidfd_info, the argument of PIDFD_GET_INFO.
type PidfdInfo struct {
	Mask           uint64
	CgroupID       uint64
	Pid            uint32
	Tgid           uint32
	Ppid           uint32
	Ruid           uint32
	Rgid           uint32
	Euid           uint32
	Egid           uint32
	Suid           uint32
	Sgid           uint32
	Fsuid          uint32
	Fsgid          uint32
	ExitCode       int32 // a wait status, as from waitpid(2)
	CoredumpMask   uint32
	CoredumpSignal uint32
	CoredumpCode   uint32
	CoredumpPad    uint32
	SupportedMask  uint64
}

// pidfd_info mask bits.
const (
	PIDFD_INFO_PID             = 1 << 0 // always returned while the task exists
	PIDFD_INFO_CREDS           = 1 << 1 // always returned while the task exists
	PIDFD_INFO_CGROUPID        = 1 << 2 // returned if available
	PIDFD_INFO_EXIT            = 1 << 3 // only if requested; only after reap (6.15)
	PIDFD_INFO_COREDUMP        = 1 << 4 // only if requested (6.16)
	PIDFD_INFO_SUPPORTED_MASK  = 1 << 5
	PIDFD_INFO_COREDUMP_SIGNAL = 1 << 6 // with PIDFD_INFO_COREDUMP
	PIDFD_INFO_COREDUMP_CODE   = 1 << 7 // with PIDFD_INFO_COREDUMP (7.1)
)

// Published sizes of struct pidfd_info.
const (
	PIDFD_INFO_SIZE_VER0 = 64
	PIDFD_INFO_SIZE_VER1 = 72
	PIDFD_INFO_SIZE_VER2 = 80
	PIDFD_INFO_SIZE_VER3 = 88
)

// coredump_mask values.
const (
	PIDFD_COREDUMPED    = 1 << 0 // the task dumped core
	PIDFD_COREDUMP_SKIP = 1 << 1 // core dump generation was skipped
	PIDFD_COREDUMP_USER = 1 << 2 // dumped (or would be) as the user
	PIDFD_COREDUMP_ROOT = 1 << 3 // dumped (or would be) as root: sensitive
)

// PIDFS_IOCTL_MAGIC is the ioctl type of every pidfd ioctl.
const PIDFS_IOCTL_MAGIC = 0xFF

// ioctl numbers (the nr of _IO/_IOWR(PIDFS_IOCTL_MAGIC, nr)).
const (
	PIDFD_GET_CGROUP_NAMESPACE_NR            = 1
	PIDFD_GET_IPC_NAMESPACE_NR               = 2
	PIDFD_GET_MNT_NAMESPACE_NR               = 3
	PIDFD_GET_NET_NAMESPACE_NR               = 4
	PIDFD_GET_PID_NAMESPACE_NR               = 5
	PIDFD_GET_PID_FOR_CHILDREN_NAMESPACE_NR  = 6
	PIDFD_GET_TIME_NAMESPACE_NR              = 7
	PIDFD_GET_TIME_FOR_CHILDREN_NAMESPACE_NR = 8
	PIDFD_GET_USER_NAMESPACE_NR              = 9
	PIDFD_GET_UTS_NAMESPACE_NR               = 10
	PIDFD_GET_INFO_NR                        = 11 // _IOWR, struct pidfd_info
)

// FILEID_KERNFS is the file handle type pidfs returns from
// name_to_handle_at(2) (include/linux/exportfs.h); the handle is the
// 8-byte pidfs inode number, native endian (fs/pidfs.c, 6.13).
const FILEID_KERNFS = 0xfe
