package sys

import (
	"encoding/binary"
	"unsafe"

	"golang.org/x/sys/unix"
)

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

// The full epoll interface, for package epoll: every event bit, the three
// epoll_ctl operations, and the 64-bit user data the kernel stores
// (EpollEvent above keeps the 32-bit form its callers use).

// More epoll event bits.
const (
	EPOLLOUT       = unix.EPOLLOUT
	EPOLLRDHUP     = unix.EPOLLRDHUP
	EPOLLRDNORM    = unix.EPOLLRDNORM
	EPOLLRDBAND    = unix.EPOLLRDBAND
	EPOLLWRNORM    = unix.EPOLLWRNORM
	EPOLLWRBAND    = unix.EPOLLWRBAND
	EPOLLMSG       = unix.EPOLLMSG
	EPOLLONESHOT   = unix.EPOLLONESHOT
	EPOLLWAKEUP    = unix.EPOLLWAKEUP
	EPOLLEXCLUSIVE = unix.EPOLLEXCLUSIVE
)

// epoll_ctl(2) operations for EpollCtl.
const (
	EPOLL_CTL_ADD = unix.EPOLL_CTL_ADD
	EPOLL_CTL_MOD = unix.EPOLL_CTL_MOD
	EPOLL_CTL_DEL = unix.EPOLL_CTL_DEL
)

// epollData returns the address of ev's data word, which x/sys splits in
// two int32 fields (packed after Events on x86, aligned elsewhere), as a
// byte array: its byte order is the machine's.
func epollData(ev *unix.EpollEvent) *[8]byte { return (*[8]byte)(unsafe.Pointer(&ev.Fd)) }

// EpollCtl adds, modifies or deletes (op) fd in the epoll instance epfd
// with events and data.
func EpollCtl(epfd, op, fd int, events uint32, data uint64) error {
	ev := unix.EpollEvent{Events: events}
	binary.NativeEndian.PutUint64(epollData(&ev)[:], data)
	return wrap("epoll_ctl", retry(func() error { return unix.EpollCtl(epfd, op, fd, &ev) }))
}

// epollBatch is how many events EpollWaitFunc collects per system call: a
// stack array, so a wait allocates nothing.
const epollBatch = 64

// EpollWaitFunc collects up to max ready files of epfd (at most 64)
// without waiting, calls fn with the index, events and 64-bit data of
// each, and returns how many there were. When none is ready it returns
// a bare EAGAIN, without an allocation, for the poller's retry loop;
// other errors are *os.SyscallError.
func EpollWaitFunc(epfd, max int, fn func(i int, events uint32, data uint64)) (int, error) {
	var raw [epollBatch]unix.EpollEvent
	max = min(max, len(raw))
	if max <= 0 {
		return 0, nil
	}
	for {
		r, _, e := unix.Syscall6(unix.SYS_EPOLL_PWAIT, uintptr(epfd), uintptr(unsafe.Pointer(&raw[0])), uintptr(max), 0, 0, 0)
		switch e {
		case 0:
		case unix.EINTR:
			continue
		default:
			return 0, wrap("epoll_pwait", e)
		}
		n := int(r)
		if n == 0 {
			return 0, unix.EAGAIN
		}
		for i := range n {
			fn(i, raw[i].Events, binary.NativeEndian.Uint64(epollData(&raw[i])[:]))
		}
		return n, nil
	}
}
