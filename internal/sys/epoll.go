package sys

import "golang.org/x/sys/unix"

// epoll_create1(2), epoll_ctl(2) and epoll_wait(2), for an epoll instance
// of lx's own nested inside the runtime's poller: Go's netpoller registers
// EPOLLIN|EPOLLOUT|EPOLLRDHUP|EPOLLET and never EPOLLPRI, which is how
// kernfs files (cgroup.events, memory.events) and PSI triggers report
// their events. An epoll fd is itself readable while it has events, so
// the poller can wait on it for the events it cannot see.

// epoll event bits for EpollAdd and EpollEvent.Events.
const (
	EPOLLIN  = unix.EPOLLIN
	EPOLLPRI = unix.EPOLLPRI
	EPOLLERR = unix.EPOLLERR
	EPOLLHUP = unix.EPOLLHUP
	EPOLLET  = unix.EPOLLET
)

// EpollEvent is one ready file of EpollWaitNow: the events it reported
// and the data it was added with.
type EpollEvent struct {
	Events uint32
	Data   int32
}

// EpollCreate creates an epoll instance, close-on-exec and non-blocking,
// so that FD.File registers it with the runtime's poller (an epoll fd
// becomes readable when one of its files has an event).
func EpollCreate() (*FD, error) {
	fd, err := retry1(func() (int, error) { return unix.EpollCreate1(unix.EPOLL_CLOEXEC) })
	if err != nil {
		return nil, wrap("epoll_create1", err)
	}
	f := NewFD(fd)
	if err := SetNonblock(fd); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// EpollAdd adds fd to the epoll instance epfd for events (EPOLL_CTL_ADD);
// data comes back in EpollEvent.Data.
func EpollAdd(epfd, fd int, events uint32, data int32) error {
	ev := unix.EpollEvent{Events: events, Fd: data}
	return wrap("epoll_ctl", retry(func() error { return unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, fd, &ev) }))
}

// EpollWaitNow collects the ready files of epfd into evs without waiting
// (a zero timeout) and returns how many it filled: 0 when none is ready.
func EpollWaitNow(epfd int, evs []EpollEvent) (int, error) {
	var raw [8]unix.EpollEvent
	max := min(len(evs), len(raw))
	if max == 0 {
		return 0, nil
	}
	n, err := retry1(func() (int, error) { return unix.EpollWait(epfd, raw[:max], 0) })
	if err != nil {
		return 0, wrap("epoll_wait", err)
	}
	for i := range n {
		evs[i] = EpollEvent{Events: raw[i].Events, Data: raw[i].Fd}
	}
	return n, nil
}
