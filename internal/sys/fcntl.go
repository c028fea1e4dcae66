package sys

import "golang.org/x/sys/unix"

// fcntl(2): file status flags. (F_DUPFD_CLOEXEC is in dup.go.)

// SetNonblock sets O_NONBLOCK on fd's open file description, which is
// shared with every duplicate of fd (fcntl F_SETFL).
func SetNonblock(fd int) error {
	return wrap("fcntl", unix.SetNonblock(fd, true))
}

// FcntlGetfl returns fd's file status flags and access mode (fcntl
// F_GETFL); for a pidfd they include O_NONBLOCK and PIDFD_THREAD.
func FcntlGetfl(fd int) (int, error) {
	fl, err := retry1(func() (int, error) { return unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0) })
	return fl, wrap("fcntl", err)
}
