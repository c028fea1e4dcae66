package sys

import (
	"fmt"
	"os"
	"runtime"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// FD is an owned file descriptor. It exists for the short time between a
// syscall creating an fd and the fd being handed to an *os.File (File), or
// for fds that never go to the poller. Close is idempotent; a forgotten FD
// is closed by a runtime cleanup when it becomes unreachable, so an error
// path that drops an FD does not leak it.
//
// An FD is safe for concurrent Close, but Int must not race with Close:
// callers that share an fd between goroutines use File and its SyscallConn.
type FD struct {
	mu      sync.Mutex
	fd      int
	cleanup runtime.Cleanup
}

// fdBox is the cleanup's view of an FD: it must not reference the FD itself,
// or the FD could never become unreachable.
type fdBox struct{ fd int }

// NewFD takes ownership of fd. The fd must already be close-on-exec: every
// constructor in this package passes *_CLOEXEC to the kernel.
func NewFD(fd int) *FD {
	f := &FD{fd: fd}
	f.cleanup = runtime.AddCleanup(f, func(b fdBox) { unix.Close(b.fd) }, fdBox{fd})
	return f
}

// Int returns the raw fd, or -1 after Close or Release. The FD keeps
// ownership; the value is valid only until Close, and only while the FD is
// reachable: a caller whose last use of the FD is this call must keep it
// alive (defer f.Close(), or runtime.KeepAlive(f) after the raw fd's last
// use), or the cleanup can close the fd under a running system call.
func (f *FD) Int() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.fd
}

// Close closes the fd. A second Close returns nil. Close is not retried on
// EINTR: on Linux the fd is released even when close reports EINTR.
func (f *FD) Close() error {
	fd := f.Release()
	if fd < 0 {
		return nil
	}
	return wrap("close", unix.Close(fd))
}

// Release transfers ownership of the raw fd to the caller, who must close
// it. It returns -1 if the FD was already closed or released.
func (f *FD) Release() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	fd := f.fd
	if fd >= 0 {
		f.cleanup.Stop()
		f.fd = -1
	}
	return fd
}

// File transfers ownership to a new *os.File named name. If the fd is
// O_NONBLOCK, os.NewFile registers it with the runtime poller, which gives
// deadlines and Close-unblocks-Read. Never call Fd() on the result: it
// switches the fd back to blocking mode.
func (f *FD) File(name string) *os.File {
	fd := f.Release()
	if fd < 0 {
		return nil
	}
	return os.NewFile(uintptr(fd), name)
}

// CloseRaw closes a raw fd obtained from an allocation-free call.
func CloseRaw(fd int) error { return wrap("close", unix.Close(fd)) }

// SyscallConner is an open file whose descriptor can be borrowed: an
// *os.File, a *pidfd.FD, an *ns.Handle, a *cgroup.Cgroup.
type SyscallConner interface {
	SyscallConn() (syscall.RawConn, error)
}

// Control runs fn with the descriptor of f, borrowed: f stays open
// until fn returns, and fn must not keep the descriptor. It returns
// fn's error, or the error of reaching the descriptor (f closed).
func Control(f SyscallConner, fn func(fd int) error) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	if cerr := rc.Control(func(fd uintptr) { err = fn(int(fd)) }); cerr != nil {
		// A RawConn refuses only a closed (or closing) file, with the
		// runtime's "use of closed file", which os.ErrClosed does not
		// match: make it match, as os.File's own methods do.
		return fmt.Errorf("%w (%v)", os.ErrClosed, cerr)
	}
	return err
}
