package sys

import "golang.org/x/sys/unix"

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
