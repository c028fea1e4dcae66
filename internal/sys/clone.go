package sys

import (
	"fmt"
	"math"
	"os"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/lxgo/lx/internal/abi"
)

// clone3(2).

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

// ProbeCloneIntoCgroup checks for clone3(2)'s CLONE_INTO_CGROUP (Linux
// 5.7) without creating a process: it asks for a child in the cgroup of
// descriptor 2^31-1, which no process can have open (fs.nr_open stops
// below it). A kernel with the flag gets as far as looking the descriptor
// up, in copy_process(2) after the arguments are checked, and fails with
// EBADF, undoing everything; 5.5 and 5.6 refuse the flag (EINVAL), 5.3
// and 5.4 the struct clone_args of CLONE_ARGS_SIZE_VER2, which is longer
// than theirs and has a non-zero byte past it (E2BIG), and older kernels
// have no clone3 (ENOSYS). E2BIG is reported as EINVAL, the errno of an
// unknown flag, which feature probes take as "not here".
func ProbeCloneIntoCgroup() error {
	args := abi.CloneArgs{Flags: unix.CLONE_INTO_CGROUP, Cgroup: math.MaxInt32}
	_, err := Syscall6("clone3", unix.SYS_CLONE3, uintptr(unsafe.Pointer(&args)), unsafe.Sizeof(args), 0, 0, 0, 0)
	switch Errno(err) {
	case unix.EBADF:
		return nil
	case unix.E2BIG:
		return fmt.Errorf("clone3: struct clone_args of %d bytes refused (%v), so no CLONE_INTO_CGROUP: %w",
			unsafe.Sizeof(args), unix.E2BIG, os.NewSyscallError("clone3", unix.EINVAL))
	case 0:
		// Unreachable: descriptor 2^31-1 cannot be open.
		return fmt.Errorf("clone3: CLONE_INTO_CGROUP probe unexpectedly succeeded")
	}
	return err
}
