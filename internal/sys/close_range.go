package sys

import (
	"encoding/binary"
	"strconv"

	"golang.org/x/sys/unix"
)

// close_range(2), and the fallback of its CLOSE_RANGE_CLOEXEC flag.

// CloexecFrom sets close-on-exec on every open fd from first up, in the
// calling thread's fd table (which every thread shares unless one of them
// called unshare(CLONE_FILES)): close_range(first, ~0U,
// CLOSE_RANGE_CLOEXEC) (Linux 5.11); before that, each fd listed in
// /proc/thread-self/fd gets FD_CLOEXEC with fcntl(2).
func CloexecFrom(first int) error {
	err := unix.CloseRange(uint(first), ^uint(0), unix.CLOSE_RANGE_CLOEXEC)
	if err == nil || !IsNotSupported(err) {
		return wrap("close_range", err)
	}
	return cloexecFromProc(first)
}

// cloexecFromProc is CloexecFrom before Linux 5.11.
func cloexecFromProc(first int) error {
	dir, err := Open("/proc/thread-self/fd", unix.O_RDONLY|unix.O_DIRECTORY)
	if err != nil {
		return err
	}
	defer dir.Close()
	buf := make([]byte, 4096)
	for {
		n, err := Getdents64(dir.Int(), buf)
		if err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		for b := buf[:n]; len(b) >= 19; {
			reclen := int(binary.NativeEndian.Uint16(b[16:18]))
			if reclen < 19 || reclen > len(b) {
				break
			}
			name := b[19:reclen]
			for i, c := range name {
				if c == 0 {
					name = name[:i]
					break
				}
			}
			b = b[reclen:]
			fd, err := strconv.Atoi(string(name))
			if err != nil || fd < first || fd == dir.Int() {
				continue // "." and ".."
			}
			if _, err := unix.FcntlInt(uintptr(fd), unix.F_SETFD, unix.FD_CLOEXEC); err != nil && err != unix.EBADF {
				return wrap("fcntl F_SETFD", err)
			}
		}
	}
}
