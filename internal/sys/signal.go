package sys

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// siginfo_t, as rt_sigqueueinfo(2), pidfd_send_signal(2) and waitid(2)
// exchange it (include/uapi/asm-generic/siginfo.h).

// Siginfo is the part of a siginfo_t that rt_sigqueueinfo(2) and
// pidfd_send_signal(2) let the sender choose: the _rt member of the union.
type Siginfo struct {
	Signo int32
	Code  int32
	Pid   int32   // si_pid
	Uid   uint32  // si_uid
	Value uintptr // si_value (sival_int in the low 32 bits on little-endian)
}

// sigUnion is the offset of the union in siginfo_t: three ints, then
// padding to the union's alignment, which is a pointer's
// (include/uapi/asm-generic/siginfo.h, __ARCH_SI_PREAMBLE_SIZE).
const sigUnion = (12 + unsafe.Sizeof(uintptr(0)) - 1) &^ (unsafe.Sizeof(uintptr(0)) - 1)

// siginfoBytes is si as the bytes the kernel reads and writes.
func siginfoBytes(si *unix.Siginfo) *[unsafe.Sizeof(unix.Siginfo{})]byte {
	return (*[unsafe.Sizeof(unix.Siginfo{})]byte)(unsafe.Pointer(si))
}

// fill writes p into a kernel siginfo_t.
func (p *Siginfo) fill(si *unix.Siginfo) {
	*si = unix.Siginfo{Signo: p.Signo, Code: p.Code}
	b := siginfoBytes(si)
	*(*int32)(unsafe.Pointer(&b[sigUnion])) = p.Pid
	*(*uint32)(unsafe.Pointer(&b[sigUnion+4])) = p.Uid
	*(*uintptr)(unsafe.Pointer(&b[sigUnion+8])) = p.Value
}

// sigchld reads the _sigchld member of the union: the child's pid and uid
// and its exit code or signal.
func sigchld(si *unix.Siginfo) (pid int32, uid uint32, status int32) {
	b := siginfoBytes(si)
	return *(*int32)(unsafe.Pointer(&b[sigUnion])),
		*(*uint32)(unsafe.Pointer(&b[sigUnion+4])),
		*(*int32)(unsafe.Pointer(&b[sigUnion+8]))
}
