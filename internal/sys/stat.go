package sys

import "golang.org/x/sys/unix"

// fstat(2) and fstatat(2).

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
