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

// poll(2) events, for PollPri's result.
const (
	POLLPRI  = unix.POLLPRI
	POLLERR  = unix.POLLERR
	POLLHUP  = unix.POLLHUP
	POLLNVAL = unix.POLLNVAL
)

// PollPri blocks in poll(2) until fd reports POLLPRI, POLLERR, POLLHUP or
// POLLNVAL, and returns those events, or until wake becomes readable, and
// returns 0; EINTR is retried. It blocks the calling thread, not just the
// goroutine: it is for files whose poll method has a side effect that an
// epoll instance nested in the runtime's poller would trigger in the
// wrong place (a PSI trigger's poll consumes its event). wake is an
// eventfd the caller writes to end the wait.
func PollPri(fd, wake int) (revents int, err error) {
	fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLPRI}, {Fd: int32(wake), Events: unix.POLLIN}}
	for {
		_, err := retry1(func() (int, error) { return unix.Poll(fds, -1) })
		if err != nil {
			return 0, wrap("poll", err)
		}
		if ev := fds[0].Revents & (unix.POLLPRI | unix.POLLERR | unix.POLLHUP | unix.POLLNVAL); ev != 0 {
			return int(ev), nil
		}
		if fds[1].Revents != 0 {
			return 0, nil
		}
	}
}

// WaitReadable blocks in poll(2) until fd is readable or reports
// POLLHUP, POLLERR or POLLNVAL; EINTR is retried. It blocks the calling
// thread whatever the fd's O_NONBLOCK flag says: for a thread that must
// wait on a descriptor whose open file description others use in
// non-blocking mode (a pidfd, readable once its process has exited).
func WaitReadable(fd int) error {
	fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	for {
		_, err := retry1(func() (int, error) { return unix.Poll(fds, -1) })
		if err != nil {
			return wrap("poll", err)
		}
		if fds[0].Revents&(unix.POLLIN|unix.POLLHUP|unix.POLLERR|unix.POLLNVAL) != 0 {
			return nil
		}
	}
}

// PollInOrWake blocks the calling thread in poll(2) until fd is readable
// (true) or wake is (false); EINTR is retried. It is for a descriptor
// whose readiness depends on the thread that asks: a signalfd reports
// the signals pending for the polling thread, so a signal directed at one
// thread makes the fd readable only for that thread's poll, never for
// the runtime poller's. wake is an eventfd the caller writes to end the
// wait.
func PollInOrWake(fd, wake int) (bool, error) {
	fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}, {Fd: int32(wake), Events: unix.POLLIN}}
	for {
		_, err := retry1(func() (int, error) { return unix.Poll(fds, -1) })
		if err != nil {
			return false, wrap("poll", err)
		}
		if fds[0].Revents&(unix.POLLIN|unix.POLLHUP|unix.POLLERR|unix.POLLNVAL) != 0 {
			return true, nil
		}
		if fds[1].Revents != 0 {
			return false, nil
		}
	}
}

// PollOut reports whether fd is writable now (poll with a zero timeout).
func PollOut(fd int) (bool, error) {
	fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLOUT}}
	n, err := retry1(func() (int, error) { return unix.Poll(fds, 0) })
	if err != nil {
		return false, wrap("poll", err)
	}
	return n > 0 && fds[0].Revents&(unix.POLLOUT|unix.POLLHUP|unix.POLLERR) != 0, nil
}
