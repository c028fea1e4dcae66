package sys

import "golang.org/x/sys/unix"

// getdents64(2).

// Getdents64 reads directory entries of the directory fd into buf with
// getdents64(2) and returns the number of bytes filled, 0 at the end of the
// directory. buf holds packed struct linux_dirent64 records (d_ino u64,
// d_off s64, d_reclen u16, d_type u8, NUL-terminated d_name) in native byte
// order; it allocates nothing. EINTR is retried.
func Getdents64(fd int, buf []byte) (int, error) {
	n, err := retry1(func() (int, error) { return unix.Getdents(fd, buf) })
	return n, wrap("getdents64", err)
}

// DT_DIR is the d_type of a directory in a linux_dirent64 record.
const DT_DIR = unix.DT_DIR
