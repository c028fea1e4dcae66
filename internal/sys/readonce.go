package sys

import (
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// ReadOnceZ opens the NUL-terminated path relative to dirfd (O_RDONLY and
// O_CLOEXEC, plus flags), reads from its start into buf with one read(2),
// and closes it when that read did not fill buf: the whole of a
// single-record pseudo-file such as /proc/PID/stat, which the kernel
// generates on the first read and returns in full when it fits. It then
// returns fd -1 and the bytes read. When buf is full the file may hold
// more, and the descriptor is returned open (fd >= 0): the caller owns it,
// reads on from the current offset and closes it with CloseRaw.
//
// It is OpenatZ, Read and CloseRaw in one function, with the system calls
// made directly and EINTR retried: those three wrappers cost about 2% of a
// /proc/PID/statm read (procfs's BenchmarkPaired). Errors, the only
// allocations, are *fs.PathError for the open (path without its NUL) and
// *os.SyscallError for the read; a read error closes the file.
func ReadOnceZ(dirfd int, path []byte, flags int, buf []byte) (fd, n int, err error) {
	if len(path) == 0 || path[len(path)-1] != 0 || len(buf) == 0 {
		return -1, 0, readOnceInvalid(path)
	}
	var r uintptr
	var e syscall.Errno
	for {
		r, _, e = syscall.Syscall6(unix.SYS_OPENAT, uintptr(dirfd), uintptr(unsafe.Pointer(&path[0])),
			uintptr(flags|unix.O_RDONLY|unix.O_CLOEXEC), 0, 0, 0)
		if e != unix.EINTR {
			break
		}
	}
	if e != 0 {
		return -1, 0, wrapPath("open", string(path[:len(path)-1]), e)
	}
	fd = int(r)
	for {
		r, _, e = syscall.Syscall(unix.SYS_READ, uintptr(fd), uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)))
		if e != unix.EINTR {
			break
		}
	}
	if e != 0 {
		syscall.Syscall(unix.SYS_CLOSE, uintptr(fd), 0, 0)
		return -1, 0, wrap("read", e)
	}
	if n = int(r); n < len(buf) {
		// close(2) of a file just read cannot fail in a way that loses
		// data; EINTR still closed it (see close(2)).
		syscall.Syscall(unix.SYS_CLOSE, uintptr(fd), 0, 0)
		return -1, n, nil
	}
	return fd, n, nil
}

// readOnceInvalid is ReadOnceZ's answer to a path without its NUL or an
// empty buffer: a caller's mistake, kept out of the hot function.
func readOnceInvalid(path []byte) error {
	return wrapPath("open", string(path), unix.EINVAL)
}
