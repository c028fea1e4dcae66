package sys

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// Syscall6 is the raw entry for system calls x/sys has no wrapper for. It
// retries EINTR and wraps a failure as *os.SyscallError named name. Pointer
// arguments must be converted with uintptr(unsafe.Pointer(p)) in the call
// expression itself: the go:uintptrescapes directive then makes the
// compiler move the memory to the heap and keep it alive for the whole
// call. (Without the directive that guarantee holds only for assembly
// functions such as syscall.Syscall6: a stack object could move when this
// function's stack grows, and a heap object could be freed mid-call.)
//
//go:uintptrescapes
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
