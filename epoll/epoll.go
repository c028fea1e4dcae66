// Package epoll is a raw epoll instance (epoll(7)) for programs that
// watch many file descriptors with one goroutine: typed event masks,
// 64-bit user data, EPOLLONESHOT and EPOLLEXCLUSIVE, and a Wait that
// parks the goroutine in the Go runtime's poller instead of blocking an
// OS thread in epoll_wait.
//
// An [Instance] owns a close-on-exec, non-blocking epoll fd registered
// with the runtime's poller: an epoll fd is itself readable while one of
// its files has an event, so [Instance.Wait] waits for that and then
// collects the events with a zero-timeout epoll_wait. Every blocking
// call takes a context.Context; Close wakes a blocked Wait.
//
// Most Go programs need no epoll of their own: *os.File, net.Conn and
// lx's fd packages already wait in the runtime's poller. An Instance is
// for what that poller cannot express: EPOLLPRI (kernfs and PSI
// notifications), EPOLLEXCLUSIVE, level-triggered or one-shot sets of
// thousands of descriptors read by one goroutine.
//
// [Instance.Registrations] reads what an instance holds from
// /proc/self/fdinfo (the kernel prints every registered file's
// descriptor, events and data there, Linux 3.8), parsed by a pure,
// fuzzed parser in this package.
//
// Minimum kernel: epoll_create1 2.6.27; EPOLLRDHUP 2.6.17; EPOLLONESHOT
// 2.6.2; EPOLLWAKEUP 3.5; EPOLLEXCLUSIVE 4.5. No privilege is needed,
// except CAP_BLOCK_SUSPEND for EPOLLWAKEUP to take effect.
package epoll

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"

	"github.com/lxgo/lx/internal/poll"
	"github.com/lxgo/lx/internal/sys"
)

// Event is one struct epoll_event: the events of a registration or of a
// ready file, and the user data the file was registered with.
type Event struct {
	Events Events
	Data   uint64
}

// Instance is an epoll instance. It is safe for concurrent use.
type Instance struct {
	pfd *poll.FD
}

// New creates an epoll instance (epoll_create1(2) with EPOLL_CLOEXEC,
// Linux 2.6.27), non-blocking and registered with the runtime's poller.
// The instance belongs to the process; the caller closes it.
func New() (*Instance, error) {
	fd, err := sys.EpollCreate()
	if err != nil {
		return nil, fmt.Errorf("epoll create: %w", err)
	}
	pfd, err := poll.New(fd.File("epoll"))
	if err != nil {
		return nil, fmt.Errorf("epoll create: %w", err)
	}
	return &Instance{pfd: pfd}, nil
}

// Close closes the instance, waking a blocked Wait, which returns an
// error matching os.ErrClosed. It is idempotent.
func (e *Instance) Close() error { return e.pfd.Close() }

// SyscallConn returns the raw connection of the epoll fd, the escape
// hatch for calls this package does not make (epoll_pwait2 with a
// signal mask, nesting the instance in another).
func (e *Instance) SyscallConn() (syscall.RawConn, error) { return e.pfd.File().SyscallConn() }

// errExclusive is the error for EPOLLEXCLUSIVE where the kernel refuses it.
var errExclusive = errors.New("EPOLLEXCLUSIVE combines only with EPOLLIN, EPOLLOUT, EPOLLERR, EPOLLHUP, EPOLLWAKEUP and EPOLLET (and the *NORM/*BAND forms), and only in Add")

// check validates events for op ("add" or "modify").
func check(op string, events Events) error {
	if u := events &^ known; u != 0 {
		return fmt.Errorf("epoll %s: unknown event bits %#x: %w", op, uint32(u), fs.ErrInvalid)
	}
	if events&Exclusive != 0 && (op != "add" || events&^exclusiveOK != 0) {
		return fmt.Errorf("epoll %s %v: %w: %w", op, events, errExclusive, fs.ErrInvalid)
	}
	return nil
}

// Add registers the file behind f (an *os.File, a *net.TCPConn, any
// syscall.Conn) for events with data (epoll_ctl(2) EPOLL_CTL_ADD). f is
// borrowed for the call: the instance does not take it over. The instance
// refers to the file's open file description, not to f: closing f
// removes the registration only when no other descriptor (a dup, a
// child's inherited copy) refers to that description, and a
// registration whose file is gone cannot be deleted. Delete before
// Close.
//
// A file registered already is EEXIST; a file without poll support
// (a regular file, a directory) EPERM; Exclusive outside its rules is
// fs.ErrInvalid before any system call (see [Exclusive]).
func (e *Instance) Add(f syscall.Conn, events Events, data uint64) error {
	return e.ctl("add", sys.EPOLL_CTL_ADD, f, events, data)
}

// Modify changes the events and data of a registered file
// (EPOLL_CTL_MOD), and re-arms a OneShot registration that fired. A file
// not registered is ENOENT (matching fs.ErrNotExist).
func (e *Instance) Modify(f syscall.Conn, events Events, data uint64) error {
	return e.ctl("modify", sys.EPOLL_CTL_MOD, f, events, data)
}

// Delete removes the registration of f (EPOLL_CTL_DEL).
func (e *Instance) Delete(f syscall.Conn) error { return e.ctl("delete", sys.EPOLL_CTL_DEL, f, 0, 0) }

func (e *Instance) ctl(op string, ctl int, f syscall.Conn, events Events, data uint64) error {
	if err := check(op, events); err != nil {
		return err
	}
	if f == nil {
		return fmt.Errorf("epoll %s: nil file: %w", op, fs.ErrInvalid)
	}
	rc, err := f.SyscallConn()
	if err != nil {
		return fmt.Errorf("epoll %s: %w", op, err)
	}
	var cerr error
	err = rc.Control(func(fd uintptr) {
		_, cerr = poll.ControlT(e.pfd, "epoll_ctl", func(epfd int) (struct{}, error) {
			return struct{}{}, sys.EpollCtl(epfd, ctl, int(fd), uint32(events), data)
		})
	})
	if err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("epoll %s: %w", op, err)
	}
	return nil
}

// Wait waits until at least one registered file has an event, or ctx is
// done (epoll_wait(2) with a zero timeout once the poller reports the
// epoll fd readable), and fills events with up to len(events) of them (at most 64 per
// call; the rest are reported by the next Wait). It returns how many it
// filled. With an empty events slice it returns 0 at once.
//
// The goroutine parks in the runtime's poller; no OS thread blocks.
// After Close, Wait returns an error matching os.ErrClosed. Several
// goroutines may wait on one instance: each event (of an edge-triggered
// or one-shot registration) goes to one of them.
func (e *Instance) Wait(ctx context.Context, events []Event) (int, error) {
	if len(events) == 0 {
		return 0, nil
	}
	n, err := poll.ReadT(ctx, e.pfd, "epoll_wait", func(fd int) (int, error) {
		return sys.EpollWaitFunc(fd, len(events), func(i int, ev uint32, data uint64) {
			events[i] = Event{Events: Events(ev), Data: data}
		})
	})
	if err != nil {
		if errors.Is(err, os.ErrClosed) || ctx.Err() != nil {
			return 0, err
		}
		return 0, fmt.Errorf("epoll wait: %w", err)
	}
	return n, nil
}

// Ready collects the events that are ready now, without waiting: 0 when
// none is.
func (e *Instance) Ready(events []Event) (int, error) {
	if len(events) == 0 {
		return 0, nil
	}
	n, err := poll.ControlT(e.pfd, "epoll_wait", func(fd int) (int, error) {
		n, err := sys.EpollWaitFunc(fd, len(events), func(i int, ev uint32, data uint64) {
			events[i] = Event{Events: Events(ev), Data: data}
		})
		if errors.Is(err, sys.EAGAIN) {
			return 0, nil
		}
		return n, err
	})
	if err != nil {
		return 0, fmt.Errorf("epoll wait: %w", err)
	}
	return n, nil
}
