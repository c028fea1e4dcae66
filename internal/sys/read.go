package sys

import "golang.org/x/sys/unix"

// read(2) and pread64(2).

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
