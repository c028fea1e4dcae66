package sys

import "golang.org/x/sys/unix"

// Duplicating file descriptors: dup(2)'s family.

// Dup duplicates fd as a new close-on-exec fd (fcntl F_DUPFD_CLOEXEC). The
// duplicate shares fd's open file description: offset and status flags.
func Dup(fd int) (*FD, error) {
	nfd, err := retry1(func() (int, error) { return unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 0) })
	if err != nil {
		return nil, wrap("fcntl", err)
	}
	return NewFD(nfd), nil
}
