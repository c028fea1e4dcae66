package sys

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// getcpu(2).

// Getcpu returns the CPU the calling thread is running on and that CPU's
// NUMA node (getcpu(2), Linux 2.6.19), by the system call: Go cannot call
// the vDSO's getcpu. The thread may run elsewhere by the time the caller
// looks at the answer unless its affinity allows only one CPU.
func Getcpu() (cpu, node int, err error) {
	var c, n uint32
	_, _, e := unix.RawSyscall(unix.SYS_GETCPU, uintptr(unsafe.Pointer(&c)), uintptr(unsafe.Pointer(&n)), 0)
	if e != 0 {
		return 0, 0, wrap("getcpu", e)
	}
	return int(c), int(n), nil
}
