package sys

import (
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/lxgo/lx/internal/abi"
)

// io_uring_setup(2) and io_uring_register(2).

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
