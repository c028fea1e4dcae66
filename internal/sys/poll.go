package sys

import "golang.org/x/sys/unix"

// poll(2).

// PollIn reports whether fd is readable now (poll with a zero timeout).
func PollIn(fd int) (bool, error) {
	fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	n, err := retry1(func() (int, error) { return unix.Poll(fds, 0) })
	if err != nil {
		return false, wrap("poll", err)
	}
	return n > 0 && fds[0].Revents&(unix.POLLIN|unix.POLLHUP|unix.POLLERR) != 0, nil
}
