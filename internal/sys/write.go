package sys

import "golang.org/x/sys/unix"

// write(2).

// Write writes p, retrying EINTR. It returns after the first successful
// write, which may be short.
func Write(fd int, p []byte) (int, error) {
	n, err := retry1(func() (int, error) { return unix.Write(fd, p) })
	return n, wrap("write", err)
}

// Pwrite writes p at off, retrying EINTR. Errors are *os.SyscallError.
func Pwrite(fd int, p []byte, off int64) (int, error) {
	n, err := retry1(func() (int, error) { return unix.Pwrite(fd, p, off) })
	return n, wrap("pwrite", err)
}
