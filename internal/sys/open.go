package sys

import (
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// open(2), openat(2) and openat2(2).

// Flags re-exported for the layers above, which may not import x/sys.
const (
	O_RDONLY    = unix.O_RDONLY
	O_WRONLY    = unix.O_WRONLY
	O_RDWR      = unix.O_RDWR
	O_CLOEXEC   = unix.O_CLOEXEC
	O_NONBLOCK  = unix.O_NONBLOCK
	O_DIRECTORY = unix.O_DIRECTORY
	O_PATH      = unix.O_PATH
	O_NOFOLLOW  = unix.O_NOFOLLOW
	AT_FDCWD    = unix.AT_FDCWD
)

// openat2(2) RESOLVE_* flags for Openat2Z.
const (
	RESOLVE_BENEATH       = unix.RESOLVE_BENEATH
	RESOLVE_NO_XDEV       = unix.RESOLVE_NO_XDEV
	RESOLVE_NO_SYMLINKS   = unix.RESOLVE_NO_SYMLINKS
	RESOLVE_NO_MAGICLINKS = unix.RESOLVE_NO_MAGICLINKS
)

// Open opens path with O_CLOEXEC added and returns an owned FD.
func Open(path string, flags int) (*FD, error) {
	return Openat(unix.AT_FDCWD, path, flags)
}

// Openat opens path relative to dirfd with O_CLOEXEC added.
func Openat(dirfd int, path string, flags int) (*FD, error) {
	fd, err := retry1(func() (int, error) { return unix.Openat(dirfd, path, flags|unix.O_CLOEXEC, 0) })
	if err != nil {
		return nil, wrapPath("open", path, err)
	}
	return NewFD(fd), nil
}

// OpenatZ is the allocation-free form of Openat for hot paths: path must end
// in a NUL byte, and the caller owns the returned raw fd and must CloseRaw
// it. Only the error path allocates.
func OpenatZ(dirfd int, path []byte, flags int) (int, error) {
	if len(path) == 0 || path[len(path)-1] != 0 {
		return -1, wrapPath("open", string(path), unix.EINVAL)
	}
	for {
		r, _, e := syscall.Syscall6(unix.SYS_OPENAT, uintptr(dirfd), uintptr(unsafe.Pointer(&path[0])),
			uintptr(flags|unix.O_CLOEXEC), 0, 0, 0)
		if e == unix.EINTR {
			continue
		}
		if e != 0 {
			return -1, wrapPath("open", string(path[:len(path)-1]), e)
		}
		return int(r), nil
	}
}

// Openat2Z is OpenatZ with openat2(2) (Linux 5.6): path, relative to
// dirfd, is resolved under the RESOLVE_* rules in resolve. O_CLOEXEC is
// added. path must end in a NUL byte; the caller owns the returned raw fd
// and must CloseRaw it. Only the error path allocates. A kernel without
// openat2 gives an error matching ENOSYS.
func Openat2Z(dirfd int, path []byte, flags int, resolve uint64) (int, error) {
	if len(path) == 0 || path[len(path)-1] != 0 {
		return -1, wrapPath("openat2", string(path), unix.EINVAL)
	}
	how := unix.OpenHow{Flags: uint64(flags | unix.O_CLOEXEC), Resolve: resolve}
	for {
		r, _, e := syscall.Syscall6(unix.SYS_OPENAT2, uintptr(dirfd), uintptr(unsafe.Pointer(&path[0])),
			uintptr(unsafe.Pointer(&how)), unsafe.Sizeof(how), 0, 0)
		if e == unix.EINTR {
			continue
		}
		if e != 0 {
			return -1, wrapPath("openat2", string(path[:len(path)-1]), e)
		}
		return int(r), nil
	}
}

// ProbeOpenat2 opens "/" as an O_PATH fd with openat2(2) (Linux 5.6) and
// RESOLVE_NO_MAGICLINKS, and closes it.
func ProbeOpenat2() error {
	how := unix.OpenHow{Flags: unix.O_PATH | unix.O_DIRECTORY | unix.O_CLOEXEC, Resolve: unix.RESOLVE_NO_MAGICLINKS}
	fd, err := retry1(func() (int, error) { return unix.Openat2(unix.AT_FDCWD, "/", &how) })
	if err != nil {
		return wrapPath("openat2", "/", err)
	}
	unix.Close(fd)
	return nil
}
