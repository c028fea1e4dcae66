package sys

import (
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

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

// CloseRaw closes a raw fd obtained from an allocation-free call.
func CloseRaw(fd int) error { return wrap("close", unix.Close(fd)) }

// Read reads into p, retrying EINTR. Errors are *os.SyscallError.
func Read(fd int, p []byte) (int, error) {
	n, err := retry1(func() (int, error) { return unix.Read(fd, p) })
	return n, wrap("read", err)
}

// Pread reads into p at off, retrying EINTR.
func Pread(fd int, p []byte, off int64) (int, error) {
	n, err := retry1(func() (int, error) { return unix.Pread(fd, p, off) })
	return n, wrap("pread", err)
}

// Write writes p, retrying EINTR. It returns after the first successful
// write, which may be short.
func Write(fd int, p []byte) (int, error) {
	n, err := retry1(func() (int, error) { return unix.Write(fd, p) })
	return n, wrap("write", err)
}

// Readlinkat reads the target of a symbolic link into buf and returns it.
func Readlinkat(dirfd int, path string, buf []byte) ([]byte, error) {
	n, err := retry1(func() (int, error) { return unix.Readlinkat(dirfd, path, buf) })
	if err != nil {
		return nil, wrapPath("readlinkat", path, err)
	}
	return buf[:n], nil
}

// Stat is the subset of struct stat that lx uses.
type Stat struct {
	Dev, Ino, Rdev uint64
	Mode           uint32
	Nlink          uint64
	Uid, Gid       uint32
	Size           int64
}

func fromUnixStat(st *unix.Stat_t) Stat {
	return Stat{Dev: uint64(st.Dev), Ino: st.Ino, Rdev: uint64(st.Rdev), Mode: st.Mode,
		Nlink: uint64(st.Nlink), Uid: st.Uid, Gid: st.Gid, Size: st.Size}
}

// Fstat returns the stat of fd.
func Fstat(fd int) (Stat, error) {
	var st unix.Stat_t
	if err := retry(func() error { return unix.Fstat(fd, &st) }); err != nil {
		return Stat{}, wrap("fstat", err)
	}
	return fromUnixStat(&st), nil
}

// Fstatat returns the stat of path relative to dirfd (flags: AT_* values).
func Fstatat(dirfd int, path string, flags int) (Stat, error) {
	var st unix.Stat_t
	if err := retry(func() error { return unix.Fstatat(dirfd, path, &st, flags) }); err != nil {
		return Stat{}, wrapPath("fstatat", path, err)
	}
	return fromUnixStat(&st), nil
}

// FstatfsType returns the filesystem magic number (statfs(2) f_type) of the
// filesystem holding fd.
func FstatfsType(fd int) (int64, error) {
	var st unix.Statfs_t
	if err := retry(func() error { return unix.Fstatfs(fd, &st) }); err != nil {
		return 0, wrap("fstatfs", err)
	}
	return int64(st.Type), nil
}

// Ioctl issues an ioctl whose argument is a plain integer.
func Ioctl(fd int, req IoctlReq, arg uintptr) (int, error) {
	for {
		r, _, e := syscall.Syscall(unix.SYS_IOCTL, uintptr(fd), uintptr(req), arg)
		if e == unix.EINTR {
			continue
		}
		if e != 0 {
			return -1, wrap("ioctl", e)
		}
		return int(r), nil
	}
}

// IoctlPtr issues an ioctl whose argument points to memory of the size
// encoded in req. The memory must stay valid for the call only.
func IoctlPtr(fd int, req IoctlReq, arg unsafe.Pointer) (int, error) {
	for {
		r, _, e := syscall.Syscall(unix.SYS_IOCTL, uintptr(fd), uintptr(req), uintptr(arg))
		if e == unix.EINTR {
			continue
		}
		if e != 0 {
			return -1, wrap("ioctl", e)
		}
		return int(r), nil
	}
}

// PollIn reports whether fd is readable now (poll with a zero timeout).
func PollIn(fd int) (bool, error) {
	fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	n, err := retry1(func() (int, error) { return unix.Poll(fds, 0) })
	if err != nil {
		return false, wrap("poll", err)
	}
	return n > 0 && fds[0].Revents&(unix.POLLIN|unix.POLLHUP|unix.POLLERR) != 0, nil
}
