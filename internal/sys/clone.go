package sys

import (
	"fmt"
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
