package sys

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// eventfd2(2).

// eventfd(2) flags for Eventfd. EFD_CLOEXEC is always added.
const (
	EFD_NONBLOCK  = unix.EFD_NONBLOCK
	EFD_SEMAPHORE = unix.EFD_SEMAPHORE
)

// Eventfd creates an eventfd counter with eventfd2(2), close-on-exec, and
// returns the owned fd. Pass EFD_NONBLOCK for an fd that goes to the
// poller (FD.File, then internal/poll).
func Eventfd(initval uint, flags int) (*FD, error) {
	fd, err := retry1(func() (int, error) { return unix.Eventfd(initval, flags|unix.EFD_CLOEXEC) })
	if err != nil {
		return nil, wrap("eventfd2", err)
	}
	return NewFD(fd), nil
}

// EventfdRead reads an eventfd's 8-byte value with read(2), retrying
// EINTR (a timerfd's expiration count reads the same way). Its error is
// the bare syscall.Errno, for internal/poll's helpers, which name it and
// treat EAGAIN as "not ready".
func EventfdRead(fd int) (uint64, error) { return readU64(fd) }

// EventfdWrite adds v to an eventfd's counter with write(2), retrying
// EINTR; the error is the bare syscall.Errno, as for EventfdRead. The
// kernel refuses v = 2^64-1 (EINVAL) and answers EAGAIN on a
// non-blocking eventfd when the sum would exceed 2^64-2.
func EventfdWrite(fd int, v uint64) error {
	var b [8]byte
	*(*uint64)(unsafe.Pointer(&b)) = v
	for {
		n, err := unix.Write(fd, b[:])
		switch {
		case err == unix.EINTR:
			continue
		case err != nil:
			return err
		case n != 8:
			return unix.EIO // the kernel writes all 8 bytes or fails
		}
		return nil
	}
}

// readU64 reads one native-endian 8-byte value: the counter of an
// eventfd or the expiration count of a timerfd.
func readU64(fd int) (uint64, error) {
	var b [8]byte
	for {
		n, err := unix.Read(fd, b[:])
		switch {
		case err == unix.EINTR:
			continue
		case err != nil:
			return 0, err
		case n != 8:
			return 0, unix.EIO // the kernel reads all 8 bytes or fails
		}
		return *(*uint64)(unsafe.Pointer(&b)), nil
	}
}
