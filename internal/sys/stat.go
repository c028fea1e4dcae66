package sys

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// fstat(2) and fstatat(2), with the probe of what fstat reports for a
// procfs fd directory.

// AT_SYMLINK_NOFOLLOW makes Fstatat report a symbolic link itself.
const AT_SYMLINK_NOFOLLOW = unix.AT_SYMLINK_NOFOLLOW

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

// ProbeProcFDCount checks that the kernel gives a /proc/PID/fd directory
// the number of open descriptors as its size (Linux 6.2,
// proc_fd_getattr): fstat(2) of an open /proc/self/fd reports at least 1
// then, since that very descriptor is in the table, and 0 before. The
// probe fails with an error matching EOPNOTSUPP when the size is 0, and
// with one matching ENOENT, which is not conclusive, when /proc is not a
// procfs (nothing mounted there, or another file system).
func ProbeProcFDCount() error {
	const path = "/proc/self/fd"
	fd, err := retry1(func() (int, error) {
		return unix.Open(path, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	})
	if err != nil {
		return wrapPath("open", path, err)
	}
	defer unix.Close(fd)
	var sfs unix.Statfs_t
	if err := retry(func() error { return unix.Fstatfs(fd, &sfs) }); err != nil {
		return wrapPath("fstatfs", path, err)
	}
	if sfs.Type != PROC_SUPER_MAGIC {
		return fmt.Errorf("%s is on file system %#x, not procfs: %w", path, sfs.Type, unix.ENOENT)
	}
	var st unix.Stat_t
	if err := retry(func() error { return unix.Fstat(fd, &st) }); err != nil {
		return wrapPath("fstat", path, err)
	}
	if st.Size < 1 {
		return fmt.Errorf("%s has size %d, not the descriptor count: %w", path, st.Size, unix.EOPNOTSUPP)
	}
	return nil
}
