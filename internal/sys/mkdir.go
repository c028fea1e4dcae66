package sys

import "golang.org/x/sys/unix"

// mkdirat(2) and unlinkat(2) with AT_REMOVEDIR: directories relative to a
// directory fd, which cgroupfs uses to create and remove cgroups.

// Mkdirat creates the directory path relative to dirfd with mode (before
// the umask). Errors are *fs.PathError.
func Mkdirat(dirfd int, path string, mode uint32) error {
	return wrapPath("mkdirat", path, retry(func() error { return unix.Mkdirat(dirfd, path, mode) }))
}

// Rmdirat removes the empty directory path relative to dirfd
// (unlinkat(2) with AT_REMOVEDIR). Errors are *fs.PathError.
func Rmdirat(dirfd int, path string) error {
	return wrapPath("rmdir", path, retry(func() error { return unix.Unlinkat(dirfd, path, unix.AT_REMOVEDIR) }))
}
