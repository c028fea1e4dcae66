package sys

import "golang.org/x/sys/unix"

// getxattr(2), setxattr(2), removexattr(2) and their fd forms. The path
// forms follow symbolic links, as getcap(8) and setcap(8) do.

// ENODATA is the errno of a missing extended attribute.
const ENODATA = unix.ENODATA

// Getxattr reads attribute name of path into buf and returns its length;
// ERANGE when buf is too small.
func Getxattr(path, name string, buf []byte) (int, error) {
	n, err := retry1(func() (int, error) { return unix.Getxattr(path, name, buf) })
	return n, wrapPath("getxattr", path, err)
}

// Fgetxattr is Getxattr on an open file.
func Fgetxattr(fd int, name string, buf []byte) (int, error) {
	n, err := retry1(func() (int, error) { return unix.Fgetxattr(fd, name, buf) })
	return n, wrap("fgetxattr", err)
}

// Setxattr sets attribute name of path to value, creating or replacing
// it.
func Setxattr(path, name string, value []byte) error {
	return wrapPath("setxattr", path, retry(func() error { return unix.Setxattr(path, name, value, 0) }))
}

// Fsetxattr is Setxattr on an open file.
func Fsetxattr(fd int, name string, value []byte) error {
	return wrap("fsetxattr", retry(func() error { return unix.Fsetxattr(fd, name, value, 0) }))
}

// Removexattr removes attribute name of path; ENODATA when it has none.
func Removexattr(path, name string) error {
	return wrapPath("removexattr", path, retry(func() error { return unix.Removexattr(path, name) }))
}

// Fremovexattr is Removexattr on an open file.
func Fremovexattr(fd int, name string) error {
	return wrap("fremovexattr", retry(func() error { return unix.Fremovexattr(fd, name) }))
}
