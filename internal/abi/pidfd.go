package abi

// From include/uapi/linux/pidfd.h: the struct pidfd_info mask bits that
// golang.org/x/sys/unix v0.50.0 lacks. x/sys has struct pidfd_info itself
// (unix.PidfdInfo, the 88-byte PIDFD_INFO_SIZE_VER3 layout of Linux 7.1)
// and the bits up to PIDFD_INFO_COREDUMP; internal/sys checks that these
// continue its sequence.
const (
	// PIDFD_INFO_COREDUMP_SIGNAL reports coredump_signal, the signal that
	// caused the dump (after Linux 6.18).
	PIDFD_INFO_COREDUMP_SIGNAL = 1 << 6
	// PIDFD_INFO_COREDUMP_CODE reports coredump_code, its si_code
	// (Linux 7.1).
	PIDFD_INFO_COREDUMP_CODE = 1 << 7
)
