package sys

import "golang.org/x/sys/unix"

// readlinkat(2).

// Readlinkat reads the target of a symbolic link into buf and returns it.
func Readlinkat(dirfd int, path string, buf []byte) ([]byte, error) {
	n, err := retry1(func() (int, error) { return unix.Readlinkat(dirfd, path, buf) })
	if err != nil {
		return nil, wrapPath("readlinkat", path, err)
	}
	return buf[:n], nil
}
