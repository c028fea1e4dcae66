package sys

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// pipe2(2), the pipe fcntls (F_GETPIPE_SZ, F_SETPIPE_SZ) and FIONREAD, and
// splice(2), tee(2) and vmsplice(2), which move data through a pipe's
// buffer without a copy into user space.

// splice(2) flags.
const (
	SPLICE_F_MOVE     = unix.SPLICE_F_MOVE
	SPLICE_F_NONBLOCK = unix.SPLICE_F_NONBLOCK
	SPLICE_F_MORE     = unix.SPLICE_F_MORE
	SPLICE_F_GIFT     = unix.SPLICE_F_GIFT
)

// Pipe2 creates a pipe, close-on-exec, with flags (O_NONBLOCK, O_DIRECT),
// and returns its read and write ends.
func Pipe2(flags int) (r, w *FD, err error) {
	var p [2]int
	if err := retry(func() error { return unix.Pipe2(p[:], flags|unix.O_CLOEXEC) }); err != nil {
		return nil, nil, wrap("pipe2", err)
	}
	return NewFD(p[0]), NewFD(p[1]), nil
}

// PipeSize returns the capacity of the pipe fd in bytes (F_GETPIPE_SZ).
func PipeSize(fd int) (int, error) {
	n, err := retry1(func() (int, error) { return unix.FcntlInt(uintptr(fd), unix.F_GETPIPE_SZ, 0) })
	return n, wrap("fcntl", err)
}

// SetPipeSize asks for a capacity of at least n bytes (F_SETPIPE_SZ) and
// returns the capacity granted, which the kernel rounds up to a power of
// two pages.
func SetPipeSize(fd, n int) (int, error) {
	got, err := retry1(func() (int, error) { return unix.FcntlInt(uintptr(fd), unix.F_SETPIPE_SZ, n) })
	return got, wrap("fcntl", err)
}

// Fionread returns the number of bytes that can be read from fd now
// (ioctl FIONREAD, which Linux numbers TIOCINQ).
func Fionread(fd int) (int, error) {
	n, err := retry1(func() (int, error) { return unix.IoctlGetInt(fd, unix.TIOCINQ) })
	return n, wrap("ioctl", err)
}

// Splice moves up to n bytes from rfd to wfd, one of which must be a pipe,
// at the files' own offsets. EAGAIN is returned bare (no allocation) for
// the poller's retry loop; other errors are *os.SyscallError.
func Splice(rfd, wfd, n, flags int) (int, error) {
	for {
		r, _, e := unix.Syscall6(unix.SYS_SPLICE, uintptr(rfd), 0, uintptr(wfd), 0, uintptr(n), uintptr(flags))
		switch e {
		case 0:
			return int(r), nil
		case unix.EINTR:
			continue
		case unix.EAGAIN:
			return 0, unix.EAGAIN
		}
		return 0, wrap("splice", e)
	}
}

// Tee duplicates up to n bytes from the pipe rfd into the pipe wfd
// without consuming them. EAGAIN is bare, as for Splice.
func Tee(rfd, wfd, n, flags int) (int, error) {
	for {
		r, _, e := unix.Syscall6(unix.SYS_TEE, uintptr(rfd), uintptr(wfd), uintptr(n), uintptr(flags), 0, 0)
		switch e {
		case 0:
			return int(r), nil
		case unix.EINTR:
			continue
		case unix.EAGAIN:
			return 0, unix.EAGAIN
		}
		return 0, wrap("tee", e)
	}
}

// Vmsplice maps the pages of b into the pipe wfd (vmsplice(2)). The
// kernel references the memory, it does not copy it: b must stay
// unchanged until the data has been read from the pipe. EAGAIN is bare,
// as for Splice.
func Vmsplice(wfd int, b []byte, flags int) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	iov := unix.Iovec{Base: &b[0]}
	iov.SetLen(len(b))
	for {
		r, _, e := unix.Syscall6(unix.SYS_VMSPLICE, uintptr(wfd), uintptr(unsafe.Pointer(&iov)), 1, uintptr(flags), 0, 0)
		switch e {
		case 0:
			return int(r), nil
		case unix.EINTR:
			continue
		case unix.EAGAIN:
			return 0, unix.EAGAIN
		}
		return 0, wrap("vmsplice", e)
	}
}
