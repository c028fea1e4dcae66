package sys

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// Syscall6 is the raw entry for system calls x/sys has no wrapper for. It
// retries EINTR and wraps a failure as *os.SyscallError named name. Pointer
// arguments must be converted with uintptr(unsafe.Pointer(p)) in the call
// expression itself so the compiler keeps the memory alive.
func Syscall6(name string, trap, a1, a2, a3, a4, a5, a6 uintptr) (uintptr, error) {
	for {
		r, _, e := syscall.Syscall6(trap, a1, a2, a3, a4, a5, a6)
		if e == unix.EINTR {
			continue
		}
		if e != 0 {
			return r, wrap(name, e)
		}
		return r, nil
	}
}
