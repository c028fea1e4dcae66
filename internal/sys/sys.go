// Package sys is lx's only door to the kernel: the one importer of
// golang.org/x/sys/unix. Every call that can be interrupted is retried on
// EINTR (Go's asynchronous preemption sends SIGURG, so EINTR is common), and
// every error is wrapped exactly once, as *os.SyscallError or *fs.PathError,
// so that errors.Is works with syscall.Errno values and the stdlib sentinels.
//
// Higher layers never see unix.* types: this package converts to plain Go
// values or to the structs in internal/abi.
//
// Files are named after the system call family they wrap (fcntl.go,
// waitid.go, getdents.go, pidfd.go), never after a caller, and each family
// holds its feature probes: ProbeX functions that make the smallest call
// that proves an interface works, close every fd they opened before they
// return, and change no process state. A probe returns nil when the
// interface works; otherwise the kernel's error, wrapped once: ENOSYS,
// EINVAL, EOPNOTSUPP or ENOTTY mean the kernel does not have it (see
// IsNotSupported), EPERM or EACCES mean this caller may not use it here
// (a seccomp filter, a sysctl, a missing capability), which says nothing
// about the kernel. internal/feature declares one cached probe per feature
// on top of them.
package sys

import (
	"errors"
	"io/fs"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// Errno values re-exported so that no other package needs x/sys for them.
const (
	EAGAIN     = syscall.EAGAIN
	EBADF      = syscall.EBADF
	ECHILD     = syscall.ECHILD
	EINTR      = syscall.EINTR
	EINVAL     = syscall.EINVAL
	ENOENT     = syscall.ENOENT
	ENOSYS     = syscall.ENOSYS
	ENOTTY     = syscall.ENOTTY
	EOPNOTSUPP = syscall.EOPNOTSUPP
	EPERM      = syscall.EPERM
	EACCES     = syscall.EACCES
	ESRCH      = syscall.ESRCH
	EXDEV      = syscall.EXDEV
	ENODEV     = syscall.ENODEV
	E2BIG      = syscall.E2BIG
)

// retry calls fn until it returns something other than EINTR.
func retry(fn func() error) error {
	for {
		err := fn()
		if err != unix.EINTR {
			return err
		}
	}
}

// retry1 is retry for calls that return one value.
func retry1[T any](fn func() (T, error)) (T, error) {
	for {
		v, err := fn()
		if err != unix.EINTR {
			return v, err
		}
	}
}

// wrap turns a raw errno into *os.SyscallError named after the call. A nil
// error stays nil.
func wrap(name string, err error) error {
	if err == nil {
		return nil
	}
	return os.NewSyscallError(name, err)
}

// wrapPath turns a raw errno into *fs.PathError for calls on a path.
func wrapPath(op, path string, err error) error {
	if err == nil {
		return nil
	}
	return &fs.PathError{Op: op, Path: path, Err: err}
}

// Errno extracts the syscall.Errno from err, or 0 if there is none.
func Errno(err error) syscall.Errno {
	var e syscall.Errno
	if errors.As(err, &e) {
		return e
	}
	return 0
}

// IsNotSupported reports whether err is one of the errnos the kernel uses to
// say "this interface is not here": ENOSYS (no such syscall), EOPNOTSUPP,
// ENOTTY (unknown ioctl) or EINVAL (unknown flag). Callers that know EINVAL
// means bad input must not use this.
func IsNotSupported(err error) bool {
	switch Errno(err) {
	case unix.ENOSYS, unix.EOPNOTSUPP, unix.ENOTTY, unix.EINVAL:
		return true
	}
	return false
}
