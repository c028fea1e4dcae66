package sys

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// signalfd4(2) and rt_sigprocmask(2).

// sigset is the kernel sigset_t of a 64-signal mask whose bit n-1 is
// signal n, in the first 8 bytes (rt_sigprocmask and signalfd4 are given
// that size). On 32-bit architectures sigset_t is an array of 32-bit
// words, the low one first whatever the byte order.
func sigset(mask uint64) unix.Sigset_t {
	var s unix.Sigset_t
	if unsafe.Sizeof(s.Val[0]) == 8 {
		*(*uint64)(unsafe.Pointer(&s.Val[0])) = mask
	} else {
		v := unsafe.Slice((*uint32)(unsafe.Pointer(&s.Val[0])), 2)
		v[0], v[1] = uint32(mask), uint32(mask>>32)
	}
	return s
}

// maskOf is sigset's inverse.
func maskOf(s *unix.Sigset_t) uint64 {
	if unsafe.Sizeof(s.Val[0]) == 8 {
		return *(*uint64)(unsafe.Pointer(&s.Val[0]))
	}
	v := unsafe.Slice((*uint32)(unsafe.Pointer(&s.Val[0])), 2)
	return uint64(v[0]) | uint64(v[1])<<32
}

// Signalfd creates a signalfd for the signals of mask (bit n-1 is signal
// n) with signalfd4(2), close-on-exec and non-blocking, and returns the
// owned fd.
func Signalfd(mask uint64) (*FD, error) {
	set := sigset(mask)
	fd, err := retry1(func() (int, error) {
		return unix.Signalfd(-1, &set, unix.SFD_CLOEXEC|unix.SFD_NONBLOCK)
	})
	if err != nil {
		return nil, wrap("signalfd4", err)
	}
	return NewFD(fd), nil
}

// SigprocmaskBlock adds mask to the calling thread's blocked signals with
// rt_sigprocmask(2) SIG_BLOCK and returns the previous blocked set. It
// affects only the calling thread.
func SigprocmaskBlock(mask uint64) (old uint64, err error) {
	set := sigset(mask)
	var prev unix.Sigset_t
	if err := unix.PthreadSigmask(unix.SIG_BLOCK, &set, &prev); err != nil {
		return 0, wrap("rt_sigprocmask", err)
	}
	return maskOf(&prev), nil
}

// SignalfdRead reads pending signals into b, whole struct
// signalfd_siginfo records, retrying EINTR; the error is the bare
// syscall.Errno, for internal/poll's helpers (see EventfdRead).
func SignalfdRead(fd int, b []byte) (int, error) {
	for {
		n, err := unix.Read(fd, b)
		if err != unix.EINTR {
			return n, err
		}
	}
}
