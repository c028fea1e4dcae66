package signalfd_test

import (
	"syscall"
	"unsafe"
)

// siginfoSize is sizeof(siginfo_t), 128 bytes on every architecture.
const siginfoSize = 128

// rtTgsigqueueinfo queues sig for thread tid of process tgid with the
// siginfo_t whose bytes are info (rt_tgsigqueueinfo(2)). A process may
// give its own threads any si_code.
func rtTgsigqueueinfo(tgid, tid int, sig syscall.Signal, info *[siginfoSize]byte) error {
	_, _, e := syscall.Syscall6(syscall.SYS_RT_TGSIGQUEUEINFO, uintptr(tgid), uintptr(tid), uintptr(sig),
		uintptr(unsafe.Pointer(info)), 0, 0)
	if e != 0 {
		return e
	}
	return nil
}
